/**
 * Custom derivatives: one form for users' functions and for adgen's own primitive rules.
 *
 * The compiler reads `defineDerivative(fn, { reverse, forward })` calls statically from
 * source and inlines the rules where `fn` is called from differentiable code. At run time
 * the call has nothing to register; it only checks its arguments, so a malformed rule
 * fails where it is written rather than silently.
 */
import { AdgenError } from "./errors.js";
import type { Cotangents, Tangent } from "./types.js";

/** The derivative rules of a function `(...args: A) => R`. */
export interface DerivativeRules<A extends readonly unknown[], R> {
  /** cotangents of the arguments, from the arguments, the result and the result's cotangent */
  reverse: (args: A, result: R, cotangent: Tangent<R>) => Cotangents<A>;
  /** the result's tangent, from the arguments, their tangents and the result */
  forward: (args: A, tangents: Cotangents<A>, result: R) => Tangent<R>;
}

/**
 * Gives `fn` its own derivative. Differentiable code may then call `fn` (even an opaque
 * function adgen cannot see into), and adgen uses these rules instead of differentiating
 * its body.
 *
 * @example
 * defineDerivative(Math.sin, {
 *   reverse: ([x], _y, dy) => [dy * Math.cos(x)],
 *   forward: ([x], [dx]) => dx * Math.cos(x),
 * });
 */
export function defineDerivative<A extends readonly unknown[], R>(
  fn: (...args: A) => R,
  rules: DerivativeRules<A, R>,
): void {
  if (typeof fn !== "function") {
    throw new AdgenError(`defineDerivative: expected a function, got ${describe(fn)}.`);
  }
  const name = fn.name || "anonymous function";
  if (typeof rules !== "object" || rules === null) {
    throw new AdgenError(
      `defineDerivative(${name}): expected rules { reverse, forward }, got ${describe(rules)}.`,
    );
  }
  for (const key of ["reverse", "forward"] as const) {
    if (typeof rules[key] !== "function") {
      throw new AdgenError(
        `defineDerivative(${name}): rules.${key} must be a function, got ${describe(rules[key])}.`,
      );
    }
  }
}

function describe(value: unknown): string {
  return value === null ? "null" : typeof value;
}
