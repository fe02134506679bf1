// Index writes past the end of a fresh `[]` (`g[k] = …` for k = 0, 1, 2), or of an array
// made by `new Array(n).fill(0)`, do not grow its adjoint array: the gradient is NaN. Found
// by the random programs (feature `growWrites`; shrunk by fast-check) and by the mutation
// fuzzer (arrays.ts, outer, `v.length` → `u.length`; shrunk by hand).

/** @differentiable */
export function grownByIndex(y: number): number {
  const g: number[] = [];
  for (let k = 0; k < 3; k++) g[k] = y * (k + 1);
  return g[0] + g[2];
}

/** @differentiable */
export function filledThenGrown(u: number[], v: number[]): number {
  const row = new Array<number>(u.length).fill(0);
  for (let j = 0; j < v.length; j++) row[j] = u[0] * v[j];
  return row[row.length - 1];
}

export const points = {
  grownByIndex: [[0.5], [-1.25]],
  filledThenGrown: [[[0.5, -1.1], [0.3, 2, -0.4]]],
};
