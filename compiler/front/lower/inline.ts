/**
 * Lower, local functions: differentiated where they are used, by inlining.
 *
 * Input: a call of a function or arrow declared inside the `@differentiable` function, or
 * `map`/`reduce`/`forEach` on an array with such a function (or a `@differentiable` one).
 * Output: its body lowered at the call site, parameters bound to the arguments, names
 * resolved in the scope where the function was written (so captured values are the ones
 * it closes over), `return` turned into an assignment of the call's result; `map`,
 * `reduce` and `forEach` become counted loops. A local function that calls itself cannot
 * be inlined and is rejected with the fix.
 */
import { Node, type CallExpression, type Expression, type PropertyAccessExpression } from "ts-morph";
import { lit, v, type Atom, type Expr } from "../../ir/ir";
import { describeType, inactiveInfo, isArrayType, numberInfo } from "../types";
import type { Binding, LocalFunction, LowerContext } from "./context";
import { atom, atomOf, infoAt, objectName, typeTextAt } from "./expressions";
import { destructure } from "./patterns";
import { lowerFunctionBody } from "./statements";
import { CompileError, codes, constructs, messages } from "../../diagnostics";
import { unsupported } from "./unsupported";
import { nameOf } from "../../naming";

/** Calls `fn` (a local function) with `args`, inline; the result is an atom. */
export function callLocal(cx: LowerContext, binding: Extract<Binding, { kind: "function" }>, args: Atom[], at: Node): Atom {
  return inline(cx, binding.node, binding.scopes, args, at);
}

function inline(cx: LowerContext, fn: LocalFunction, scopes: Map<string, Binding>[], args: Atom[], at: Node): Atom {
  if (cx.inlining.has(fn)) {
    throw new CompileError(codes.closure, messages.recursiveLocal(localName(fn)), at);
  }
  const saved = { scopes: cx.scopes, targets: cx.targets, returns: cx.returns };
  cx.inlining.add(fn);
  cx.scopes = [...scopes, new Map()];
  cx.targets = [];
  cx.returns = [];
  try {
    fn.getParameters().forEach((param, i) => {
      if (param.isRestParameter()) throw unsupported(param, constructs.restParameterOfLocal);
      const info = infoAt(param);
      const typeText = param.getTypeNode()?.getText() ?? typeTextAt(param, info);
      let value: Atom | undefined = args[i];
      const init = param.getInitializer();
      if (!value && init) value = atom(cx, init);
      const nameNode = param.getNameNode();
      if (Node.isIdentifier(nameNode)) {
        const name = cx.declare(nameNode.getText(), "local", info, typeText);
        cx.assignVar(name, value ?? lit("undefined"));
      } else {
        if (!value) throw unsupported(param, constructs.destructuredParameterWithoutArgument);
        destructure(cx, nameNode, value, param, "declare");
      }
    });
    const signature = fn.getSignature();
    const resultType = signature.getReturnType();
    const resultInfo = resultType.isVoid() || resultType.isUndefined() ? inactiveInfo : describeType(resultType, fn);
    const resultText = resultInfo.type === "number" ? "number" : resultType.getText(at);
    const result = cx.hidden(nameOf.inlinedResult(localName(fn)), resultInfo, resultText);
    const body = fn.getBody();
    if (body && Node.isBlock(body)) {
      lowerFunctionBody(cx, body, result, fn);
    } else if (body) {
      cx.startOrigin(body);
      cx.assignVar(result, atom(cx, body as Expression));
    }
    return v(result);
  } finally {
    cx.inlining.delete(fn);
    Object.assign(cx, saved);
  }
}

function localName(fn: LocalFunction): string {
  if (Node.isFunctionDeclaration(fn) || Node.isFunctionExpression(fn)) return fn.getName() ?? "fn";
  const holder = fn.getParent();
  return Node.isVariableDeclaration(holder) ? holder.getName() : "fn";
}

/**
 * Array methods: `pop()`, `map`, `reduce`, `forEach`, and `fill` used as a value. Others
 * (`indexOf`, `includes`, …) are plain calls on the array, whose results carry no derivative.
 */
export function arrayMethod(cx: LowerContext, node: CallExpression, callee: PropertyAccessExpression): Expr | undefined {
  const receiver = callee.getExpression();
  const type = receiver.getType().getNonNullableType();
  if (!isArrayType(type)) return undefined;
  const name = callee.getName();
  const args = node.getArguments() as Expression[];
  if (name === "pop" && args.length === 0) {
    const object = objectName(cx, receiver);
    cx.noteWrite(object, node);
    return { kind: "pop", object: v(object) };
  }
  if (name === "map" || name === "forEach" || name === "reduce") {
    const callback = callbackOf(cx, args[0], node);
    if (!callback) return undefined;
    const array = objectName(cx, receiver);
    if (name === "reduce") return reduce(cx, node, array, callback, args[1]);
    return mapOrForEach(cx, node, array, callback, name === "map");
  }
  return undefined;
}

/** How a callback is called with (element, index, array): inline, or through a call. */
/**
 * A differentiable function's arguments, one per parameter: an optional or defaulted one left out is passed as
 * `undefined`, which JavaScript treats the same (its default applies), so the generated functions, whose own parameters
 * follow the callee's, receive every later argument (a cotangent, a tangent) where they expect it.
 */
export function withEveryArgument(args: Atom[], arity: number): Atom[] {
  return [...args.slice(0, arity), ...Array.from({ length: Math.max(0, arity - args.length) }, () => lit("undefined"))];
}

type Callback = (args: Atom[]) => Atom;

function callbackOf(cx: LowerContext, arg: Expression | undefined, at: Node): Callback | undefined {
  if (!arg) return undefined;
  if (Node.isArrowFunction(arg) || Node.isFunctionExpression(arg)) {
    const scopes = [...cx.scopes];
    return (args) => inline(cx, arg, scopes, args, at);
  }
  if (Node.isIdentifier(arg)) {
    const binding = cx.lookup(arg.getText());
    if (binding?.kind === "function") return (args) => callLocal(cx, binding, args, at);
    const target = cx.resolver.differentiable(arg);
    if (target) {
      const arity = target.fn.getParameters().length;
      return (args) => {
        const call: Expr = { kind: "call", callee: { kind: "differentiable", text: arg.getText(), target: cx.resolver.keyOf(target) }, args: withEveryArgument(args, arity) };
        const info = infoAt(target.fn.getReturnTypeNode() ?? target.fn);
        return atomOf(cx, call, info, typeTextAt(target.fn.getReturnTypeNode() ?? target.fn, info));
      };
    }
  }
  // a named function without a derivative: an arrow function calling it would be rejected in turn
  const unmarked = Node.isIdentifier(arg) && arg.getType().getCallSignatures().length > 0;
  throw unsupported(arg, unmarked ? constructs.unmarkedCallback(arg.getText()) : constructs.callback(arg.getText()));
}

/** A counted loop over `array`'s indices, its body written by `body(index)`. */
function eachIndex(cx: LowerContext, array: string, from: Atom, body: (index: Atom) => void): void {
  const length = cx.temp("number");
  cx.assign(length, { kind: "length", object: v(array) });
  const index = cx.hidden(nameOf.elementIndex, numberInfo, "number");
  const stmts = cx.nested(() => body(v(index)));
  cx.emit({ kind: "for", index, start: from, end: v(length), step: 1, body: stmts, origin: cx.origin, integralEnd: true });
}

/** `array[index]`, typed like the elements of `receiver` (the array as written). */
function element(cx: LowerContext, array: string, index: Atom, receiver: Expression): Atom {
  const type = receiver.getType().getNonNullableType();
  const elementType = type.getArrayElementType() ?? type.getNumberIndexType();
  const info = elementType ? describeType(elementType, receiver) : numberInfo;
  const text = info.type === "number" ? "number" : elementType!.getText(receiver);
  return atomOf(cx, { kind: "get", object: v(array), key: { kind: "index", index } }, info, text);
}

function mapOrForEach(cx: LowerContext, node: CallExpression, array: string, callback: Callback, isMap: boolean): Expr {
  const receiver = (node.getExpression() as PropertyAccessExpression).getExpression();
  let out: string | undefined;
  if (isMap) {
    const info = infoAt(node);
    out = cx.temp(info, typeTextAt(node, info));
    const typed = info.shape.kind === "array" && info.shape.ctor !== "Array";
    const length: Expr = { kind: "length", object: v(array) };
    cx.assign(out, typed && info.shape.kind === "array" ? { kind: "alloc", ctor: info.shape.ctor, length: atomOf(cx, length, "number") } : { kind: "literal", shape: "array", items: [] });
  }
  eachIndex(cx, array, lit("0"), (index) => {
    const item = element(cx, array, index, receiver);
    const result = callback([item, index, v(array)]);
    if (!out) return;
    const shape = cx.shapeOf(out);
    if (shape.kind === "array" && shape.ctor !== "Array") cx.emit({ kind: "store", object: out, key: { kind: "index", index }, value: result, origin: cx.origin });
    else cx.emit({ kind: "push", object: out, value: result, origin: cx.origin });
  });
  return out ? v(out) : lit("undefined");
}

function reduce(cx: LowerContext, node: CallExpression, array: string, callback: Callback, init: Expression | undefined): Expr {
  const receiver = (node.getExpression() as PropertyAccessExpression).getExpression();
  const info = infoAt(node);
  const acc = cx.hidden(nameOf.accumulator, info, typeTextAt(node, info));
  if (init) {
    cx.assignVar(acc, atom(cx, init));
  } else {
    cx.assignVar(acc, { kind: "get", object: v(array), key: { kind: "index", index: lit("0") } });
  }
  eachIndex(cx, array, lit(init ? "0" : "1"), (index) => {
    const item = element(cx, array, index, receiver);
    cx.assignVar(acc, callback([v(acc), item, index, v(array)]));
  });
  return v(acc);
}
