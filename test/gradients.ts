/**
 * The checks of a fixture module's gradients, shared by the fixture tests, the regression
 * programs and the mutation fuzzer.
 *
 * Input: a fixture module's exports (`points`: target → argument lists; optional
 * `integerArgs`: target → indices of integer-valued parameters, `constantArgs`: target →
 * indices of parameters grad holds fixed, though they may hold numbers, and `withEffects`:
 * targets that call something with effects, whose vjp (which would run them again) is a
 * compile error, ADG2006, and is left out), and the transforms a
 * driver module (`driverText`) applies to each target once compiled. Output: per target
 * and point, `undefined` when the check passes or a sentence saying what is wrong and
 * where. Invariants: every argument is copied before a call, so a function that writes
 * into its inputs cannot corrupt a check; a check never throws (a throw is a failure); each
 * check starts from tapes of one value's room (`tinyTapes`), so that a push generated
 * without room reserved for it writes past the buffer's end and fails the check.
 *
 * A target is the name of an exported function (`"loss"`), or `"receiver.method"` for a
 * method reached through an export: an instance (`"affine.apply"`), a class for a static
 * method (`"Polynomial.logistic"`) or an object literal (`"model.f"`); it is called with
 * `this` = that receiver. Integer parameters are differentiated like any `number`, but a
 * finite-difference step would change the program's path, so their gradients need only be
 * finite numbers of the argument's shape.
 */
import { checkGrad, type CheckGradResult } from "../runtime";
import { tinyTapes } from "./harness";
import { along, combine, copy, cotangentLike, describe, dot, hasFloat32, isDifferentiable, random, scale, scramble } from "./tangents";

/** Functions and transforms under test, called with values of any shape. */
export type Fn = (...args: any[]) => any;

export interface Target {
  /** unique within a driver: names its transforms (`vjp<id>`) */
  id: number;
  module: string;
  /** `fn` or `receiver.method` */
  name: string;
  points: unknown[][];
  /** per parameter: whether it carries a derivative (by its value at the first point) */
  differentiable: boolean[];
  /** indices of parameters grad holds fixed (vjp still gives their cotangents) */
  constant: number[];
  /** it calls something with effects: no vjp */
  effects: boolean;
  /** indices of integer-valued parameters: differentiated, not checked by finite differences */
  integer: number[];
  /** the result is a number: grad and valueAndGrad apply */
  scalar: boolean;
  /** some argument or the result holds a Float32Array */
  float32: boolean;
}

/** A target compiled: the function, and the driver's transforms of it, bound to its receiver. */
export interface Transforms {
  f: Fn;
  /** absent unless the target is scalar with a differentiable parameter */
  grad?: Fn;
  valueAndGrad?: Fn;
  /** absent for a target with effects */
  vjp?: Fn;
  jvp?: Fn;
  /** like grad */
  hvp?: Fn;
}

// Finite differences in float64: steps of 1e-6 leave errors far below this.
const defaultTolerance = 1e-6;
// Anything touching a Float32Array is rounded to float32 (relative 6e-8) on every store, so with
// a step of 1e-6 the difference quotient would be mostly rounding noise. checkGrad's float32
// step, 1e-3, is used for every leaf of such a function: rounding noise and truncation error are
// then both ~1e-5 of the derivative, checked with room to spare.
const float32Tolerance = 1e-3;
export const float64Step = 1e-6;
export const float32Step = 1e-3;
// Pullbacks are linear: scaling the cotangent scales every cotangent, up to rounding (float64),
// or up to float32 rounding of the values stored in Float32Arrays along the way.
const linearityTolerance = 1e-10;
const float32LinearityTolerance = 1e-5;

/** The targets a module's `points` name; `nextId` numbers them. */
export function targetsOf(module: string, exports: Record<string, any>, nextId: () => number): Target[] {
  const points = (exports.points ?? {}) as Record<string, unknown[][]>;
  const integerArgs = (exports.integerArgs ?? {}) as Record<string, number[]>;
  const constantArgs = (exports.constantArgs ?? {}) as Record<string, number[]>;
  const withEffects = (exports.withEffects ?? []) as string[];
  return Object.entries(points).map(([name, list]) => {
    const { receiver, fn } = resolveTarget(exports, name);
    const first = list[0] ?? [];
    const result: unknown = list.length > 0 ? fn.apply(receiver, copy(first)) : undefined;
    return {
      id: nextId(),
      module,
      name,
      points: list,
      differentiable: first.map(isDifferentiable),
      constant: constantArgs[name] ?? [],
      effects: withEffects.includes(name),
      integer: integerArgs[name] ?? [],
      scalar: typeof result === "number",
      float32: hasFloat32(result) || list.some((args) => args.some(hasFloat32)),
    };
  });
}

/** Indices of the differentiable parameters: grad's `wrt`. */
export const wrtOf = (t: Target) => t.differentiable.flatMap((d, j) => (d && !t.constant.includes(j) ? [j] : []));
/** Those of them checked against finite differences. */
export const checkedOf = (t: Target) => wrtOf(t).filter((j) => !t.integer.includes(j));
/** The finite-difference step of a target. */
export const stepOf = (t: Target) => (t.float32 ? float32Step : float64Step);

/**
 * A driver: `vjp<id>` for every target without effects, `grad<id>` and (unless
 * `withValueAndGrad` is false) `valueAndGrad<id>` for scalar ones; with `forward`, also
 * `jvp<id>` for every target and `hvp<id>` for scalar ones.
 */
export function driverText(targets: readonly Target[], specifier: (module: string) => string, withValueAndGrad = true, forward = true): string {
  const lines = [`import { grad, valueAndGrad, vjp${forward ? ", jvp, hvp" : ""} } from "adgen";`];
  for (const t of targets) {
    const [head, ...rest] = t.name.split(".");
    lines.push(`import { ${head} as target${t.id} } from ${JSON.stringify(specifier(t.module))};`);
    const target = [`target${t.id}`, ...rest].join(".");
    if (!t.effects) lines.push(`export const vjp${t.id} = vjp(${target});`);
    if (forward) lines.push(`export const jvp${t.id} = jvp(${target});`);
    const wrt = `[${wrtOf(t).join(", ")}]`;
    if (t.scalar && wrtOf(t).length > 0) {
      lines.push(`export const grad${t.id} = grad(${target}, { wrt: ${wrt} });`);
      if (withValueAndGrad) lines.push(`export const valueAndGrad${t.id} = valueAndGrad(${target}, { wrt: ${wrt} });`);
      if (forward) lines.push(`export const hvp${t.id} = hvp(${target}, { wrt: ${wrt} });`);
    }
  }
  return lines.join("\n") + "\n";
}

/** The target in a loaded module and its transforms in the loaded driver. */
export function transformsOf(t: Target, module: Record<string, any>, driver: Record<string, any>): Transforms {
  const { receiver, fn } = resolveTarget(module, t.name);
  const bound = (g: unknown): Fn => {
    if (typeof g !== "function") throw new Error(`the driver has no function for ${t.name}`);
    return (...args: unknown[]) => (g as Fn).apply(receiver, args);
  };
  const transform = (name: string) => (typeof driver[`${name}${t.id}`] === "function" ? bound(driver[`${name}${t.id}`]) : undefined);
  return { f: bound(fn), grad: transform("grad"), valueAndGrad: transform("valueAndGrad"), vjp: transform("vjp"), jvp: transform("jvp"), hvp: transform("hvp") };
}

/** `"fn"` or `"receiver.method"` in a module's exports. */
export function resolveTarget(exports: Record<string, any>, name: string): { receiver: unknown; fn: Fn } {
  const parts = name.split(".");
  let receiver: any = undefined;
  let value: any = exports;
  for (const part of parts) {
    receiver = value;
    value = value?.[part];
  }
  if (typeof value !== "function") throw new Error(`points names ${name}, which is not a function`);
  return { receiver: parts.length > 1 ? receiver : undefined, fn: value as Fn };
}

/* ───────────────────────── the checks ───────────────────────── */

const at = (args: unknown[], report?: object) => `at ${describe(args)}${report ? `: ${JSON.stringify(report)}` : ""}`;

/** Runs a check, turning a throw into a failure. */
function guarded(args: unknown[], check: () => string | undefined): string | undefined {
  tinyTapes();
  try {
    return check();
  } catch (error) {
    return `threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)} ${at(args)}`;
  }
}

/** How strict a check is: the largest relative error of a finite-difference comparison (float64). */
export interface CheckOptions {
  tolerance?: number;
}

/** The prefix of a failure where finite differences disagree with themselves: no verdict on the derivative. */
export const unstable = "finite differences are unstable here";

/** grad: one finite gradient per differentiable parameter, matching finite differences. */
export function checkGradient(t: Target, fns: Transforms, args: unknown[], options: CheckOptions = {}): string | undefined {
  return guarded(args, () => {
    const { f, grad } = fns;
    if (!grad) return `no grad for ${t.name}`;
    const wrt = wrtOf(t);
    const checked = checkedOf(t);
    const gradient = grad(...copy(args)) as unknown[];
    if (!Array.isArray(gradient) || gradient.length !== wrt.length) return `grad gives ${describe(gradient)} ${at(args)}`;
    for (const [k, j] of wrt.entries()) {
      const wrong = t.integer.includes(j)
        ? closeTo(gradient[k], scale(args[j], 0), Infinity, `gradient of args[${j}]`)
        : finite(gradient[k], `gradient of args[${j}]`);
      if (wrong) return `${wrong} ${at(args)}`;
    }
    const report = finiteDifferences(t, args, f, (...a: unknown[]) => checked.map((j) => (grad(...a) as unknown[])[wrt.indexOf(j)]), options);
    return report && `${report.unstable ? `${unstable}: ` : ""}grad differs from finite differences ${at(args, report.worst)}`;
  });
}

/** valueAndGrad: the function's value and grad's gradient. */
export function checkValueAndGrad(t: Target, fns: Transforms, args: unknown[]): string | undefined {
  return guarded(args, () => {
    const { f, grad, valueAndGrad } = fns;
    if (!grad || !valueAndGrad) return `no valueAndGrad for ${t.name}`;
    const [value, gradient] = valueAndGrad(...copy(args)) as [number, unknown];
    const expected = f(...copy(args)) as number;
    if (!Object.is(value, expected)) return `valueAndGrad's value ${value}, the function's ${expected} ${at(args)}`;
    const alone = grad(...copy(args));
    if (describe(gradient) !== describe(alone)) return `valueAndGrad's gradient ${describe(gradient)}, grad's ${describe(alone)} ${at(args)}`;
    return undefined;
  });
}

/**
 * vjp: the function's value; one cotangent per parameter (null for the non-differentiable
 * ones, finite numbers for the others); the pullback of a pseudo-random cotangent matching
 * finite differences of ⟨cotangent, f(x)⟩, even when the arguments vjp was given are changed
 * before the pullback runs; linearity; and, for a scalar result, grad's
 * gradient as the pullback of 1. `point` seeds the cotangent.
 */
export function checkVjp(t: Target, fns: Transforms, args: unknown[], point: number, options: CheckOptions = {}): string | undefined {
  return guarded(args, () => {
    const { f, grad, vjp } = fns;
    if (!vjp) return `no vjp for ${t.name}`;
    const wrt = wrtOf(t);
    const checked = checkedOf(t);
    const expected: unknown = f(...copy(args));
    // the pullback differentiates at the arguments vjp was given, whatever happens to them after
    const given = copy(args);
    const [value, pullback] = vjp(...given) as [unknown, Fn];
    // (the value may be an argument itself: it is judged before the arguments change)
    if (describe(value) !== describe(expected)) return `vjp's value ${describe(value)}, the function's ${describe(expected)} ${at(args)}`;
    given.forEach(scramble);

    const ct = cotangentLike(expected, random(`${t.module}:${t.name}:${point}`));
    const cts = pullback(copy(ct)) as unknown[];
    if (!Array.isArray(cts) || cts.length !== args.length) return `pullback gives ${describe(cts)} ${at(args)}`;
    for (const [j, d] of t.differentiable.entries()) {
      const where = `cotangent of args[${j}]`;
      const wrong = !d
        ? cts[j] === null
          ? undefined
          : `${where} is ${describe(cts[j])}, not null`
        : t.integer.includes(j)
          ? closeTo(cts[j], scale(args[j], 0), Infinity, where)
          : finite(cts[j], where);
      if (wrong) return `${wrong} ${at(args)}`;
    }

    const report = finiteDifferences(
      t,
      args,
      (...a: unknown[]) => dot(ct, f(...a)),
      (...a: unknown[]) => {
        const cotangents = (vjp(...a) as [unknown, Fn])[1](copy(ct)) as unknown[];
        return checked.map((j) => cotangents[j]);
      },
      options,
    );
    if (report) {
      return `${report.unstable ? `${unstable}: ` : ""}the pullback differs from finite differences of ⟨ct, f⟩ (ct = ${describe(ct)}) ${at(args, report.worst)}`;
    }

    const scaled = pullback(scale(ct, 2.5)) as unknown[];
    const linear = t.float32 ? float32LinearityTolerance : linearityTolerance;
    for (const j of wrt) {
      const wrong = closeTo(scaled[j], scale(cts[j], 2.5), linear, `pullback(2.5·ct)[${j}]`);
      if (wrong) return `the pullback is not linear: ${wrong} ${at(args)}`;
    }

    if (t.scalar && wrt.length > 0 && grad) {
      const ones = (pullback(1) as unknown[]).filter((_, j) => wrt.includes(j));
      const gradient = grad(...copy(args));
      if (describe(ones) !== describe(gradient)) return `pullback(1) gives ${describe(ones)}, grad ${describe(gradient)} ${at(args)}`;
    }
    return undefined;
  });
}

/**
 * jvp: the function's value; a finite tangent along a pseudo-random direction (integer
 * parameters held, non-differentiable ones `null`) whose projection ⟨u, J·d⟩ matches
 * finite differences of ⟨u, f⟩ along d and, without effects, ⟨uᵀJ, d⟩ from vjp's pullback.
 */
export function checkJvp(t: Target, fns: Transforms, args: unknown[], point: number): string | undefined {
  return guarded(args, () => {
    const { f, jvp, vjp } = fns;
    if (!jvp) return `no jvp for ${t.name}`;
    const next = random(`${t.module}:${t.name}:jvp:${point}`);
    const tangents = args.map((arg, j) => (!t.differentiable[j] ? null : t.integer.includes(j) ? scale(arg, 0) : cotangentLike(arg, next)));
    const expected: unknown = f(...copy(args));
    const [value, tangent] = jvp(copy(args), copy(tangents)) as [unknown, unknown];
    if (!t.effects && describe(value) !== describe(expected)) return `jvp's value ${describe(value)}, the function's ${describe(expected)} ${at(args)}`;
    const wrong = finite(tangent, "the tangent");
    if (wrong) return `${wrong} ${at(args)}`;
    const u = cotangentLike(expected, next);
    const projected = dot(u, tangent);
    const h = stepOf(t);
    const moved = (eps: number) => dot(u, f(...args.map((arg, j) => along(arg, eps, tangents[j]))));
    const difference = (moved(h) - moved(-h)) / (2 * h);
    const differs = closeTo(projected, difference, t.float32 ? float32Tolerance : defaultTolerance, "⟨u, J·d⟩ against finite differences");
    if (differs) return `${differs} ${at(args)}`;
    if (t.effects || !vjp) return undefined;
    const cotangents = (vjp(...copy(args)) as [unknown, Fn])[1](copy(u)) as unknown[];
    const reverse = tangents.reduce<number>((sum, d, j) => (d === null ? sum : sum + dot(d, cotangents[j])), 0);
    const inconsistent = closeTo(projected, reverse, t.float32 ? float32LinearityTolerance : linearityTolerance, "⟨u, J·d⟩ against ⟨uᵀJ, d⟩ from vjp");
    return inconsistent && `${inconsistent} ${at(args)}`;
  });
}

/**
 * hvp: a finite H·v along a pseudo-random direction of the wrt parameters, matching central
 * differences of grad along v (the checked parameters), and symmetric: ⟨u, H·v⟩ = ⟨v, H·u⟩.
 */
export function checkHvp(t: Target, fns: Transforms, args: unknown[], point: number): string | undefined {
  return guarded(args, () => {
    const { grad, hvp } = fns;
    if (!grad || !hvp) return `no hvp for ${t.name}`;
    const wrt = wrtOf(t);
    const next = random(`${t.module}:${t.name}:hvp:${point}`);
    const direction = () => wrt.map((j) => (t.integer.includes(j) ? scale(args[j], 0) : cotangentLike(args[j], next)));
    const v = direction();
    const hv = hvp(...copy(args), copy(v)) as unknown[];
    if (!Array.isArray(hv) || hv.length !== wrt.length) return `hvp gives ${describe(hv)} ${at(args)}`;
    const wrong = finite(hv, "H·v");
    if (wrong) return `${wrong} ${at(args)}`;
    const h = t.float32 ? float32Step : 1e-5;
    const shifted = (eps: number) => grad(...args.map((arg, j) => (wrt.includes(j) ? along(arg, eps, v[wrt.indexOf(j)]) : copy(arg)))) as unknown[];
    const [plus, minus] = [shifted(h), shifted(-h)];
    for (const j of checkedOf(t)) {
      const k = wrt.indexOf(j);
      const differs = closeTo(hv[k], combine(1 / (2 * h), plus[k], -1 / (2 * h), minus[k]), t.float32 ? 1e-2 : 1e-5, `(H·v)[${k}] against finite differences of grad`);
      if (differs) return `${differs} ${at(args)}`;
    }
    const u = direction();
    const asymmetric = closeTo(dot(u, hv), dot(v, hvp(...copy(args), copy(u))), t.float32 ? 1e-4 : 1e-8, "⟨u, H·v⟩ against ⟨v, H·u⟩");
    return asymmetric && `${asymmetric} ${at(args)}`;
  });
}

/**
 * `gradient` (of `f` w.r.t. the checked parameters) against central finite differences:
 * undefined when they agree, else the worst of checkGrad's reports. Where the first step
 * fails, steps ten and a hundred times finer (less truncation error) and ten times coarser
 * (less rounding error, for large values) decide; a wrong gradient fails at all of them.
 * When they all fail and the two finest disagree with each other by more than 1e-3, the
 * function changes too fast for any of these steps (a huge second derivative): `unstable`.
 */
function finiteDifferences(t: Target, args: unknown[], f: Fn, gradient: Fn, options: CheckOptions): { worst: CheckGradResult; unstable: boolean } | undefined {
  const step = stepOf(t);
  const tolerance = t.float32 ? float32Tolerance : (options.tolerance ?? defaultTolerance);
  const reports: CheckGradResult[] = [];
  for (const h of [step, step / 10, step / 100, step * 10]) {
    const report = checkGrad(f, gradient as never, copy(args), { wrt: checkedOf(t), step: h });
    if (report.maxRelError < tolerance) return undefined;
    reports.push(report);
  }
  const [fine, finer] = [reports[1]!, reports[2]!];
  const drift = Math.abs(fine.numeric - finer.numeric) / Math.max(1, Math.abs(fine.numeric), Math.abs(finer.numeric));
  return { worst: reports[0]!, unstable: fine.where !== finer.where || !(drift <= 1e-3) };
}

/** Every number in `value` is finite (no NaN from, say, a field the argument does not have). */
export function finite(value: unknown, where: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${where} is ${value}`;
  if (typeof value === "object" && value !== null) {
    // An array's elements only: a program that writes at a fractional index (`a[0.5]`)
    // gives its array, and the array's adjoint, a property that is no element.
    const entries = Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>).entries() : Object.entries(value);
    for (const [key, v] of entries) {
      const wrong = finite(v, `${where}[${key}]`);
      if (wrong) return wrong;
    }
  }
  return undefined;
}

/** Same shape and types as `expected`, every number within `tol` relative to it (and finite). */
export function closeTo(actual: unknown, expected: unknown, tol: number, where: string): string | undefined {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return `${where} is ${describe(actual)}, not a number`;
    if (!Number.isFinite(actual)) return `${where} is ${actual}`;
    const error = Math.abs(actual - expected);
    return error <= tol * Math.max(1, Math.abs(expected)) ? undefined : `${where} is ${actual}, expected ${expected}`;
  }
  if (expected instanceof Float64Array || expected instanceof Float32Array || Array.isArray(expected)) {
    if (Array.isArray(expected) ? !Array.isArray(actual) : !(actual instanceof expected.constructor)) {
      return `${where} is ${describe(actual)}, expected the shape of ${describe(expected)}`;
    }
    const a = actual as ArrayLike<unknown>;
    if (a.length !== expected.length) return `${where} has length ${a.length}, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const wrong = closeTo(a[i], expected[i], tol, `${where}[${i}]`);
      if (wrong) return wrong;
    }
    return undefined;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return `${where} is ${describe(actual)}, not an object`;
    for (const [key, e] of Object.entries(expected)) {
      const wrong = closeTo((actual as Record<string, unknown>)[key], e, tol, `${where}.${key}`);
      if (wrong) return wrong;
    }
    return undefined;
  }
  return describe(actual) === describe(expected) ? undefined : `${where} is ${describe(actual)}, expected ${describe(expected)}`;
}
