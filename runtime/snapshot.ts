/**
 * Snapshots: the arguments a pullback differentiates at, kept as they were when `vjp` was
 * called, so that changing an array afterwards (an optimiser step) does not change what a
 * later pullback computes.
 */

/**
 * A copy of `value` deep through arrays, typed arrays and plain objects; anything else (a
 * number, a string, a function, a class instance) is the value itself.
 */
export function snapshot<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map(snapshot) as T;
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = snapshot(field);
    return out as T;
  }
  return value;
}
