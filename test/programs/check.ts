/**
 * The random programs' checker: a compiled program's transforms against its twin and
 * against central finite differences.
 *
 * Input: a `Case`, its index in a compiled module (`p<i>`, and `d<i>`, `v<i>`, `j<i>` as
 * ./render.ts names them), and the twins (./module.ts). Output: how many points were
 * checked and skipped, and the first failure. Checked at each point:
 * - valueAndGrad (number results): the value is the twin's; the gradient matches
 *   `checkGrad`'s finite differences, a ten times finer step deciding when the first fails;
 * - vjp (array results, and every fourth number result): the value is the twin's; the pullback is linear; ⟨pullback(w), d⟩ matches the
 *   finite-difference derivative of ⟨w, p(x + εd)⟩ (the dot-product identity), for a
 *   random cotangent w and direction d; for a number result, pullback(1) is the gradient;
 * - jvp, once that feature is on (every program, with or without vjp): the value; the
 *   tangent along d matches finite differences; u·(J d) = (uᵀJ)·d against vjp where there is one.
 *
 * Finite differences are of the twin with the values of its `stopGradient` calls held at
 * the point's: the function the transforms differentiate. They are meaningless across a kink. A point is skipped when the twin's
 * decisions differ anywhere on the stencil a check evaluates, since the difference quotient
 * would straddle a kink; this is exact where a margin threshold is not (programs often
 * compare things equal whatever the inputs, which are ties, not kinks). Points where the
 * program's value is not finite or huge are skipped too.
 */
import { checkGrad } from "../../runtime";
import { tinyTapes } from "../harness";
import { along, combine, copy, cotangentLike, describe, dot, leafStencil, leaves, random } from "../tangents";
import type { Case, Point } from "./ast";
import { FEATURES } from "./features";
import type { Fn, Reference } from "./module";

/** checkGrad's defaults, which the skip rule reproduces. */
const STEP = 1e-6;
const TOLERANCE = 1e-5;
/** The forward sweep recomputes the program: its value must agree to rounding. */
const VALUE_TOLERANCE = 1e-10;
const LINEARITY_TOLERANCE = 1e-9;

export interface Outcome {
  checked: number;
  skipped: number;
  /** what went wrong, with the point; undefined when every checked point passed */
  failure?: string;
}

/** The differentiable parameters: x, y and (with nested parameters) m. */
export const WRT = FEATURES.nestedParams ? [0, 1, 3] : [0, 1];

export function argsAt(c: Case, pt: Point): unknown[] {
  const x = FEATURES.arrayParams ? (c.program.xType === "Float64Array" ? Float64Array.from(pt.x) : [...pt.x]) : pt.x[0]!;
  const m = c.program.mType === "Float64Array[]" ? pt.m.map((row) => Float64Array.from(row)) : pt.m.map((row) => [...row]);
  return FEATURES.nestedParams ? [x, pt.y, pt.n, m] : [x, pt.y, pt.n];
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
const allClose = (a: unknown, b: unknown, tol: number) => {
  const [u, v] = [leaves(a), leaves(b)];
  return u.length === v.length && u.every((x, k) => close(x, v[k]!, tol));
};

/** Checks program `i` of a loaded module at every point of its case. */
export function checkCase(c: Case, i: number, mod: Record<string, Fn>, ref: Reference): Outcome {
  const outcome: Outcome = { checked: 0, skipped: 0 };
  // Every call starts from the impure helper's first state, as the twin's do.
  const fresh =
    (fn: Fn | undefined): Fn =>
    (...a) => {
      if (!fn) throw new Error(`program ${i} has no such transform`);
      (mod.resetTicks as Fn | undefined)?.();
      return fn(...a);
    };
  const fns = { d: fresh(mod[`d${i}`]), v: fresh(mod[`v${i}`]), j: mod[`j${i}`] ? fresh(mod[`j${i}`]) : undefined };
  for (const [k, pt] of c.points.entries()) {
    const args = argsAt(c, pt);
    const at = `${describe(args)}`;
    const { value, trace, stopped } = ref.run(i, copy(args));
    const held: Fn = (...a) => ref.run(i, a, stopped).value;
    const dir = direction(args, `${i}:${k}:d`);
    const stencil = [...(c.program.returns === "number" ? leafStencil(args, WRT, STEP) : []), ...[1, -1, 0.1, -0.1].map((t) => moved(args, t * STEP, dir))];
    // a run that calls stopGradient a different number of times took other decisions too
    const differs = (a: unknown[]) => {
      try {
        return ref.run(i, a, stopped).trace !== trace;
      } catch {
        return true;
      }
    };
    if (!leaves(value).every((v) => Number.isFinite(v) && Math.abs(v) < 1e6) || stencil.some(differs)) {
      outcome.skipped++;
      continue;
    }
    outcome.checked++;
    let failure: string | undefined;
    tinyTapes();
    try {
      failure =
        (c.program.returns === "number" ? checkValueAndGrad(fns, held, args, value as number) : undefined) ??
        (mod[`v${i}`] ? checkVjp(fns, held, args, value, dir, `${i}:${k}`) : fns.j ? checkJvp(held, fns.j, args, value, dir) : undefined);
    } catch (error) {
      failure = `threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    if (failure) return { ...outcome, failure: `at ${at}: ${failure}` };
  }
  return outcome;
}

interface Fns {
  d: Fn;
  v: Fn;
  j?: Fn;
}

/** `held`: the function finite differences take (the twin with its stopped values held). */
function checkValueAndGrad({ d }: Fns, held: Fn, args: unknown[], expected: number): string | undefined {
  const [v] = d(...copy(args)) as [number, unknown];
  if (!close(v, expected, VALUE_TOLERANCE)) return `valueAndGrad's value ${v}, the program's ${expected}`;
  // A central difference errs by O(h²·f‴); where f‴ is large (a squashed exponential,
  // nested loops) a step ten times finer decides. A wrong gradient fails at both steps.
  const check = (step: number) =>
    checkGrad(held as (...a: unknown[]) => number, (...a: unknown[]) => (d(...a) as [number, unknown])[1] as never, copy(args), {
      wrt: WRT,
      tolerance: TOLERANCE,
      step,
    });
  let report = check(STEP);
  if (!report.ok) report = check(STEP / 10);
  return report.ok ? undefined : `gradient differs from finite differences: ${JSON.stringify(report)}`;
}

function checkVjp({ d, v, j }: Fns, held: Fn, args: unknown[], expected: unknown, dir: unknown[], seed: string): string | undefined {
  const [value, pullback] = v(...copy(args)) as [unknown, Fn];
  if (!allClose(value, expected, VALUE_TOLERANCE)) return `vjp's value ${describe(value)}, the program's ${describe(expected)}`;
  const u = cotangentLike(expected, random(`${seed}:u`));
  const w = cotangentLike(expected, random(`${seed}:w`));
  const [alpha, beta] = [0.7, -1.3];
  const flat = (ct: unknown) => WRT.flatMap((k) => leaves((ct as unknown[])[k]));
  const pu = pullback(copy(u)) as unknown[];
  const pw = pullback(copy(w)) as unknown[];
  const pc = flat(pullback(combine(alpha, u, beta, w)));
  const [fu, fw] = [flat(pu), flat(pw)];
  if (fu.length !== pc.length || fw.length !== pc.length) return `the pullback's cotangents have the wrong shape: ${describe(pu)}`;
  const worst = pc.findIndex((c, k) => !close(c, alpha * fu[k]! + beta * fw[k]!, LINEARITY_TOLERANCE));
  if (worst >= 0) return `pullback is not linear at component ${worst}: ${pc[worst]} vs ${alpha * fu[worst]! + beta * fw[worst]!}`;
  if (typeof expected === "number") {
    const gradient = (d(...copy(args)) as [number, unknown[]])[1];
    const ones = flat(pullback(1));
    const g = gradient.flatMap(leaves);
    if (!allClose(ones, g, LINEARITY_TOLERANCE)) return `pullback(1) is ${describe(ones)}, the gradient ${describe(g)}`;
  }
  // ⟨w, J d⟩ by central differences along d, against ⟨Jᵀ w, d⟩; a finer step decides as above.
  const analytic = WRT.reduce((sum, k) => sum + dot(pw[k], dir[k]), 0);
  const numeric = (step: number) => (dot(w, held(...moved(args, step, dir))) - dot(w, held(...moved(args, -step, dir)))) / (2 * step);
  if (!close(analytic, numeric(STEP), TOLERANCE) && !close(analytic, numeric(STEP / 10), TOLERANCE)) {
    return `⟨pullback(w), d⟩ = ${analytic} but finite differences give ${numeric(STEP)} (w = ${describe(w)}, d = ${describe(dir)})`;
  }
  return j ? checkJvp(held, j, args, expected, dir, w, analytic) : undefined;
}

/**
 * jvp along `dir`: its value, its tangent against finite differences, and (for programs with
 * vjp) u·(J d) = (uᵀJ)·d with vjp's ⟨pullback(w), d⟩ = `pulled`.
 */
function checkJvp(p: Fn, j: Fn, args: unknown[], expected: unknown, dir: unknown[], w?: unknown, pulled?: number): string | undefined {
  const tangents = args.map((a, k) => (WRT.includes(k) ? copy(dir[k]) : typeof a === "number" ? 0 : null));
  const [value, tangent] = j(copy(args), tangents) as [unknown, unknown];
  if (!allClose(value, expected, VALUE_TOLERANCE)) return `jvp's value ${describe(value)}, the program's ${describe(expected)}`;
  const numeric = (step: number) => combine(0.5 / step, p(...moved(args, step, dir)), -0.5 / step, p(...moved(args, -step, dir)));
  if (!allClose(tangent, numeric(STEP), TOLERANCE) && !allClose(tangent, numeric(STEP / 10), TOLERANCE)) {
    return `jvp's tangent ${describe(tangent)}, finite differences ${describe(numeric(STEP))} (d = ${describe(dir)})`;
  }
  if (pulled === undefined) return undefined;
  const pushed = dot(w, tangent);
  return close(pushed, pulled, 1e-8) ? undefined : `u·(J d) = ${pushed} but (uᵀJ)·d = ${pulled}`;
}

/** A direction for the differentiable parameters (null for n). */
function direction(args: unknown[], seed: string): unknown[] {
  const next = random(seed);
  return args.map((a, k) => (WRT.includes(k) ? cotangentLike(a, next) : null));
}

const moved = (args: unknown[], t: number, dir: unknown[]) => args.map((a, k) => along(a, t, dir[k]));
