/**
 * Running extrema: `for (i …) { t = a[i]; u = Math.max(m, t); m = u; }` (or `Math.min`) reversed at the iteration
 * that last changed `m`, not iteration by iteration.
 *
 * Input: a counted loop of the primal and its reverse context. Output: the loop's forward and reverse code, or
 * undefined when it is not of that form. Why: the rule of `Math.max(m, t)` sends the cotangent to `m` when `m` is the
 * result (a tie included), else to `t` when `t` is, else nowhere (NaN). Followed from the last iteration back, the
 * cotangent of the final `m` passes unchanged through every iteration that left `m` as it was and stops at the last
 * one that changed it: at its element, or nowhere. So the forward sweep keeps one number per loop — that iteration's
 * index, −2 when its result was neither argument (NaN), −1 when no iteration changed `m` — where the generic reverse
 * keeps `m` per iteration and runs the rule again per iteration; the reverse adds m̄ into that one element.
 * Invariant: the body is exactly those three assignments (comments aside), `m` an active number, `t`, `u`, `m`, the
 * index and `a` distinct, `t` and `u` read nowhere outside the loop; `m`'s value from before the loop is saved once and
 * put back after the reverse, as the iteration-by-iteration reverse leaves it.
 */
import { lit, op, v, type Expr, type Stmt } from "../ir/ir";
import { stmtReads, walk } from "../ir/traverse";
import { adjointOf } from "./adjoints";
import type { ReverseContext } from "./context";
import type { ForStmt } from "./reduction";
import type { Sweeps } from "./sweeps";

const isVar = (e: Expr, name: string) => e.kind === "var" && e.name === name;

export function runningExtremum(cx: ReverseContext, loop: ForStmt): Sweeps | undefined {
  const body = loop.body.filter((s) => s.kind !== "comment");
  if (body.length !== 3) return undefined;
  const [read, pick, carry] = body;
  if (read.kind !== "assign" || pick.kind !== "assign" || carry.kind !== "assign" || read.accumulate || pick.accumulate || carry.accumulate) return undefined;
  const element = read.value;
  const choice = pick.value;
  if (element.kind !== "get" || element.object.kind !== "var" || element.key.kind !== "index" || !isVar(element.key.index, loop.index)) return undefined;
  if (choice.kind !== "call" || choice.callee.kind !== "rule" || !/^Math\.(max|min)$/.test(choice.callee.text) || choice.spread || choice.args.length !== 2) return undefined;
  const [m, t, u, array] = [carry.target, read.target, pick.target, element.object.name];
  if (!isVar(choice.args[0], m) || !isVar(choice.args[1], t) || !isVar(carry.value, u)) return undefined;
  if (new Set([m, t, u, array, loop.index]).size !== 5 || cx.fn.vars.get(m)?.type !== "number" || !cx.isActive(m)) return undefined;
  const inside = new Set(walk([loop]));
  for (const s of walk(cx.fn.body)) if (!inside.has(s) && stmtReads(s).some((name) => name === t || name === u)) return undefined;

  const origin = loop.origin;
  const changed = cx.fresh("changed", "inactive", "number");
  const [before, last] = [cx.pair(), cx.pair()];
  const tracked: Stmt = { kind: "if", cond: op("!==", v(m), v(u)), then: [{ kind: "assign", target: changed, value: op("?:", op("===", v(t), v(u)), v(loop.index), lit("-2")), origin }], else: [], origin };
  const forward: Stmt[] = [
    { kind: "save", tape: "number", value: v(m), origin, pair: before },
    { kind: "assign", target: changed, value: lit("-1"), origin },
    { ...loop, body: [read, pick, tracked, carry] },
    { kind: "save", tape: "number", value: v(changed), origin, pair: last },
  ];
  // the cotangent of the final m, into the element of the iteration that last changed m
  const chosen: Stmt = { kind: "assign", target: t, value: { ...element, key: { kind: "index", index: v(changed) } }, origin };
  const taken: Stmt[] = [{ kind: "assign", target: cx.bar(t), value: cx.barVar(m), origin }, ...adjointOf(cx, chosen, cx.barVar(t))];
  const reverse: Stmt[] = [
    { kind: "assign", target: changed, value: { kind: "restore", tape: "number", pair: last }, origin },
    {
      kind: "if",
      cond: op("!==", v(changed), lit("-1")),
      then: [{ kind: "if", cond: op(">=", v(changed), lit("0")), then: taken, else: [], origin }, { kind: "assign", target: cx.bar(m), value: lit("0"), origin }],
      else: [],
      origin,
    },
    { kind: "assign", target: m, value: { kind: "restore", tape: "number", pair: before }, origin },
  ];
  return { forward, reverse };
}
