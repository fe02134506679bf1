/**
 * Derivative rules of the arithmetic operators, in the same form as every other rule.
 *
 * The compiler maps each operator to the function of the same meaning below
 * (`a * b` is `mul(a, b)`) and inlines its rule with the operands substituted.
 * The functions exist only to carry a name and a type for their rules.
 */
import { defineDerivative } from "../derivatives.js";

export const add = (a: number, b: number): number => a + b;
export const sub = (a: number, b: number): number => a - b;
export const mul = (a: number, b: number): number => a * b;
export const div = (a: number, b: number): number => a / b;
/** `1 / b`: the compiler picks this for a literal 1 numerator, whose rule needs no division. */
export const reciprocal = (one: number, b: number): number => one / b;
export const rem = (a: number, b: number): number => a % b;
export const pow = (a: number, b: number): number => a ** b;
export const neg = (a: number): number => -a;
export const pos = (a: number): number => +a;

// a + b ⇒ ā += ȳ, b̄ += ȳ
defineDerivative(add, {
  reverse: (_args, _y, dy) => [dy, dy],
  forward: (_args, [da, db]) => da + db,
});

// a - b ⇒ ā += ȳ, b̄ -= ȳ
defineDerivative(sub, {
  reverse: (_args, _y, dy) => [dy, -dy],
  forward: (_args, [da, db]) => da - db,
});

// a * b ⇒ ā += ȳ·b, b̄ += ȳ·a
defineDerivative(mul, {
  reverse: ([a, b], _y, dy) => [dy * b, dy * a],
  forward: ([a, b], [da, db]) => da * b + a * db,
});

// a / b ⇒ ā += ȳ/b, b̄ -= ȳ·y/b
defineDerivative(div, {
  reverse: ([, b], y, dy) => [dy / b, (-dy * y) / b],
  forward: ([, b], [da, db], y) => (da - y * db) / b,
});

// 1 / b ⇒ b̄ -= ȳ·y² (y = 1/b): no division in either sweep, and b itself need not be kept
defineDerivative(reciprocal, {
  reverse: ([, b], y, dy) => [0, -dy * y * y],
  forward: (_args, [, db], y) => -db * y * y,
});

// a % b = a - trunc(a/b)·b ⇒ ā += ȳ, b̄ -= ȳ·trunc(a/b)  (trunc' = 0 almost everywhere)
defineDerivative(rem, {
  reverse: ([a, b], _y, dy) => [dy, -dy * Math.trunc(a / b)],
  forward: ([a, b], [da, db]) => da - db * Math.trunc(a / b),
});

// a ** b ⇒ ā += ȳ·b·a^(b-1), b̄ += ȳ·y·ln a  (b̄ is 0 where a ≤ 0: there a^b is only
// defined for integer b, and varies with a alone)
defineDerivative(pow, {
  reverse: ([a, b], y, dy) => [dy * b * a ** (b - 1), a > 0 ? dy * y * Math.log(a) : 0],
  forward: ([a, b], [da, db], y) => da * b * a ** (b - 1) + (a > 0 ? db * y * Math.log(a) : 0),
});

// -a ⇒ ā -= ȳ
defineDerivative(neg, {
  reverse: (_args, _y, dy) => [-dy],
  forward: (_args, [da]) => -da,
});

// +a ⇒ ā += ȳ
defineDerivative(pos, {
  reverse: (_args, _y, dy) => [dy],
  forward: (_args, [da]) => da,
});
