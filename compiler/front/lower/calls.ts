/**
 * Lower, calls and allocations: what a call means for differentiation.
 *
 * Input: a call or `new` expression. Output: one IR value: a rule call (`Math.sin`, a
 * custom derivative), a call of a `@differentiable` function, an array value (allocation,
 * copy, view, `pop`), an inlined local function or `map`/`reduce` (inline.ts), or an opaque
 * call that no derivative flows through (whether that is allowed is decided by activity:
 * only calls that receive no active value, or whose result carries no derivative, are).
 */
import { Node, type CallExpression, type Expression, type NewExpression, type PropertyAccessExpression } from "ts-morph";
import { CompileError, codes, messages } from "../../diagnostics";
import { runtimeExportName } from "../../runtime-refs";
import { lit, v, type ArrayCtor, type Atom, type Callee, type Expr } from "../../ir/ir";
import type { LowerContext } from "./context";
import { atom, identifier, infoAt, lowerValue, objectName, skipTransparent } from "./expressions";
import { isArrayType } from "../types";
import { arrayMethod, callLocal, withEveryArgument } from "./inline";
import { constructs } from "../../diagnostics";
import { unsupported } from "./unsupported";

const typedArrays = new Set(["Float64Array", "Float32Array"]);
const transforms = new Set(["grad", "valueAndGrad", "vjp", "jvp", "hvp", "hessian", "jacobian"]);

/** The transform (`grad`, …) whose result a callee is, when it is a constant holding one. */
function generatedBy(callee: Node): string | undefined {
  if (!Node.isIdentifier(callee)) return undefined;
  const symbol = callee.getSymbol();
  const declaration = (symbol?.getAliasedSymbol() ?? symbol)?.getDeclarations()[0];
  const init = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  if (!Node.isCallExpression(init)) return undefined;
  const name = runtimeExportName(init.getSourceFile(), init.getExpression().compilerNode);
  return name && transforms.has(name) ? name : undefined;
}

export function lowerCall(cx: LowerContext, node: CallExpression): Expr {
  const callee = skipTransparent(node.getExpression());
  if (runtimeExportName(node.getSourceFile(), callee.compilerNode) === "stopGradient") {
    const [arg] = node.getArguments();
    if (!arg || node.getArguments().length !== 1) throw unsupported(node, constructs.stopGradientArity);
    return { kind: "op", op: "stopGradient", args: [atom(cx, arg as Expression)] };
  }
  const copy = copyOf(cx, node);
  if (copy) return copy;
  const filled = filledArray(cx, node);
  if (filled) return filled;
  if (Node.isPropertyAccessExpression(callee)) {
    const method = arrayMethod(cx, node, callee);
    if (method) return method;
  }
  const spread = node.getArguments().findIndex((a) => Node.isSpreadElement(a));
  if (spread >= 0 && spread !== node.getArguments().length - 1) throw unsupported(node.getArguments()[spread], constructs.spreadNotLast);
  const args = (): Atom[] => node.getArguments().map((a) => (Node.isSpreadElement(a) ? v(objectName(cx, a.getExpression())) : atom(cx, a as Expression)));

  const rule = cx.resolver.ruleFor(callee);
  if (rule) {
    if (spread >= 0 && (rule.reverse.kind !== "each" || node.getArguments().length !== 1)) {
      throw unsupported(node, constructs.spreadFixedArity);
    }
    return { kind: "call", callee: { kind: "rule", text: callee.getText(), rule: rule.key }, args: args(), ...(spread >= 0 ? { spread: true } : {}) };
  }
  const target = cx.resolver.differentiable(callee);
  if (target) {
    if (spread >= 0) throw unsupported(node, constructs.spreadToDifferentiable);
    let receiver: Expr | undefined;
    if (target.self) {
      if (!Node.isPropertyAccessExpression(callee)) throw unsupported(node, constructs.methodWithoutObject(target.name));
      receiver = atom(cx, callee.getExpression());
    }
    const callText = target.self ? target.name : callee.getText();
    const differentiable: Callee = { kind: "differentiable", text: callText, target: cx.resolver.keyOf(target), ...(receiver ? { receiver } : {}) };
    return { kind: "call", callee: differentiable, args: withEveryArgument(args(), target.fn.getParameters().length) };
  }
  const transform = generatedBy(callee);
  if (transform) throw new CompileError(codes.notDifferentiableCallee, messages.transformCalled(callee.getText(), transform), node);
  if (Node.isIdentifier(callee)) {
    const binding = cx.lookup(callee.getText());
    if (binding?.kind === "function") {
      if (spread >= 0) throw unsupported(node, constructs.spreadToLocal);
      return callLocal(cx, binding, node.getArguments().map((a) => atom(cx, a as Expression)), node);
    }
  }
  return opaqueCall(cx, node, callee, args(), spread >= 0);
}

/** A call no derivative flows through: `console.log(x)`, `Math.random()`, `xs.indexOf(v)`, `scale(2)`. */
function opaqueCall(cx: LowerContext, node: CallExpression, callee: Expression, args: Atom[], spread: boolean): Expr {
  let fn: Expr;
  let method: string | undefined;
  if (Node.isIdentifier(callee)) {
    fn = identifier(cx, callee);
  } else if (Node.isPropertyAccessExpression(callee)) {
    method = callee.getName();
    const base = skipTransparent(callee.getExpression());
    fn = Node.isIdentifier(base) && !cx.lookup(base.getText()) ? lit(base.getText()) : lowerValue(cx, base);
    if (fn.kind !== "var" && fn.kind !== "lit") fn = atom(cx, base);
  } else {
    throw unsupported(callee, constructs.calleeExpression);
  }
  return { kind: "call", callee: { kind: "opaque", fn, ...(method ? { method } : {}), pure: false }, args, ...(spread ? { spread: true } : {}) };
}

/** `new Float64Array(n)`, `new Float64Array(src)`, `new Array(n)`, `new Array<number>()`. */
export function lowerNew(cx: LowerContext, node: NewExpression): Expr {
  const ctor = node.getExpression().getText();
  const args = node.getArguments() as Expression[];
  if (typedArrays.has(ctor) && args.length <= 1) {
    if (args.length === 0) return { kind: "alloc", ctor: ctor as ArrayCtor, length: lit("0") };
    const type = args[0].getType();
    if (type.isNumber() || type.isNumberLiteral()) return { kind: "alloc", ctor: ctor as ArrayCtor, length: atom(cx, args[0]) };
    return { kind: "clone", ctor: ctor as ArrayCtor, object: v(objectName(cx, args[0])) };
  }
  if (ctor === "Array" && args.length === 0) return { kind: "literal", shape: "array", items: [] };
  if (ctor === "Array" && args.length === 1) {
    const type = args[0].getType();
    if (type.isNumber() || type.isNumberLiteral()) return { kind: "alloc", ctor: "Array", length: atom(cx, args[0]) };
  }
  throw unsupported(node, constructs.newObject(node.getText().replace(/\s+/g, " ")));
}

/** `Float64Array.from(a)`, `Array.from(a)`, `a.slice(start, end)`: a fresh shallow copy. */
function copyOf(cx: LowerContext, node: CallExpression): Expr | undefined {
  const callee = skipTransparent(node.getExpression());
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const args = node.getArguments() as Expression[];
  const owner = callee.getExpression().getText();
  if (callee.getName() === "from" && args.length === 1 && (typedArrays.has(owner) || owner === "Array") && isArrayLike(args[0])) {
    return { kind: "clone", ctor: owner as ArrayCtor, object: v(objectName(cx, args[0])) };
  }
  if ((callee.getName() === "slice" || callee.getName() === "subarray") && isArrayLike(callee.getExpression()) && args.length <= 2) {
    const object = v(objectName(cx, callee.getExpression()));
    const [start, end] = args.map((a) => atom(cx, a));
    const range = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
    return callee.getName() === "slice" ? { kind: "clone", ctor: "slice", object, ...range } : { kind: "view", object, ...range };
  }
  return undefined;
}

/** `new Array(n).fill(v)` and `Array(n).fill(v)`: an allocation filled with one value. */
function filledArray(cx: LowerContext, node: CallExpression): Expr | undefined {
  const callee = skipTransparent(node.getExpression());
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "fill" || node.getArguments().length !== 1) return undefined;
  const inner = skipTransparent(callee.getExpression());
  if (!(Node.isNewExpression(inner) || Node.isCallExpression(inner))) return undefined;
  const ctor = inner.getExpression().getText();
  const lengthArg = inner.getArguments()[0] as Expression | undefined;
  if (inner.getArguments().length !== 1 || !lengthArg || !(ctor === "Array" || (typedArrays.has(ctor) && Node.isNewExpression(inner)))) return undefined;
  const lengthType = lengthArg.getType();
  if (!lengthType.isNumber() && !lengthType.isNumberLiteral()) return undefined;
  const length = atom(cx, lengthArg);
  const fill = atom(cx, node.getArguments()[0] as Expression);
  return { kind: "alloc", ctor: ctor as ArrayCtor, length, fill };
}

export function isArrayLike(expr: Expression): boolean {
  return isArrayType(expr.getType());
}

export type { PropertyAccessExpression };
export { infoAt };
