/**
 * Calls of `@differentiable` functions in reverse mode: through the callee's two halves.
 *
 *   y = g(a, w)   ⇒ forward:  y = g_forward(a, w, w̄)                 (w̄: shadows of active arrays)
 *                   reverse:  ā += g_reverse(a, w, w̄, ȳ); ȳ = 0      (w̄ accumulates in place)
 *
 * The forward half runs the callee's forward sweep and leaves on the tapes what its reverse
 * half reads, so nothing is swept twice and recursion costs O(depth). The halves are
 * specialised to the call's active arguments: an inactive argument gets no shadow and no
 * cotangent, nor does one whose parameter carries no derivative out of the callee (a depth
 * passed down a recursion; see ir/carried.ts), which activity already counts as inactive. A callee returning an array returns its shadow too (`[r, r̄]`), so the caller's
 * adjoints land where the callee's reverse half reads them. The reverse half returns the
 * cotangent of its one active number parameter, a tuple for several, nothing for none.
 */
import { lit, v, type Expr, type Stmt } from "../ir/ir";
import { accumulate, type ReverseContext } from "./context";

type CallAssign = Extract<Stmt, { kind: "assign" }> & { value: Extract<Expr, { kind: "call" }> & { callee: { kind: "differentiable" } } };

export function isDifferentiableCall(s: Stmt): s is CallAssign {
  return s.kind === "assign" && s.value.kind === "call" && s.value.callee.kind === "differentiable";
}

/**
 * The call's active arguments, by parameter index: an active array whose parameter carries
 * nothing out (the callee never reads it on a path to its result) is passed as inactive.
 */
function activeArgs(cx: ReverseContext, call: CallAssign["value"]): number[] {
  return call.args.flatMap((a, i) => (cx.activeVar(a) && cx.callees.carries(call.callee.target, i) ? [i] : []));
}

/** Whether the reverse sweep runs the callee's reverse half for this call. */
export function callReversed(cx: ReverseContext, s: CallAssign): boolean {
  return cx.isActive(s.target) && activeArgs(cx, s.value).length > 0;
}

/** The arguments of a half: the primal's, then the shadows of the active arrays. */
function halfArgs(cx: ReverseContext, call: CallAssign["value"], wrt: number[]): Expr[] {
  const shadows = wrt.filter((i) => cx.isReference(cx.activeVar(call.args[i])!)).map((i) => cx.barVar(cx.activeVar(call.args[i])!));
  return [...call.args, ...shadows];
}

/**
 * The adjoint of a call the reverse sweep does not run back (its target, active since it is
 * assigned an active value elsewhere, gets nothing from the arguments): like any assignment,
 * it ends what the target's adjoint gathered after it, which the target's earlier value
 * must not receive (a loop's next trip back would read it).
 */
export function unreversedCallAdjoint(cx: ReverseContext, s: CallAssign): Stmt[] {
  return cx.isActive(s.target) && !cx.isReference(s.target) ? [{ kind: "assign", target: cx.bar(s.target), value: lit("0"), origin: s.origin }] : [];
}

export function callForward(cx: ReverseContext, s: CallAssign): Stmt[] {
  const call = s.value;
  const wrt = activeArgs(cx, call);
  const { forward } = cx.callees.halves(call.callee.target, wrt);
  const half: Expr = { kind: "call", callee: { kind: "generated", text: forward, of: call.callee.target, role: "forward", ...(call.callee.receiver ? { receiver: call.callee.receiver } : {}) }, args: halfArgs(cx, call, wrt) };
  if (!cx.isReference(s.target)) return [{ ...s, value: half }];
  const pair = cx.temp("inactive", `[${cx.vars.get(s.target)!.typeText}, ${cx.vars.get(cx.bar(s.target))!.typeText}]`);
  const item = (i: number): Expr => ({ kind: "get", object: v(pair), key: { kind: "index", index: lit(String(i)) } });
  return [
    { kind: "assign", target: pair, value: half, origin: s.origin },
    { kind: "assign", target: s.target, value: item(0), origin: s.origin },
    { kind: "assign", target: cx.bar(s.target), value: item(1), origin: s.origin },
  ];
}

export function callAdjoint(cx: ReverseContext, s: CallAssign): Stmt[] {
  const call = s.value;
  const wrt = activeArgs(cx, call);
  const { reverse } = cx.callees.halves(call.callee.target, wrt);
  const reference = cx.isReference(s.target);
  const args = [...halfArgs(cx, call, wrt), ...(reference ? [] : [cx.barVar(s.target)])];
  const half: Expr = { kind: "call", callee: { kind: "generated", text: reverse, of: call.callee.target, role: "reverse", ...(call.callee.receiver ? { receiver: call.callee.receiver } : {}) }, args };
  const numbers = wrt.filter((i) => !cx.isReference(cx.activeVar(call.args[i])!));
  const out: Stmt[] = [];
  if (numbers.length === 0) {
    out.push({ kind: "effect", value: half, origin: s.origin });
  } else if (numbers.length === 1) {
    out.push(accumulate(cx.bar(cx.activeVar(call.args[numbers[0]])!), half, s.origin));
  } else {
    const parts = cx.temp("inactive", `[${numbers.map(() => "number").join(", ")}]`);
    out.push({ kind: "assign", target: parts, value: half, origin: s.origin });
    numbers.forEach((i, k) => out.push(accumulate(cx.bar(cx.activeVar(call.args[i])!), { kind: "get", object: v(parts), key: { kind: "index", index: lit(String(k)) } }, s.origin)));
  }
  if (!reference) out.push({ kind: "assign", target: cx.bar(s.target), value: lit("0"), origin: s.origin });
  return out;
}
