/**
 * Unseen code: calls whose effects lowering cannot see — a function adgen cannot look into
 * may change any array it is given or reaches, and any module variable — and the reads of
 * module state such calls may change.
 *
 * Input: syntax of a `@differentiable` function. Output: whether a body (or a function it may
 * call) makes such a call; a read of a value from outside the function, as IR. Invariant
 * (conservative): a call counts as seen only when it is `Math`'s or a copy's, a rule's (taken
 * as pure: the contract of a derivative rule), a local function's (looked into where its body
 * is), an array method given only local functions, or a differentiable function's that makes
 * no unseen call itself, at any depth; in a function that makes one, module state is read
 * volatile (ir.ts): where the source reads it, never moved, merged or read again.
 */
import { Node, type Expression } from "ts-morph";
import { lit, v, type Atom } from "../../ir/ir";
import { runtimeExportName } from "../../runtime-refs";
import { isArrayType } from "../types";
import type { LowerContext } from "./context";
import { infoAt, skipTransparent, typeTextAt } from "./expressions";
import { descendants, descendantsAll } from "../walk";

/** The functions defined in the outermost function around `body` (the body may call any), found once per function. */
const localFunctionsIn = new WeakMap<Node, Node[]>();
export function localFunctions(body: Node): Node[] {
  const around = Node.isFunctionLikeDeclaration(body) ? body : body.getAncestors().filter(Node.isFunctionLikeDeclaration).at(-1);
  if (!around) return [];
  let found = localFunctionsIn.get(around);
  if (!found) localFunctionsIn.set(around, (found = [...descendantsAll(around)].filter((n) => n !== around && Node.isFunctionLikeDeclaration(n))));
  return found;
}

/** Globals whose functions change no array they are given (copies, `Math`). */
const pureNamespaces = new Set(["Math", "Array", "Float64Array", "Float32Array", "Number"]);

/**
 * Whether `root` calls a function adgen cannot see into (not `Math`'s, not a rule's, not a
 * local one, not an array method given only local functions, not a differentiable one that
 * calls none): it may change any array or module variable it can reach. With `callees`, the
 * differentiable functions called are collected there instead of being looked into.
 */
export function callsUnseen(cx: LowerContext, root: Node, callees?: Node[]): boolean {
  const around = root.getAncestors().filter(Node.isFunctionLikeDeclaration).at(-1) ?? root;
  const local = (name: Node) => name.getSymbol()?.getDeclarations().every((d) => d.getAncestors().includes(around)) ?? false;
  for (const node of descendants(root)) {
    if (!Node.isCallExpression(node)) continue;
    const callee = skipTransparent(node.getExpression());
    if (runtimeExportName(node.getSourceFile(), callee.compilerNode) === "stopGradient") continue;
    if (Node.isPropertyAccessExpression(callee) && pureNamespaces.has(callee.getExpression().getText())) continue;
    const seenArgs = node.getArguments().every((a) => !Node.isIdentifier(a) || a.getType().getCallSignatures().length === 0 || local(a));
    if (Node.isPropertyAccessExpression(callee) && isArrayType(callee.getExpression().getType()) && seenArgs) continue;
    if (Node.isIdentifier(callee) && local(callee)) continue;
    // rules are taken as pure (their functions' contract); a differentiable callee, by what it calls
    if (cx.resolver.ruleFor(callee)) continue;
    const target = cx.resolver.differentiable(callee);
    if (target && callees) callees.push(target.fn);
    else if (!target || runsUnseenCode(cx, target.fn)) return true;
  }
  return false;
}

/** Per function: whether it makes an unseen call itself, and the differentiable functions it calls. */
const direct = new WeakMap<Node, { unseen: boolean; callees: Node[] }>();

/** Whether a function, or a differentiable function it calls (at any depth), calls a function adgen cannot see into. */
export function runsUnseenCode(cx: LowerContext, fn: Node): boolean {
  const visited = new Set<Node>();
  const stack = [fn];
  while (stack.length) {
    const f = stack.pop()!;
    if (visited.has(f)) continue;
    visited.add(f);
    let calls = direct.get(f);
    if (!calls) {
      const callees: Node[] = [];
      const unseen = [f, ...localFunctions(f)].some((place) => callsUnseen(cx, place, callees));
      direct.set(f, (calls = { unseen, callees }));
    }
    if (calls.unseen) return true;
    stack.push(...calls.callees);
  }
  return false;
}

/**
 * A value from outside the function, printed as is; volatile when it is module state (a
 * variable not `const`, or an array's or object's contents) and the function calls code
 * adgen cannot see into, which may change it while the function runs.
 */
export function outside(cx: LowerContext, node: Node): Atom {
  const text = node.getText();
  if (!runsUnseenCode(cx, cx.target.fn)) return lit(text);
  let symbol = node.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
  const mutable = (symbol?.getDeclarations() ?? []).some(
    (d) => Node.isVariableDeclaration(d) && (d.getVariableStatement()?.getDeclarationKind() !== "const" || !isPrimitive(d.getType())),
  );
  if (!mutable) return lit(text);
  const read: Atom = { kind: "lit", text, volatile: true };
  // an array's or object's contents: each read of them stays where it stands
  if (!isPrimitive(node.getType())) return read;
  // a number: taken once into a local, which the reverse sweep reads (or saves) as any other
  const info = infoAt(node as Expression);
  const temp = cx.temp(info, typeTextAt(node as Expression, info));
  cx.assign(temp, read);
  return v(temp);
}

const isPrimitive = (type: import("ts-morph").Type) => type.isNumber() || type.isNumberLiteral() || type.isString() || type.isStringLiteral() || type.isBoolean() || type.isBooleanLiteral() || type.isUndefined();
