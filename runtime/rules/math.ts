/**
 * Derivative rules of the differentiable `Math` functions.
 *
 * Each rule is a template the compiler reads from this file and inlines, with the call's
 * arguments, result and cotangent substituted for the rule's parameters, so the generated
 * code shows the calculus itself (`x̄ += ȳ·cos x`). The form is the one users write for
 * their own functions (`defineDerivative`). A new primitive is a new rule here, nothing more.
 *
 * Conventions where a function has a kink or is flat: the derivative is the one-sided
 * value stated beside the rule; a step function's derivative is 0.
 */
import { defineDerivative } from "../derivatives.js";

// sin' = cos
defineDerivative(Math.sin, {
  reverse: ([x], _y, dy) => [dy * Math.cos(x)],
  forward: ([x], [dx]) => dx * Math.cos(x),
});

// cos' = -sin
defineDerivative(Math.cos, {
  reverse: ([x], _y, dy) => [-dy * Math.sin(x)],
  forward: ([x], [dx]) => -dx * Math.sin(x),
});

// tan' = 1 + tan²
defineDerivative(Math.tan, {
  reverse: (_args, y, dy) => [dy * (1 + y * y)],
  forward: (_args, [dx], y) => dx * (1 + y * y),
});

// asin' = 1/√(1-x²)
defineDerivative(Math.asin, {
  reverse: ([x], _y, dy) => [dy / Math.sqrt(1 - x * x)],
  forward: ([x], [dx]) => dx / Math.sqrt(1 - x * x),
});

// acos' = -1/√(1-x²)
defineDerivative(Math.acos, {
  reverse: ([x], _y, dy) => [-dy / Math.sqrt(1 - x * x)],
  forward: ([x], [dx]) => -dx / Math.sqrt(1 - x * x),
});

// atan' = 1/(1+x²)
defineDerivative(Math.atan, {
  reverse: ([x], _y, dy) => [dy / (1 + x * x)],
  forward: ([x], [dx]) => dx / (1 + x * x),
});

// atan2(y, x) ⇒ ȳ += z̄·x/(x²+y²), x̄ -= z̄·y/(x²+y²)
defineDerivative(Math.atan2, {
  reverse: ([a, b], _z, dz) => [(dz * b) / (a * a + b * b), (-dz * a) / (a * a + b * b)],
  forward: ([a, b], [da, db]) => (da * b - db * a) / (a * a + b * b),
});

// sinh' = cosh
defineDerivative(Math.sinh, {
  reverse: ([x], _y, dy) => [dy * Math.cosh(x)],
  forward: ([x], [dx]) => dx * Math.cosh(x),
});

// cosh' = sinh
defineDerivative(Math.cosh, {
  reverse: ([x], _y, dy) => [dy * Math.sinh(x)],
  forward: ([x], [dx]) => dx * Math.sinh(x),
});

// tanh' = 1 - tanh²
defineDerivative(Math.tanh, {
  reverse: (_args, y, dy) => [dy * (1 - y * y)],
  forward: (_args, [dx], y) => dx * (1 - y * y),
});

// asinh' = 1/√(x²+1)
defineDerivative(Math.asinh, {
  reverse: ([x], _y, dy) => [dy / Math.sqrt(x * x + 1)],
  forward: ([x], [dx]) => dx / Math.sqrt(x * x + 1),
});

// acosh' = 1/√(x²-1)
defineDerivative(Math.acosh, {
  reverse: ([x], _y, dy) => [dy / Math.sqrt(x * x - 1)],
  forward: ([x], [dx]) => dx / Math.sqrt(x * x - 1),
});

// atanh' = 1/(1-x²)
defineDerivative(Math.atanh, {
  reverse: ([x], _y, dy) => [dy / (1 - x * x)],
  forward: ([x], [dx]) => dx / (1 - x * x),
});

// exp' = exp
defineDerivative(Math.exp, {
  reverse: (_args, y, dy) => [dy * y],
  forward: (_args, [dx], y) => dx * y,
});

// expm1' = exp = expm1 + 1
defineDerivative(Math.expm1, {
  reverse: (_args, y, dy) => [dy * (y + 1)],
  forward: (_args, [dx], y) => dx * (y + 1),
});

// log' = 1/x
defineDerivative(Math.log, {
  reverse: ([x], _y, dy) => [dy / x],
  forward: ([x], [dx]) => dx / x,
});

// log1p' = 1/(1+x)
defineDerivative(Math.log1p, {
  reverse: ([x], _y, dy) => [dy / (1 + x)],
  forward: ([x], [dx]) => dx / (1 + x),
});

// log2' = 1/(x·ln 2)
defineDerivative(Math.log2, {
  reverse: ([x], _y, dy) => [dy / (x * Math.LN2)],
  forward: ([x], [dx]) => dx / (x * Math.LN2),
});

// log10' = 1/(x·ln 10)
defineDerivative(Math.log10, {
  reverse: ([x], _y, dy) => [dy / (x * Math.LN10)],
  forward: ([x], [dx]) => dx / (x * Math.LN10),
});

// pow(a, b) ⇒ ā += ȳ·b·a^(b-1), b̄ += ȳ·y·ln a  (b̄ is 0 where a ≤ 0, as for **)
defineDerivative(Math.pow, {
  reverse: ([a, b], y, dy) => [dy * b * a ** (b - 1), a > 0 ? dy * y * Math.log(a) : 0],
  forward: ([a, b], [da, db], y) => da * b * a ** (b - 1) + (a > 0 ? db * y * Math.log(a) : 0),
});

// sqrt' = 1/(2√x)
defineDerivative(Math.sqrt, {
  reverse: (_args, y, dy) => [dy / (2 * y)],
  forward: (_args, [dx], y) => dx / (2 * y),
});

// cbrt' = 1/(3·∛x²)
defineDerivative(Math.cbrt, {
  reverse: (_args, y, dy) => [dy / (3 * y * y)],
  forward: (_args, [dx], y) => dx / (3 * y * y),
});

// hypot(x₁…xₙ) ⇒ x̄ᵢ += ȳ·xᵢ/y  (0 at the origin, where hypot has a kink)
defineDerivative(Math.hypot, {
  reverse: (xs, y, dy) => xs.map((x) => (y === 0 ? 0 : (dy * x) / y)),
  forward: (xs, dxs, y) => xs.reduce((s, x, i) => s + (y === 0 ? 0 : (dxs[i] * x) / y), 0),
});

// max(x₁…xₙ) ⇒ the first argument equal to the result takes ȳ, the others 0
defineDerivative(Math.max, {
  reverse: (xs, y, dy) => xs.map((_x, i) => (xs.indexOf(y) === i ? dy : 0)),
  forward: (xs, dxs, y) => dxs[xs.indexOf(y)],
});

// min(x₁…xₙ) ⇒ the first argument equal to the result takes ȳ, the others 0
defineDerivative(Math.min, {
  reverse: (xs, y, dy) => xs.map((_x, i) => (xs.indexOf(y) === i ? dy : 0)),
  forward: (xs, dxs, y) => dxs[xs.indexOf(y)],
});

// |x|' = sign(x), and 0 at 0
defineDerivative(Math.abs, {
  reverse: ([x], _y, dy) => [dy * Math.sign(x)],
  forward: ([x], [dx]) => dx * Math.sign(x),
});

// Step functions: flat almost everywhere, derivative 0.
defineDerivative(Math.sign, { reverse: () => [0], forward: () => 0 });
defineDerivative(Math.floor, { reverse: () => [0], forward: () => 0 });
defineDerivative(Math.ceil, { reverse: () => [0], forward: () => 0 });
defineDerivative(Math.round, { reverse: () => [0], forward: () => 0 });
defineDerivative(Math.trunc, { reverse: () => [0], forward: () => 0 });

// fround rounds to the nearest float32: the identity up to rounding, derivative 1
defineDerivative(Math.fround, {
  reverse: (_args, _y, dy) => [dy],
  forward: (_args, [dx]) => dx,
});
