/**
 * Reverse mode: a primal IR function to generated IR functions that run a forward sweep
 * (the primal with its shadows, keeping what the reverse sweep needs) and then a reverse
 * sweep (one adjoint block per primal statement, in reverse order).
 *
 * Input: the primal, its activity for the parameters asked for, and what to generate:
 * - `grad` / `valueAndGrad`: one function specialised to `wrt`;
 * - `adjoint`: the cotangents of every parameter given the result's (`vjp` uses it);
 * - `split`: the two halves calls use (split.ts), specialised to the call's active
 *   arguments.
 * Output: OutFunctions (IR), simplified and printed by emit/. Invariants: derivative code
 * only for active variables; see plan.ts for what is saved and why.
 */
import type { Activity } from "../ir/activity";
import { barrier, lit, tuple, v, type Expr, type IrFunction, type OutFunction, type Stmt } from "../ir/ir";
import { structureOf } from "../ir/structure";
import type { Rule } from "../front/rules";
import { nameOf, type Names } from "../naming";
import { simplify } from "../emit/simplify";
import { fuseSweepLoops } from "./fuse-sweep";
import { zeroKnownAdjoints } from "./zero-adjoints";
import { reuseRepeatedValues } from "./repeated-values";
import type { FunctionPurity } from "../ir/purity";
import { adjointOf } from "./adjoints";
import { callAdjoint, callForward, callReversed, isDifferentiableCall, unreversedCallAdjoint } from "./calls";
import { ReverseContext, type Callees } from "./context";
import { plan, type Unit } from "./plan";
import { planView } from "./plan-view";
import { shadowOps, zeroShadow } from "./shadows";
import { splitHalves } from "./split";
import { sweeps } from "./sweeps";
import { reductions } from "./reduction";

export type ReverseKind = "grad" | "valueAndGrad" | "adjoint" | "split";

export interface ReverseRequest {
  kind: ReverseKind;
  /** the generated function's name (the forward half's, for `split`) */
  name: string;
  /** for `split`: the reverse half's name */
  reverseName?: string;
  /** parameter indices differentiated */
  wrt: number[];
  /** `wrt` was given as an array, so the gradient is a tuple */
  many: boolean;
  exported: boolean;
  doc: string;
}

export interface ReverseInputs {
  fn: IrFunction;
  activity: Activity;
  rules: ReadonlyMap<string, Rule>;
  /** the names of the output file, that local names must avoid */
  names: Names;
  callees: Callees;
  runtime: () => string;
  /**
   * return the joint function as generated, before simplification (`inspect --stage
   * reverse`), or the primal with its save plan (`--stage plan`)
   */
  raw?: boolean | "plan";
}

export function generateReverse(inputs: ReverseInputs, request: ReverseRequest): OutFunction[] {
  const { fn, activity } = inputs;
  const cx = new ReverseContext(fn, activity, inputs.rules, inputs.names, inputs.callees, inputs.runtime);
  const split = request.kind === "split";
  const resultIsReference = fn.result.type === "reference";
  const seedName = request.kind === "adjoint" || (split && !resultIsReference) ? cx.fresh(nameOf.seed, fn.result.type === "number" ? "number" : "reference", fn.result.tangentText) : undefined;
  const seed: Expr = seedName ? v(seedName) : lit("1");

  const structure = structureOf(fn);
  const units = new Map<Stmt, Unit>();
  for (const s of structure.all) {
    if (s.kind === "if" || s.kind === "loop" || s.kind === "for") continue;
    if (isDifferentiableCall(s)) {
      units.set(s, callReversed(cx, s) ? { forward: callForward(cx, s), adjoint: callAdjoint(cx, s) } : { forward: [s], adjoint: unreversedCallAdjoint(cx, s) });
    } else if (s.kind === "return") {
      units.set(s, { forward: [], adjoint: split && resultIsReference ? [] : adjointOf(cx, s, seed) });
    } else {
      units.set(s, { forward: [s, ...shadowOps(cx, s)], adjoint: adjointOf(cx, s, seed) });
    }
  }
  const saving = plan(cx, structure, units, inputs.callees.purity);
  if (inputs.raw === "plan") return [planView(fn, saving, request.doc)];
  // a split function's halves would have to carry the per-loop adjoints across: its loops are reversed as usual
  const inPlace = split ? new Map() : reductions(fn, (name) => activity.isActive(name), inputs.callees.purity, seed);
  const { forward, reverse } = sweeps(cx, fn.body, units, saving, inPlace);

  const activeRef = (i: number) => fn.params[i].type === "reference" && activity.isActive(fn.params[i].name);
  const shadowParams = request.wrt.filter(activeRef).map((i) => cx.bar(fn.params[i].name));
  // an array parameter not differentiated with respect to can still be active (a copy of it
  // is written with active values): its shadow is local, and its adjoint dropped
  const localShadows = fn.params.flatMap((p, i) => (activeRef(i) && !request.wrt.includes(i) ? [cx.bar(p.name)] : []));
  const ret = fn.body.at(-1) as Extract<Stmt, { kind: "return" }>;
  const value = cx.fresh(nameOf.value, fn.result.type, fn.result.typeText, fn.result.shape);
  const returned = ret.value;
  const origin = ret.origin;

  const body: Stmt[] = [];
  for (const name of [...(split ? [] : shadowParams), ...localShadows]) {
    body.push({ kind: "assign", target: name, value: cx.runtimeCall("zerosLike", v(cx.primalOf.get(name)!)), origin: -1 });
  }
  body.push(barrier("forward sweep"), ...forward, { kind: "assign", target: value, value: returned, origin });
  body.push(barrier("reverse sweep"));
  for (const [name, variable] of [...cx.vars]) {
    if (variable.type === "number" && activity.isActive(name) && variable.role !== "generated") body.push({ kind: "assign", target: cx.bar(name), value: lit("0"), origin: -1 });
  }
  body.push(...reverse);

  const gradientOf = (i: number): Expr => {
    const p = fn.params[i];
    if (p.type === "inactive") return lit("null");
    if (activity.isActive(p.name)) return cx.barVar(p.name);
    return p.type === "number" ? lit("0") : zeroShadow(cx, v(p.name), p.shape);
  };
  const gradient = request.many ? tuple(request.wrt.map(gradientOf)) : gradientOf(request.wrt[0]);
  const gradientType = request.many ? `[${request.wrt.map((i) => fn.params[i].tangentText).join(", ")}]` : fn.params[request.wrt[0]].tangentText;

  const params = fn.params.map(({ name, typeText, initText, optional }) => ({ name, typeText, ...(initText ? { initText } : {}), ...(optional ? { optional } : {}) }));
  const out: OutFunction = {
    name: request.name,
    doc: request.doc,
    exported: request.exported,
    self: fn.self,
    params: [
      ...params,
      ...(split ? shadowParams.map((name) => ({ name, typeText: cx.vars.get(name)!.typeText })) : []),
      ...(seedName ? [{ name: seedName, typeText: fn.result.tangentText }] : []),
    ],
    returnTypeText: gradientType,
    vars: cx.vars,
    body,
    origins: fn.origins,
    guarded: true,
  };
  const allParams = fn.params.map((_, i) => i);
  const finish = (done: OutFunction) => (inputs.raw ? [done] : [optimiseSweep(simplify(done, inputs.callees.purity), inputs.callees.purity, () => cx.temp("number", "number"))]);
  switch (request.kind) {
    case "grad":
      body.push({ kind: "return", value: gradient, origin: -1 });
      break;
    case "valueAndGrad":
      body.push({ kind: "return", value: tuple([v(value), gradient]), origin: -1 });
      out.returnTypeText = `[${fn.result.typeText}, ${gradientType}]`;
      break;
    case "adjoint":
      body.push({ kind: "return", value: tuple(allParams.map(gradientOf)), origin: -1 });
      out.returnTypeText = `[${fn.params.map((p) => p.tangentText).join(", ")}]`;
      break;
    case "split": {
      // the value, the result's shadow and the cotangents stay live through simplification
      const resultShadow = resultIsReference ? [returned.kind === "var" && activity.isActive(returned.name) ? cx.barVar(returned.name) : zeroShadow(cx, returned, fn.result.shape)] : [];
      const numbers = request.wrt.filter((i) => fn.params[i].type === "number");
      body.push({ kind: "return", value: tuple([v(value), ...resultShadow, ...numbers.map(gradientOf)]), origin: -1 });
      if (inputs.raw) return [out];
      return splitHalves(cx, simplify(out, inputs.callees.purity), { request, shadowParams, seedName, resultIsReference, numbers: numbers.length });
    }
  }
  return finish(out);
}

/** The reverse loops fused where legal, adjoint elements known to be zero assigned and forwarded, values repeated in a loop body reused, and the result simplified. */
function optimiseSweep(fn: OutFunction, purity: FunctionPurity, temp: () => string): OutFunction {
  const fused = fuseSweepLoops(fn, purity) > 0;
  const zeros = zeroKnownAdjoints(fn, temp);
  return reuseRepeatedValues(fn, purity) || zeros || fused ? simplify(fn, purity) : fn;
}
