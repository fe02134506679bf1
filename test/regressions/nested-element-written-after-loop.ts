// A loop reads elements of a nested array; after the loop, an element is overwritten
// (`rows[0][0] = 2`). The reverse sweep redoes the loop's reads as if the array had not
// changed, so it reads the new value: wrong gradients. (With a flat array the same program
// is right.) Found by the random programs (features `containerWrites`, `forOf`); shrunk by
// fast-check, then by hand.

/** @differentiable */
export function forOfThenOverwrite(y: number): number {
  const rows: number[][] = [[y, 0.25]];
  let t = 0;
  for (const r of rows) t = Math.sin(r[0]);
  rows[0][0] = 2;
  return t;
}

/** @differentiable */
export function indexLoopThenOverwrite(y: number): number {
  const rows: number[][] = [[y, 0.25]];
  let t = y;
  for (let i = 0; i < rows.length; i++) t = t * 0.9 + Math.sin(rows[i][0] * y);
  rows[0][0] = t;
  return t + rows[0][0];
}

export const points = {
  forOfThenOverwrite: [[0.5], [-1.25]],
  indexLoopThenOverwrite: [[0.5], [-1.25]],
};
