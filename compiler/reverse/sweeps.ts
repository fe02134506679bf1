/**
 * The two sweeps, assembled from the units and the save plan.
 *
 * Input: the primal IR, each simple statement's unit (forward and adjoint statements) and
 * the plan. Output: the forward sweep (the primal with its shadows, each saving statement
 * preceded by its save, each replayed loop counting its trips) and the reverse sweep (the
 * adjoints in reverse order, each followed by the restores of what its forward statements
 * overwrote, redone values computed just before the adjoint that reads them; an `if` tests
 * its condition again, a counted loop runs backwards on its own index, a general loop
 * replays its trip count; a reduction loop runs each iteration's reverse code right after it,
 * in the forward sweep — inplace.ts; a running maximum reverses at the iteration that last changed it — extremum.ts). Structure mirrors the source: this is where "loops keep
 * their shape" happens.
 */
import { ceiling, lit, op, v, type Expr, type IrVar, type Stmt, type TapeKind } from "../ir/ir";
import { exprReads, stmtExprs, stmtReads } from "../ir/traverse";
import type { ReverseContext } from "./context";
import { nameOf } from "../naming";
import type { Plan, Unit } from "./plan";
import { reversedInPlace } from "./inplace";
import { runningExtremum } from "./extremum";
import type { ForStmt, Reduction } from "./reduction";

export interface Sweeps {
  forward: Stmt[];
  reverse: Stmt[];
}

/** `inPlace`: the reduction loops to reverse in place (reduction.ts) */
export function sweeps(cx: ReverseContext, body: readonly Stmt[], units: Map<Stmt, Unit>, plan: Plan, inPlace: ReadonlyMap<ForStmt, Reduction> = new Map()): Sweeps {
  const forward: Stmt[] = [];
  // the statements' reverse code, last statement first (collected, then joined once: linear)
  const reversed: Stmt[][] = [];
  for (const s of body) {
    const { forward: f, reverse: r } = statement(cx, s, units, plan, inPlace);
    for (const x of f) forward.push(x);
    reversed.push(r);
  }
  return { forward, reverse: reversed.reverse().flat() };
}

function statement(cx: ReverseContext, s: Stmt, units: Map<Stmt, Unit>, plan: Plan, inPlace: ReadonlyMap<ForStmt, Reduction>): Sweeps {
  const origin = s.origin;
  switch (s.kind) {
    case "if": {
      const then = sweeps(cx, s.then, units, plan, inPlace);
      const otherwise = sweeps(cx, s.else, units, plan, inPlace);
      const forward: Stmt[] = [{ ...s, then: then.forward, else: otherwise.forward }];
      // values redone at a branch hold for the reverse code after it, even where the branch has none
      if (!plan.reversed.has(s)) return { forward, reverse: redo(s, plan) };
      return { forward, reverse: [...redo(s, plan), { ...s, then: then.reverse, else: otherwise.reverse }] };
    }
    case "for": {
      const inner = sweeps(cx, s.body, units, plan, inPlace);
      const forward: Stmt[] = [{ ...s, body: inner.forward }];
      if (!plan.reversed.has(s)) return { forward, reverse: redo(s, plan) };
      const extremum = runningExtremum(cx, s);
      if (extremum) return extremum;
      const reduction = inPlace.get(s);
      const done = reduction && reversedInPlace(cx, s, reduction, plan, inner, redo(s, plan), () => sweeps(cx, s.body, units, plan, inPlace));
      if (done) return done;
      const ceil = (e: Expr): Expr => (s.integralEnd ? e : ceiling(e));
      const backwards: Stmt =
        s.step === 1
          ? { kind: "for", index: s.index, start: op("-", ceil(s.end), lit("1")), end: s.start, step: -1, body: inner.reverse, origin, integralEnd: true }
          : { kind: "for", index: s.index, start: ceil(s.end), end: op("+", s.start, lit("1")), step: 1, body: inner.reverse, origin, integralEnd: true };
      return { forward, reverse: [...redo(s, plan), backwards] };
    }
    case "loop": {
      const test = sweeps(cx, s.test, units, plan, inPlace);
      const body = sweeps(cx, s.body, units, plan, inPlace);
      const counter = plan.trips.get(s);
      if (!counter) return { forward: [{ ...s, test: test.forward, body: body.forward }], reverse: redo(s, plan) };
      const reset = withSave(cx, counter.reset, s, plan);
      const forward: Stmt[] = [...reset.before, counter.reset, { ...s, test: test.forward, body: [...body.forward, counter.step] }];
      const decrement: Stmt = { kind: "assign", target: counter.counter, value: op("-", v(counter.counter), lit("1")), origin };
      const replay: Stmt = { kind: "loop", test: [], cond: op(">", v(counter.counter), lit("0")), body: [...body.reverse, ...test.reverse, decrement], origin };
      return { forward, reverse: [...test.reverse, replay, ...reset.after] };
    }
    default: {
      const unit = units.get(s) ?? { forward: [s], adjoint: [] };
      // A call's forward half leaves entries on the tapes that its reverse half, in the
      // adjoint, takes back; the unit's restores follow the adjoint, so its saves go first,
      // before the call, wherever what they save is not written earlier in the unit.
      const saved: Stmt[] = [];
      const forward: Stmt[] = [];
      const restores: Stmt[] = [];
      const written = new Set<string>();
      for (const f of unit.forward) {
        const { before, after } = withSave(cx, f, s, plan);
        const early = before.every((b) => stmtReads(b).every((n) => !written.has(n)));
        (early ? saved : forward).push(...before);
        forward.push(f);
        restores.unshift(...after);
        for (const n of writtenBy(f)) written.add(n);
      }
      forward.unshift(...saved);
      const step = plan.steps.get(s);
      const undo: Stmt[] = step && s.kind === "assign" ? [{ kind: "assign", target: s.target, value: step, origin }] : [];
      return { forward, reverse: [...redo(s, plan), ...unit.adjoint, ...restores, ...undo] };
    }
  }
}

/** What a forward statement may change: its target, the array it writes, a callee's arguments. */
function writtenBy(f: Stmt): string[] {
  const calls = stmtExprs(f).flatMap((e) => (e.kind === "call" ? exprReads(e) : []));
  if (f.kind === "assign") return [f.target, ...calls];
  if (f.kind === "store" || f.kind === "push" || f.kind === "fill" || f.kind === "set") return [f.object, ...calls];
  if (f.kind === "effect" && f.value.kind === "pop" && f.value.object.kind === "var") return [f.value.object.name];
  return calls;
}

/** The values computed again just before a statement's reverse code reads them, under its `adjoint of:` comment. */
const redo = (s: Stmt, plan: Plan): Stmt[] => (plan.recompute.get(s) ?? []).map((d) => ({ ...d, origin: s.origin }));

/** The tape a value of this variable goes on. */
function tapeOf(variable: IrVar | undefined): TapeKind {
  if (!variable || variable.type === "number" || variable.typeText === "number") return "number";
  return variable.typeText === "boolean" ? "boolean" : "reference";
}

/** The saves before a forward statement the plan marked, and the restores after its adjoint. */
function withSave(cx: ReverseContext, f: Stmt, primal: Stmt, plan: Plan): { before: Stmt[]; after: Stmt[] } {
  const variable = plan.saves.get(f);
  const contents = plan.keeps.get(f);
  const before: Stmt[] = [];
  const after: Stmt[] = [];
  const origin = primal.origin;
  const keep = (how: "local" | "tape", value: Expr, variable: IrVar | undefined, base: string): Expr => {
    const tape = tapeOf(variable);
    if (how === "tape") {
      const typeText = tape === "reference" ? variable?.typeText : undefined;
      const pair = cx.pair();
      before.push({ kind: "save", tape, value, origin, pair });
      return { kind: "restore", tape, pair, ...(typeText ? { typeText } : {}) };
    }
    const slot = cx.fresh(nameOf.saved(base), variable?.type ?? "number", variable?.typeText ?? "number", variable?.shape);
    before.push({ kind: "assign", target: slot, value, origin });
    return v(slot);
  };
  // what the array held: put back first in reverse, after the variable
  if (contents) {
    switch (f.kind) {
      case "assign":
        if (f.value.kind === "pop" && f.value.object.kind === "var") after.push({ kind: "push", object: f.value.object.name, value: v(f.target), origin });
        break;
      case "store": {
        const shape = cx.shapeOf(f.object);
        const elementShape = shape.kind === "array" ? shape.element : { kind: "number" as const };
        const holder: IrVar | undefined = elementShape.kind === "number" ? undefined : { name: "", role: "generated", type: "reference", typeText: "unknown", shape: elementShape };
        const restored = keep(contents, { kind: "get", object: v(f.object), key: f.key }, holder, f.object);
        after.push({ kind: "store", object: f.object, key: f.key, value: restored, origin });
        break;
      }
      case "push":
        after.push({ kind: "effect", value: { kind: "pop", object: v(f.object) }, origin });
        break;
      case "fill":
      case "set": {
        const holder = cx.vars.get(f.object);
        const restored = keep(contents, { kind: "clone", ctor: "slice", object: v(f.object) }, holder && { ...holder, type: "reference" }, f.object);
        after.push({ kind: "effect", value: cx.runtimeCall("copyInto", v(f.object), restored), origin });
        break;
      }
    }
  }
  if (variable && f.kind === "assign") {
    const restored = keep(variable, v(f.target), cx.vars.get(f.target), f.target);
    after.push({ kind: "assign", target: f.target, value: restored, origin });
  }
  return { before, after };
}
