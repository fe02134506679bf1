// The adjoint of `return Math.max(x, 0)` reads the value returned. In the reverse half a
// caller uses (`evenStep_reverse`), that value was not among what crosses from the forward
// half: it was assigned again in the other branch's adjoint, which was taken for an
// assignment on every path, so the reverse half read its initial 0 and chose the wrong
// argument (gradient 0). Found by the mutation fuzzer (recursion.ts, evenStep, `x` →
// `Math.max(x, 0)`).

/** @differentiable */
export function evenStep(x: number, n: number): number {
  if (n <= 0) return Math.max(x, 0);
  return oddStep(Math.cos(x) + 0.5 * x, n - 1);
}

/** @differentiable */
export function oddStep(x: number, n: number): number {
  if (n <= 0) return x * x;
  return evenStep(1.5 * Math.sin(x), n - 1);
}

export const points = {
  evenStep: [[0.3, 0], [0.3, 1], [0.3, 5], [-1.1, 8]],
  oddStep: [[0.3, 0], [0.3, 3], [0.8, 6]],
};

export const integerArgs = {
  evenStep: [1],
  oddStep: [1],
};
