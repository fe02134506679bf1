/**
 * Second-order and Jacobian assembly: the rows of `hessian` and `jacobian`, built at run
 * time from the generated `hvp`, tangent and adjoint functions.
 *
 * A tangent is numbered in the order API.md gives: depth first, arrays by index, objects
 * and tuples in the order of their fields. A unit tangent is zero except for a 1 at one
 * number; a row is a tangent of the `wrt` value (or the tuple of several).
 */
import { zerosLike } from "./shadow.js";

/** The numbers of a value (or of its tangent), in order. */
export function flatten(value: unknown, into: number[] = []): number[] {
  if (typeof value === "number") into.push(value);
  else if (value !== null && typeof value === "object") for (const item of items(value)) flatten(item, into);
  return into;
}

/** A tangent of `value` holding `numbers`, in order. */
export function shapedLike<T>(value: T, numbers: ArrayLike<number>): T {
  if (typeof value === "number") return numbers[0] as T;
  const tangent = zerosLike(value) as T;
  let next = 0;
  const fill = (node: unknown): void => {
    const record = node as Record<string | number, unknown>;
    for (const key of keysOf(node as object)) {
      if (typeof record[key] === "number") record[key] = numbers[next++];
      else if (record[key] !== null && typeof record[key] === "object") fill(record[key]);
    }
  };
  fill(tangent);
  return tangent;
}

/** The zero tangent of `value` with a 1 at number `k`. */
export function unitTangent<T>(value: T, k: number): T {
  const numbers = new Float64Array(flatten(value).length);
  numbers[k] = 1;
  return shapedLike(value, numbers);
}

function keysOf(node: object): (string | number)[] {
  return ArrayBuffer.isView(node) || Array.isArray(node) ? Array.from({ length: (node as ArrayLike<unknown>).length }, (_, i) => i) : Object.keys(node);
}

function items(node: object): unknown[] {
  return ArrayBuffer.isView(node) || Array.isArray(node) ? Array.from(node as ArrayLike<unknown>) : Object.values(node);
}

/**
 * The Hessian from Hessian-vector products: `H·e_k` for each unit direction `e_k` of `at`
 * (the `wrt` value), one row each; a number `at` gives the number `H`.
 */
export function hessianRows<T>(hvpAt: (direction: T) => T, at: T): T | T[] {
  if (typeof at === "number") return hvpAt(1 as T);
  const rows: T[] = [];
  const n = flatten(at).length;
  for (let k = 0; k < n; k++) rows.push(hvpAt(unitTangent(at, k)));
  return rows;
}

/**
 * The Jacobian of a function at a point: one row per number of its `value`, each a tangent
 * of `at` (the `wrt` value). With fewer inputs than outputs it is built by columns (one
 * tangent per input number, `pushforward`), otherwise by rows (one cotangent per output
 * number, `pullback`).
 */
export function jacobianRows<V, T>(value: V, at: T, pushforward: (tangent: T) => V, pullback: (cotangent: V) => T): T[] {
  const inputs = flatten(at).length;
  const outputs = flatten(value).length;
  if (inputs >= outputs) return Array.from({ length: outputs }, (_, i) => pullback(unitTangent(value, i)));
  const columns = Array.from({ length: inputs }, (_, j) => flatten(pushforward(unitTangent(at, j))));
  return Array.from({ length: outputs }, (_, i) => shapedLike(at, columns.map((column) => column[i]!)));
}
