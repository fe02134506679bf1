/**
 * The two sweeps, assembled from the units and the save plan.
 *
 * Input: the primal IR, each simple statement's unit (forward and adjoint statements) and
 * the plan. Output: the forward sweep (the primal with its shadows, each saving statement
 * preceded by its save, each replayed loop counting its trips) and the reverse sweep (the
 * adjoints in reverse order, each followed by the restores of what its forward statements
 * overwrote, redone values computed just before the adjoint that reads them; an `if` tests
 * its condition again, a counted loop runs backwards on its own index, a general loop
 * replays its trip count). Structure mirrors the source: this is where "loops keep their
 * shape" happens.
 */
import { lit, op, v, type Expr, type IrVar, type Stmt, type TapeKind } from "../ir/ir";
import type { ReverseContext } from "./context";
import type { Plan, Unit } from "./plan";

export interface Sweeps {
  forward: Stmt[];
  reverse: Stmt[];
}

export function sweeps(cx: ReverseContext, body: readonly Stmt[], units: Map<Stmt, Unit>, plan: Plan): Sweeps {
  const forward: Stmt[] = [];
  const reverse: Stmt[] = [];
  for (const s of body) {
    const { forward: f, reverse: r } = statement(cx, s, units, plan);
    forward.push(...f);
    reverse.unshift(...r);
  }
  return { forward, reverse };
}

function statement(cx: ReverseContext, s: Stmt, units: Map<Stmt, Unit>, plan: Plan): Sweeps {
  const origin = s.origin;
  switch (s.kind) {
    case "if": {
      const then = sweeps(cx, s.then, units, plan);
      const otherwise = sweeps(cx, s.else, units, plan);
      const forward: Stmt[] = [{ ...s, then: then.forward, else: otherwise.forward }];
      if (!plan.reversed.has(s)) return { forward, reverse: [] };
      return { forward, reverse: [{ ...s, then: then.reverse, else: otherwise.reverse }] };
    }
    case "for": {
      const inner = sweeps(cx, s.body, units, plan);
      const forward: Stmt[] = [{ ...s, body: inner.forward }];
      if (!plan.reversed.has(s)) return { forward, reverse: [] };
      const ceil = (e: Expr): Expr => (s.integralEnd ? e : { kind: "call", callee: { kind: "rule", text: "Math.ceil", rule: "Math.ceil" }, args: [e] });
      const backwards: Stmt =
        s.step === 1
          ? { kind: "for", index: s.index, start: op("-", ceil(s.end), lit("1")), end: s.start, step: -1, body: inner.reverse, origin, integralEnd: true }
          : { kind: "for", index: s.index, start: ceil(s.end), end: op("+", s.start, lit("1")), step: 1, body: inner.reverse, origin, integralEnd: true };
      return { forward, reverse: [backwards] };
    }
    case "loop": {
      const test = sweeps(cx, s.test, units, plan);
      const body = sweeps(cx, s.body, units, plan);
      const counter = plan.trips.get(s);
      if (!counter) return { forward: [{ ...s, test: test.forward, body: body.forward }], reverse: [] };
      const reset = withSave(cx, counter.reset, s, plan);
      const forward: Stmt[] = [...reset.before, counter.reset, { ...s, test: test.forward, body: [...body.forward, counter.step] }];
      const decrement: Stmt = { kind: "assign", target: counter.counter, value: op("-", v(counter.counter), lit("1")), origin };
      const replay: Stmt = { kind: "loop", test: [], cond: op(">", v(counter.counter), lit("0")), body: [...body.reverse, ...test.reverse, decrement], origin };
      return { forward, reverse: [...test.reverse, replay, ...reset.after] };
    }
    default: {
      const unit = units.get(s) ?? { forward: [s], adjoint: [] };
      const forward: Stmt[] = [];
      const restores: Stmt[] = [];
      for (const f of unit.forward) {
        const { before, after } = withSave(cx, f, s, plan);
        forward.push(...before, f);
        restores.unshift(...after);
      }
      const redo = (plan.recompute.get(s) ?? []).map((d) => ({ ...d }));
      const step = plan.steps.get(s);
      const undo: Stmt[] = step && s.kind === "assign" ? [{ kind: "assign", target: s.target, value: step, origin }] : [];
      return { forward, reverse: [...redo, ...unit.adjoint, ...restores, ...undo] };
    }
  }
}

/** The tape a value of this variable goes on. */
function tapeOf(variable: IrVar | undefined): TapeKind {
  if (!variable || variable.type === "number" || variable.typeText === "number") return "number";
  return variable.typeText === "boolean" ? "boolean" : "reference";
}

/** The save before a forward statement the plan marked, and the restore after its adjoint. */
function withSave(cx: ReverseContext, f: Stmt, primal: Stmt, plan: Plan): { before: Stmt[]; after: Stmt[] } {
  const how = plan.saves.get(f);
  if (!how) return { before: [], after: [] };
  const origin = primal.origin;
  const keep = (value: Expr, variable: IrVar | undefined, base: string): { before: Stmt; restored: Expr } => {
    const tape = tapeOf(variable);
    if (how === "tape") {
      const typeText = tape === "reference" ? variable?.typeText : undefined;
      const pair = cx.pair();
      return { before: { kind: "save", tape, value, origin, pair }, restored: { kind: "restore", tape, pair, ...(typeText ? { typeText } : {}) } };
    }
    const slot = cx.fresh(`${base}_old`, variable?.type ?? "number", variable?.typeText ?? "number", variable?.shape);
    return { before: { kind: "assign", target: slot, value, origin }, restored: v(slot) };
  };
  switch (f.kind) {
    case "assign": {
      if (f.value.kind === "pop") {
        return { before: [], after: [{ kind: "push", object: (f.value.object as { name: string }).name, value: v(f.target), origin }] };
      }
      const variable = cx.vars.get(f.target);
      const { before, restored } = keep(v(f.target), variable, f.target);
      return { before: [before], after: [{ kind: "assign", target: f.target, value: restored, origin }] };
    }
    case "store": {
      const element: Expr = { kind: "get", object: v(f.object), key: f.key };
      const shape = cx.shapeOf(f.object);
      const elementShape = shape.kind === "array" ? shape.element : { kind: "number" as const };
      const variable: IrVar | undefined = elementShape.kind === "number" ? undefined : { name: "", role: "generated", type: "reference", typeText: "unknown", shape: elementShape };
      const { before, restored } = keep(element, variable, f.object);
      return { before: [before], after: [{ kind: "store", object: f.object, key: f.key, value: restored, origin }] };
    }
    case "push":
      return { before: [], after: [{ kind: "effect", value: { kind: "pop", object: v(f.object) }, origin }] };
    case "fill":
    case "set": {
      const variable = cx.vars.get(f.object);
      const copy: Expr = { kind: "clone", ctor: "slice", object: v(f.object) };
      const { before, restored } = keep(copy, variable && { ...variable, type: "reference" }, f.object);
      return { before: [before], after: [{ kind: "effect", value: cx.runtimeCall("copyInto", v(f.object), restored), origin }] };
    }
    default:
      return { before: [], after: [] };
  }
}
