/**
 * Type-level shapes of tangents and cotangents.
 *
 * A tangent mirrors its value: numbers stay numbers, float arrays stay arrays of the same
 * type, containers keep their structure with only the differentiable parts, and anything
 * that cannot carry a derivative (boolean, string, function, null, undefined) is `null`.
 * The transforms' signatures are written in terms of these, so an editor shows concrete
 * types such as `Float64Array` rather than the conditional that produced them.
 */

/** Values that carry no derivative; their tangent is `null`. */
type NonDifferentiable =
  | boolean
  | string
  | bigint
  | symbol
  | null
  | undefined
  | void
  | ((...args: never) => unknown)
  | (abstract new (...args: never) => unknown);

/** `true` when `T` is `any`; `any` would otherwise spread into every branch below. */
type IsAny<T> = 0 extends 1 & T ? true : false;

// The tuple and object cases are written inline, not as named aliases, so editors print the
// resulting tuple or object (`{ w: Float64Array; b: number[] }`) rather than an alias name.
// Both map over `T` itself, which keeps them homomorphic: tuples stay tuples, labels survive.
/**
 * The tangent (or cotangent) of a value of type `T`:
 *
 * - `number` → `number`
 * - `Float64Array` → `Float64Array`, `Float32Array` → `Float32Array`
 *   (other typed arrays hold integers and are not differentiable → `null`)
 * - `number[]` / `readonly number[]` → `number[]`; nested arrays nest
 * - a tuple → a tuple of the element tangents
 * - a plain object → the same keys, differentiable fields only (an optional field stays
 *   optional, its tangent a number rather than `number | undefined`)
 * - boolean, string, function, null, undefined → `null`
 */
export type Tangent<T> =
  IsAny<T> extends true
    ? any
    : T extends number
      ? number
      : T extends Float64Array
        ? Float64Array
        : T extends Float32Array
          ? Float32Array
          : T extends ArrayBufferView
            ? null
            : T extends readonly unknown[]
              ? number extends T["length"]
                ? Tangent<T[number]>[]
                : { -readonly [K in keyof T]: Tangent<T[K]> }
              : T extends NonDifferentiable
                ? null
                : T extends object
                  ? {
                      -readonly [
                        K in keyof T as IsDifferentiable<T[K]> extends true ? K : never
                      ]: Tangent<Exclude<T[K], undefined>>;
                    }
                  : null;

/** Whether a field of type `V` keeps a place in its object's tangent (fields always `null` are dropped). */
type IsDifferentiable<V> =
  IsAny<V> extends true ? true : [Tangent<V>] extends [null] ? false : true;

/** One tangent per element of an argument list, in order (labels kept): what a pullback returns. */
export type Cotangents<A extends readonly unknown[]> = { [K in keyof A]: Tangent<A[K]> };
