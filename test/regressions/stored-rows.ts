// Rows stored into a nested array. A row replaced by a new one (`rows[0] = [y, y]`) keeps
// the old row's adjoint: the gradient is doubled; replaced by another row of the container
// (`rows[1] = rows[0]`, two slots for one row), the gradient is halved. A row stored past the end
// (`rows[rows.length] = [y, y]`) gets no adjoint row: the gradient throws `TypeError:
// Cannot read properties of undefined`. Found by the random programs (feature
// `rowStores`); shrunk by fast-check.

/** @differentiable */
export function rowReplaced(y: number): number {
  const rows: number[][] = [[y, 0.25]];
  rows[0] = [y, y];
  return rows[0][0];
}

/** @differentiable */
export function rowAppendedByIndex(y: number): number {
  const rows: number[][] = [[y, 0.25]];
  rows[rows.length] = [y, y];
  return rows[0][0] * rows[1][1];
}

/** @differentiable */
export function rowReplacedByAnother(y: number): number {
  const rows: number[][] = [[y, 0.25], [0.5, 0.5]];
  rows[1] = rows[0];
  return rows[1][0] * y;
}

export const points = {
  rowReplaced: [[0.5], [-1.25]],
  rowAppendedByIndex: [[0.5], [-1.25]],
  rowReplacedByAnother: [[0.5], [-1.25]],
};
