// Index writes past the end of a fresh `[]` (`g[k] = …` for k = 0, 1, 2) do not grow its
// adjoint array: the gradient is NaN. Found by the random programs (feature `growWrites`);
// shrunk by fast-check.

/** @differentiable */
export function grownByIndex(y: number): number {
  const g: number[] = [];
  for (let k = 0; k < 3; k++) g[k] = y * (k + 1);
  return g[0] + g[2];
}

export const points = {
  grownByIndex: [[0.5], [-1.25]],
};
