/**
 * Values, tangents and cotangents of any shape, for the tests that check derivatives.
 *
 * Input: values as adgen's functions take and return them (numbers, Float64Array and
 * Float32Array, `number[]`, nested arrays, tuples, plain objects, with booleans and
 * strings passed through). Output: deterministic random cotangents and directions of a
 * value's shape, inner products, scaled and moved copies. Invariant: nothing here mutates
 * its inputs but `scramble`, whose job it is; copies share no array with their source.
 */

/** A deterministic generator of numbers in [0, 1) (mulberry32, seeded by a string). */
export function uniform(seedText: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619);
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic generator of numbers in ±[0.5, 1.5), seeded by a string. */
export function random(seedText: string): () => number {
  const next = uniform(seedText);
  return () => (next() < 0.5 ? -1 : 1) * (0.5 + next());
}

/** Whether a value carries a derivative: numbers, float typed arrays, arrays and objects holding them. */
export function isDifferentiable(value: unknown): boolean {
  if (typeof value === "number") return true;
  if (value instanceof Float64Array || value instanceof Float32Array) return true;
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.length === 0 || value.some(isDifferentiable);
  if (typeof value === "object" && value !== null) return Object.values(value).some(isDifferentiable);
  return false;
}

export function hasFloat32(value: unknown): boolean {
  if (value instanceof Float32Array) return true;
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(hasFloat32);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasFloat32);
  return false;
}

/**
 * A cotangent (or tangent) for `value`: the same shape (numbers, arrays of the same type
 * and length, objects and tuples with their differentiable fields only), filled from `next`.
 */
export function cotangentLike(value: unknown, next: () => number): unknown {
  if (typeof value === "number") return next();
  if (value instanceof Float64Array) return value.map(() => next());
  if (value instanceof Float32Array) return value.map(() => next());
  if (Array.isArray(value)) return value.map((v) => cotangentLike(v, next));
  if (typeof value === "object" && value !== null) {
    const ct: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (isDifferentiable(v)) ct[key] = cotangentLike(v, next);
    return ct;
  }
  throw new Error(`no cotangent for a ${typeof value} result`);
}

/** ⟨ct, y⟩: the sum of products of matching leaves (null and absent cotangents count 0). */
export function dot(ct: unknown, y: unknown): number {
  if (ct === null || ct === undefined) return 0;
  if (typeof ct === "number") {
    if (typeof y !== "number") throw new Error(`cotangent is a number where the value is ${describe(y)}`);
    return ct * y;
  }
  if (Array.isArray(ct) || ct instanceof Float64Array || ct instanceof Float32Array) {
    const ys = y as ArrayLike<unknown>;
    if (ys?.length !== ct.length) throw new Error(`lengths differ: ${describe(ct)} and ${describe(y)}`);
    let s = 0;
    for (let i = 0; i < ct.length; i++) s += dot(ct[i], ys[i]);
    return s;
  }
  if (typeof y !== "object" || y === null) throw new Error(`cotangent is an object where the value is ${describe(y)}`);
  let s = 0;
  for (const [key, c] of Object.entries(ct as object)) s += dot(c, (y as Record<string, unknown>)[key]);
  return s;
}

/** `value` with `fn` applied to every number, types kept; null stays null. */
export function mapLeaves(value: unknown, fn: (x: number) => number): unknown {
  if (typeof value === "number") return fn(value);
  if (value instanceof Float64Array || value instanceof Float32Array) return value.map(fn);
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, fn));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(v, fn)]));
  }
  return value;
}

/** `value` with every number multiplied by `factor`, types kept; null stays null. */
export const scale = (value: unknown, factor: number): unknown => mapLeaves(value, (x) => x * factor);

/**
 * The argument lists `checkGrad` evaluates for `wrt`: each number of those arguments moved
 * by ±step·max(1, |x|), one at a time, in fresh copies.
 */
export function leafStencil(args: readonly unknown[], wrt: readonly number[], step: number): unknown[][] {
  const out: unknown[][] = [];
  for (const k of wrt) {
    const count = leaves(args[k]).length;
    for (let leaf = 0; leaf < count; leaf++) {
      for (const sign of [1, -1]) {
        let seen = 0;
        const moved = copy([...args]);
        moved[k] = mapLeaves(args[k], (x) => (seen++ === leaf ? x + sign * step * Math.max(1, Math.abs(x)) : x));
        out.push(moved);
      }
    }
  }
  return out;
}

/** α·a + β·b for two values of one shape (null where either is null). */
export function combine(alpha: number, a: unknown, beta: number, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") return alpha * a + beta * b;
  if (a instanceof Float64Array || a instanceof Float32Array) return a.map((v, i) => alpha * v + beta * (b as ArrayLike<number>)[i]!);
  if (Array.isArray(a)) return a.map((v, i) => combine(alpha, v, beta, (b as unknown[])[i]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, combine(alpha, v, beta, (b as Record<string, unknown>)[k])]));
  }
  return a === null || b === null ? null : a;
}

/** `value + t·direction` on the leaves the direction has; everything else copied as it is. */
export function along(value: unknown, t: number, direction: unknown): unknown {
  if (direction === null || direction === undefined) return copy(value);
  if (typeof value === "number") return value + t * (direction as number);
  if (value instanceof Float64Array || value instanceof Float32Array) {
    return value.map((v, i) => v + t * (direction as ArrayLike<number>)[i]!);
  }
  if (Array.isArray(value)) return value.map((v, i) => along(v, t, (direction as unknown[])[i]));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = along(v, t, (direction as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** A copy that shares no array or plain object with `value`. */
export function copy<T>(value: T): T {
  if (value instanceof Float64Array || value instanceof Float32Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

/**
 * Every number held in `value`'s arrays and plain objects (what `copy` copies) changed in
 * place, as an optimiser step would.
 */
export function scramble(value: unknown): void {
  if (value instanceof Float64Array || value instanceof Float32Array) value.forEach((v, i) => (value[i] = v * 1.5 + 0.25));
  else if (Array.isArray(value) || (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    const record = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(record)) {
      if (typeof v === "number") record[key] = v * 1.5 + 0.25;
      else scramble(v);
    }
  }
}

/** Every number of `value`, in order (arrays, typed arrays, objects by key). */
export function leaves(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (value instanceof Float64Array || value instanceof Float32Array) return Array.from(value);
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(leaves);
  return [];
}

/** Values for failure messages: typed arrays shown with their type. */
export function describe(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Float64Array || v instanceof Float32Array ? `${v.constructor.name}[${Array.from(v).join(", ")}]` : v,
    ) ?? String(value)
  );
}
