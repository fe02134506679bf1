/**
 * Shadows: the adjoints of arrays and objects in generated code.
 *
 * A shadow has its value's shape (the tangent shapes of the README's "Transforms"): numbers become 0, float arrays
 * a zeroed array of the same type and length, `number[]` a zeroed `number[]`, nested
 * arrays, tuples and plain objects are rebuilt with their differentiable parts; other
 * fields (booleans, strings, functions) are left out.
 */
import type { Tangent } from "./types.js";

/** A zero tangent of `value`'s shape. */
export function zerosLike<T>(value: T): Tangent<T> {
  return zeros(value) as Tangent<T>;
}

function zeros(value: unknown): unknown {
  if (typeof value === "number") return 0;
  if (value instanceof Float64Array) return new Float64Array(value.length);
  if (value instanceof Float32Array) return new Float32Array(value.length);
  if (ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) return value.map(zeros);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const z = zeros(field);
      if (z !== null) out[key] = z;
    }
    return out;
  }
  return null;
}

/**
 * `target += source`, element by element, into `target`: a shadow of the same shape (a
 * copy's shadow may be a `number[]` adding into a `Float64Array`'s, so the types are loose).
 */
export function addTo(target: unknown, source: unknown): void {
  if (source === null || source === undefined || target === null || target === undefined) return;
  const t = target as unknown as Record<string | number, unknown>;
  const s = source as unknown as Record<string | number, unknown>;
  if (ArrayBuffer.isView(target) || Array.isArray(target)) {
    const tt = target as unknown as number[];
    const ss = source as unknown as unknown[];
    for (let i = 0; i < tt.length; i++) {
      if (typeof tt[i] === "number") tt[i] += ss[i] as number;
      else addTo(tt[i], ss[i]);
    }
    return;
  }
  for (const key of Object.keys(t)) {
    if (typeof t[key] === "number") (t[key] as number) += s[key] as number;
    else addTo(t[key], s[key]);
  }
}

type Numbers = { length: number; [index: number]: number };

/** `start`, `end` as `slice` and `fill` read them (negative from the end, clamped). */
function bounds(length: number, start = 0, end = length): [number, number] {
  const at = (i: number) => (i < 0 ? Math.max(length + i, 0) : Math.min(i, length));
  return [at(Math.trunc(start) || 0), at(Math.trunc(end) || 0)];
}

/** Σ a[k] over `start ≤ k < end`, zeroing them: the adjoint of `a.fill(v, start, end)` for v. */
export function takeRange(a: Numbers, start?: number, end?: number): number {
  const [from, to] = bounds(a.length, start, end);
  let sum = 0;
  for (let k = from; k < to; k++) {
    sum += a[k];
    a[k] = 0;
  }
  return sum;
}

/** `into[k] += from[offset + k]`, zeroing `from[offset + k]`: the adjoint of `a.set(into, offset)`. */
export function takeInto(into: Numbers, from: Numbers, offset = 0): void {
  for (let k = 0; k < into.length; k++) {
    into[k] += from[offset + k];
    from[offset + k] = 0;
  }
}

/** `into[start + k] += from[k]` for every k: the adjoint of a copy `from = into.slice(start)`. */
export function addInto(into: Numbers, from: Numbers, start = 0): void {
  const [first] = bounds(into.length, start);
  for (let k = 0; k < from.length; k++) into[first + k] += from[k];
}

/** Cuts a shadow back to the length it had before an index write past its end grew it: that write's adjoint. */
export function shrink(a: unknown[], length: number): void {
  if (a.length > length) a.length = length;
}

/** `a[k] = saved[k]`: puts back the contents a fill or set overwrote. */
export function copyInto(a: unknown[] | Numbers, saved: ArrayLike<unknown>): void {
  for (let k = 0; k < saved.length; k++) (a as unknown[])[k] = saved[k];
}
