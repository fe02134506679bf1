// A copy of a flat array parameter (or of a parameter's row), stored into a container
// beside a local row, made every row of the container count as the parameter's: a write through the container to the
// local row was ADG1003 ("writes into an array … this function did not create"). Found by
// the random programs (features rowStores, containerWrites, copies).

/** @differentiable */
export function storedCopy(x: Float64Array, y: number): number {
  const row: number[] = [y, 0.5];
  const rows: number[][] = [row];
  rows.push(Array.from(x));
  rows[0][0] -= Math.tanh(y * x[1]);
  rows[1][1] *= y;
  return rows[0][0] * rows[1][0] + rows[1][1] + x[1];
}

/** @differentiable */
export function storedRowCopy(x: Float64Array, y: number, m: number[][]): number {
  const rows: number[][] = [[y, 0.25]];
  rows[0][0] = rows[0][0] * 0.9 + Math.sin(y);
  rows.push(Array.from(m[1]));
  rows[1][0] *= y;
  return rows[0][0] + rows[1][0] * x[0];
}

export const points = {
  storedCopy: [[new Float64Array([0.3, -0.7]), 1.2]],
  storedRowCopy: [[new Float64Array([0.3, -0.7]), 1.2, [[0.5, 1], [-0.4, 2]]]],
};
