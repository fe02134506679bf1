// The adjoint of `Math.max(z, 0)` selects which argument gets the cotangent; the cotangent
// of `sigmoid`'s argument, computed by `sigmoid_reverse` (which pops the tapes
// `sigmoid_forward` pushed), was folded into that select, so it ran only when z won. When
// it did not, its tape entries stayed, and `gelu_reverse` read them: a wrong gradient.
// Found by the mutation fuzzer (model.ts, neuron, `z` → `Math.max(z, 0)`).

/** @differentiable */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** @differentiable */
export const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x ** 3)));

/** @differentiable */
export function neuron(w: number, b: number, x: number): number {
  const z = w * x + b;
  return gelu(z) + sigmoid(Math.max(z, 0)) * Math.exp(-z);
}

export const points = {
  neuron: [[0.5, -0.1, 2], [-1.2, 0.3, 0.7]],
};
