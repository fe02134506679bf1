// The micro suite's two scalar functions of its own; their hand-written gradients are in
// micro-hand.ts with those of the fixtures' functions the suite times.

/** @differentiable */
export function rosenbrock(x: number, y: number): number {
  const a = 1 - x;
  const b = y - x * x;
  return a * a + 100 * b * b;
}

/** @differentiable */
export function neuron(w: number, b: number, x: number, target: number): number {
  const z = w * x + b;
  const s = 1 / (1 + Math.exp(-z));
  const err = s * Math.tanh(z) - target;
  return err * err;
}
