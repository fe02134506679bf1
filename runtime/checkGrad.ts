/**
 * checkGrad: tests a gradient function against central finite differences.
 *
 * It walks every differentiable leaf of the chosen arguments (numbers, elements of number
 * arrays, Float64Array and Float32Array, fields of plain objects and tuples, at any depth),
 * perturbs that one leaf both ways in fresh deep copies of the arguments, and compares
 * (f(x+h) − f(x−h)) / 2h with the matching entry of the gradient. Fresh copies per
 * evaluation mean a function that mutates its inputs cannot corrupt the check.
 */
import { AdgenError } from "./errors.js";
import type { GradientOf, Wrt } from "./transforms.js";

/** Options of `checkGrad`. */
export interface CheckGradOptions<W = number | readonly number[]> {
  /** Which argument(s) `gradient` differentiates: an index (default `0`) or indices, in the order of its result tuple. */
  wrt?: W;
  /**
   * Relative finite-difference step: leaf `x` is moved by `step · max(1, |x|)`.
   * Default `1e-6`, and `1e-3` for Float32Array elements, whose float32 rounding would
   * swamp a smaller step (the quotient uses the perturbation actually stored).
   */
  step?: number;
  /** Largest acceptable relative error (default `1e-5`). */
  tolerance?: number;
}

/** The outcome of `checkGrad`, reported at the leaf with the worst relative error. */
export interface CheckGradResult {
  /** The worst relative error `|analytic − numeric| / max(1, |analytic|, |numeric|)` over all leaves. */
  maxRelError: number;
  /** The worst absolute error `|analytic − numeric|` over all leaves (not necessarily at `where`). */
  maxAbsError: number;
  /** Where the worst relative error occurred, e.g. `args[0][3]` or `args[1].w[2]`; "" when no leaf was checked. */
  where: string;
  /** The gradient's value at `where`. */
  analytic: number;
  /** The finite-difference estimate at `where`. */
  numeric: number;
  /** `maxRelError <= tolerance`. */
  ok: boolean;
}

const defaultStep = 1e-6;
const defaultStepFloat32 = 1e-3;
const defaultTolerance = 1e-5;

/**
 * Compares `gradient` (the gradient of `f` w.r.t. `args[wrt]`, or a tuple of gradients for
 * several `wrt` indices) against central finite differences of `f` at `args`.
 *
 * The relative error of a leaf is `|analytic − numeric| / max(1, |analytic|, |numeric|)`:
 * relative for large derivatives, absolute for small ones, so derivatives near 0 do not
 * blow it up. A NaN on either side counts as an infinite error.
 *
 * @example
 * const r = checkGrad(loss, grad(loss), [w, x, 1.5]);
 * if (!r.ok) console.log(`worst at ${r.where}: ${r.analytic} vs ${r.numeric}`);
 */
export function checkGrad<A extends readonly unknown[]>(
  f: (...args: A) => number,
  gradient: (...args: A) => GradientOf<A, 0>,
  args: A,
  options?: CheckGradOptions<undefined>,
): CheckGradResult;
export function checkGrad<A extends readonly unknown[], const W extends Wrt<A>>(
  f: (...args: A) => number,
  gradient: (...args: A) => NoInfer<GradientOf<A, W>>,
  args: A,
  options: CheckGradOptions<W> & { wrt: W },
): CheckGradResult;
export function checkGrad(
  // `any` parameters only here, so the typed overloads above are compatible with it.
  f: (...args: any) => unknown,
  gradient: (...args: any) => unknown,
  args: readonly unknown[],
  options: CheckGradOptions<unknown> = {},
): CheckGradResult {
  if (typeof f !== "function" || typeof gradient !== "function") {
    throw new AdgenError("checkGrad(f, gradient, args): f and gradient must be functions.");
  }
  if (!Array.isArray(args)) {
    throw new AdgenError(
      "checkGrad(f, gradient, args): args must be the argument list, as an array.",
    );
  }
  const wrtOption: unknown = options.wrt ?? 0;
  const several = Array.isArray(wrtOption);
  const wrt: number[] = several ? [...(wrtOption as readonly number[])] : [wrtOption as number];
  for (const k of wrt) {
    if (!Number.isInteger(k) || k < 0 || k >= args.length) {
      throw new AdgenError(
        `checkGrad: wrt index ${String(k)} is not an argument index (0…${args.length - 1}).`,
      );
    }
  }
  const tolerance = options.tolerance ?? defaultTolerance;

  const evaluate = (list: unknown[]): number => {
    const value = f(...list);
    if (typeof value !== "number") {
      throw new AdgenError(`checkGrad: f returned ${typeof value}, expected a number.`);
    }
    return value;
  };

  const analyticAll = gradient(...deepCopy(args));
  if (several && !Array.isArray(analyticAll)) {
    throw new AdgenError(
      "checkGrad: with an array `wrt`, gradient must return a tuple of gradients.",
    );
  }

  const result: CheckGradResult = {
    maxRelError: 0,
    maxAbsError: 0,
    where: "",
    analytic: 0,
    numeric: 0,
    ok: true,
  };
  let worst = -1;

  wrt.forEach((argIndex, j) => {
    const analyticRoot = several ? (analyticAll as unknown[])[j] : analyticAll;
    forEachLeaf(args[argIndex], [argIndex], (path, x, isFloat32) => {
      const analytic = lookup(analyticRoot, path.slice(1), path);
      const h =
        (options.step ?? (isFloat32 ? defaultStepFloat32 : defaultStep)) * Math.max(1, Math.abs(x));

      const plus = deepCopy(args);
      const xPlus = setLeaf(plus, path, x + h);
      const fPlus = evaluate(plus);
      const minus = deepCopy(args);
      const xMinus = setLeaf(minus, path, x - h);
      const fMinus = evaluate(minus);
      if (xPlus === xMinus) {
        throw new AdgenError(
          `checkGrad: step ${h} is lost to rounding at ${formatPath(path)} (x = ${x}); use a larger step.`,
        );
      }
      const numeric = (fPlus - fMinus) / (xPlus - xMinus);

      let abs = Math.abs(analytic - numeric);
      let rel = abs / Math.max(1, Math.abs(analytic), Math.abs(numeric));
      if (Number.isNaN(rel)) abs = rel = Infinity;
      if (abs > result.maxAbsError) result.maxAbsError = abs;
      if (rel > worst) {
        worst = rel;
        result.maxRelError = rel;
        result.where = formatPath(path);
        result.analytic = analytic;
        result.numeric = numeric;
      }
    });
  });

  result.ok = result.maxRelError <= tolerance;
  return result;
}

/** A path from the argument list down to a leaf: argument index, then array indices / object keys. */
type Path = (string | number)[];

/**
 * Calls `visit` for every differentiable leaf under `value`. Integer typed arrays, strings,
 * booleans, functions and the like carry no derivative and are skipped.
 */
function forEachLeaf(
  value: unknown,
  path: Path,
  visit: (path: Path, x: number, isFloat32: boolean) => void,
): void {
  if (typeof value === "number") {
    visit(path, value, false);
  } else if (value instanceof Float64Array || value instanceof Float32Array) {
    const isFloat32 = value instanceof Float32Array;
    for (let i = 0; i < value.length; i++) visit([...path, i], value[i]!, isFloat32);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => forEachLeaf(item, [...path, i], visit));
  } else if (isWalkableObject(value)) {
    for (const key of Object.keys(value))
      forEachLeaf((value as Record<string, unknown>)[key], [...path, key], visit);
  }
}

function isWalkableObject(value: unknown): value is object {
  return (
    typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && !isOpaque(value)
  );
}

/** Built-ins whose state lives in internal slots: not walked, and shared rather than copied. */
function isOpaque(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof RegExp ||
    value instanceof Promise ||
    value instanceof ArrayBuffer
  );
}

/** The gradient's number at `rest` (the leaf path below the argument); a missing entry is a shape error. */
function lookup(root: unknown, rest: Path, full: Path): number {
  let node: unknown = root;
  for (const step of rest) {
    if (node === null || typeof node !== "object") {
      node = undefined;
      break;
    }
    node = (node as Record<string | number, unknown>)[step];
  }
  if (typeof node !== "number") {
    throw new AdgenError(
      `checkGrad: the gradient has no number at ${formatPath(full)} (found ${node === null ? "null" : typeof node}); ` +
        "its shape must mirror the argument's.",
    );
  }
  return node;
}

/** Writes `x` at `path` in `args` and returns the value actually stored (float32 rounds it). */
function setLeaf(args: unknown[], path: Path, x: number): number {
  let parent: Record<string | number, unknown> = args as unknown as Record<number, unknown>;
  for (let i = 0; i < path.length - 1; i++)
    parent = parent[path[i]!] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  parent[key] = x;
  return parent[key] as number;
}

/** A copy sharing nothing mutable with `value` along the walked structure; other objects keep their prototype. */
function deepCopy<T>(value: T): T {
  if (ArrayBuffer.isView(value)) {
    return (value instanceof DataView ? value : (value as unknown as Float64Array).slice()) as T;
  }
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (typeof value === "object" && value !== null && !isOpaque(value)) {
    const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    for (const key of Object.keys(value))
      copy[key] = deepCopy((value as Record<string, unknown>)[key]);
    return copy as T;
  }
  return value;
}

/** `args[0][3]`, `args[1].w[2]`, `args[0]["a key"]`. */
function formatPath(path: Path): string {
  let text = "args";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) text += `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}
