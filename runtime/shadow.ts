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
