/**
 * A reduction loop (reduction.ts) reversed in place: each iteration runs its forward code and
 * then at once its reverse code, so the tape holds one iteration's values at a time.
 *
 * Input: the loop, its body's two sweeps, its accumulator `s`. Output: the forward sweep's
 * loop, whose iterations run their adjoint for s̄ = 1, adding into per-loop adjoints X̄ₗ of
 * everything from outside the loop they reach; and, at the loop's place in the reverse
 * sweep, X̄ += s̄ · X̄ₗ (the loop's adjoint is linear in s̄, which it passes on unchanged). When
 * s̄ is known before the loop runs (reduction.ts: knownAdjoint), the iterations run for s̄ itself
 * and add straight into X̄ for every flat array nothing after the loop writes — until the loop's
 * place the reverse sweep only adds into those — leaving per-loop adjoints to numbers (zeroed
 * where the reverse sweep starts) and to arrays written after the loop (their adjoint is zeroed
 * at that write's adjoint), added unscaled.
 * Undefined — and the loop reversed as usual — when the iteration's adjoint code reaches an
 * adjoint that is not a number's or a flat array's, or when the loop stores nothing on the
 * tape but in its own body (reversed as usual it then costs less than the per-loop adjoints).
 * Once in place, the plan no longer keeps the accumulator, and keeps in the body only what an
 * iteration's own reverse code reads (plan.isolate): nothing from the iteration before — what a
 * refill of a scratch array or a local overwrites — and in a local where no inner loop repeats
 * it. Invariant: an iteration's reverse code
 * sees what it would in the reverse sweep — the same iteration's values, and adjoints of the
 * loop's own variables at zero.
 */
import { lit, op, v, isFlatArray, type Expr, type Stmt } from "../ir/ir";
import { assignedNames, children, renameStmt, stmtExprs, stmtReads, walk, writtenObject } from "../ir/traverse";
import { nameOf } from "../naming";
import { accumulate, type ReverseContext } from "./context";
import type { Plan } from "./plan";
import type { ForStmt, Reduction } from "./reduction";
import type { Sweeps } from "./sweeps";

/** The comment over an iteration's reverse code, that the tape report looks for. */
export const inPlaceNote = "reversed in place";

/**
 * The loop reversed in place, or undefined where it is not worth it or cannot be; `again`
 * builds the body's sweeps anew once the plan no longer keeps what the loop need not.
 */
export function reversedInPlace(cx: ReverseContext, loop: ForStmt, reduction: Reduction, plan: Plan, inner: Sweeps, redo: Stmt[], again: () => Sweeps): Sweeps | undefined {
  // unless it calls a function's halves or saves in an inner loop, the loop reversed as usual costs less than per-loop adjoints
  if (!usesTape(inner.forward) || !adjointsReached(cx, loop, reduction.accumulator, inner, redo)) return undefined;
  // the accumulator is never put back: what follows the loop reads its final value, and nothing before it reads it
  for (const s of walk(loop.body)) if (s.kind === "assign" && s.target === reduction.accumulator) plan.saves.delete(s), plan.steps.delete(s);
  // nor what an iteration overwrites of the one before (a refill of a scratch array, a local): it reads only its own values
  plan.isolate(loop);
  return inPlace(cx, loop, reduction, again(), redo);
}

/** The adjoints an iteration's code reaches: the loop's own, and those from outside it (numbers' and flat arrays', or undefined). */
function adjointsReached(cx: ReverseContext, loop: ForStmt, accumulator: string, inner: Sweeps, redo: Stmt[]): { own: string[]; outside: string[] } | undefined {
  const written = assignedNames([loop]);
  for (const s of walk(loop.body)) {
    const object = writtenObject(s);
    if (object) written.add(object);
  }
  const bar = cx.bar(accumulator);
  const reached = new Set<string>();
  for (const s of walk([...inner.forward, ...redo, ...inner.reverse])) {
    for (const name of [...stmtReads(s), ...(s.kind === "assign" ? [s.target] : []), writtenObject(s) ?? ""]) if (cx.primalOf.has(name) && name !== bar) reached.add(name);
  }
  const own = [...reached].filter((name) => written.has(cx.primalOf.get(name)!));
  const outside = [...reached].filter((name) => !written.has(cx.primalOf.get(name)!));
  return outside.every((name) => shapeOf(cx, name).kind === "number" || isFlatArray(shapeOf(cx, name))) ? { own, outside } : undefined;
}

const shapeOf = (cx: ReverseContext, adjoint: string) => cx.vars.get(adjoint)?.shape ?? cx.shapeOf(cx.primalOf.get(adjoint)!);

function inPlace(cx: ReverseContext, loop: ForStmt, reduction: Reduction, inner: Sweeps, redo: Stmt[]): Sweeps {
  const { accumulator, adjoint } = reduction;
  const { own, outside } = adjointsReached(cx, loop, accumulator, inner, redo)!;
  const origin = loop.origin;
  const bar = cx.bar(accumulator);
  const seed = cx.fresh(nameOf.perLoop(bar, loop.index), "number", "number");
  const renamed = new Map<string, string>([[bar, seed]]);
  const before: Stmt[] = [];
  const after: Stmt[] = [];
  // the loop's own numbers: their adjoints start each iteration's reverse at zero, as in the reverse sweep
  for (const name of own) if (shapeOf(cx, name).kind === "number") before.push({ kind: "assign", target: name, value: lit("0"), origin });
  // seeded with s̄ itself when it is known, the iteration's adjoints need no scaling afterwards
  const scaled = (e: Expr) => (adjoint ? e : op("*", v(bar), e));
  for (const name of outside) {
    const shape = shapeOf(cx, name);
    // an array's adjoint that nothing after the loop zeroes or reads (its array is not written after the loop) takes
    // the iteration's adjoints straight in: the reverse sweep only adds into it until the loop's place
    if (adjoint && isFlatArray(shape) && !reduction.changedAfter.has(cx.primalOf.get(name)!)) continue;
    const sum = cx.fresh(nameOf.perLoop(name, loop.index), shape.kind === "number" ? "number" : "reference", cx.vars.get(name)?.typeText ?? "number", shape);
    renamed.set(name, sum);
    if (shape.kind === "number") {
      before.push({ kind: "assign", target: sum, value: lit("0"), origin });
      after.push(accumulate(name, scaled(v(sum)), origin));
    } else {
      before.push({ kind: "assign", target: sum, value: cx.runtimeCall("zerosLike", v(cx.primalOf.get(name)!)), origin });
      const k = cx.fresh(nameOf.elementIndex, "number", "number");
      const element = { kind: "index" as const, index: v(k) };
      const add: Stmt = { kind: "store", object: name, key: element, value: scaled({ kind: "get", object: v(sum), key: element }), accumulate: "+", origin };
      after.push({ kind: "for", index: k, start: lit("0"), end: { kind: "length", object: v(sum) }, step: 1, body: [add], origin, integralEnd: true });
    }
  }
  const rename = (s: Stmt): Stmt => {
    const r = renameStmt(s, (name) => renamed.get(name) ?? name);
    if (r.kind === "if") return { ...r, then: r.then.map(rename), else: r.else.map(rename) };
    if (r.kind === "loop") return { ...r, test: r.test.map(rename), body: r.body.map(rename) };
    if (r.kind === "for") return { ...r, body: r.body.map(rename) };
    return r;
  };
  const body: Stmt[] = [
    ...inner.forward.map(rename),
    { kind: "comment", text: `${inPlaceNote}: the loop only adds into ${accumulator}, so each iteration's adjoint runs now, for ${adjoint ? `${bar}, known already` : `a unit ${bar}`}`, origin: -1 },
    { kind: "assign", target: seed, value: adjoint ?? lit("1"), origin },
    ...redo.map(rename),
    ...inner.reverse.map(rename),
  ];
  return { forward: [...before, { ...loop, body }], reverse: after };
}

/** Whether forward code calls a callee's forward half (which keeps what its reverse half needs) or saves inside a loop. */
function usesTape(forward: readonly Stmt[]): boolean {
  const calls = (e: Expr): boolean => (e.kind === "call" && e.callee.kind === "generated") || children(e).some(calls);
  if ([...walk(forward)].some((s) => stmtExprs(s).some(calls))) return true;
  return forward.some((s) => (s.kind === "for" || s.kind === "loop" || s.kind === "if") && [...walk([s])].some((t) => t.kind === "save"));
}
