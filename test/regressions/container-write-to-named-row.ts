// A row that has a name and sits in a container, written through the container
// (`rows[0][1] = …`) and then read through its name: the gradient is 0. Found by the random
// programs (feature `containerWrites`, `rows` starting as `[row]`); shrunk by hand.

/** @differentiable */
export function containerWriteToNamedRow(y: number): number {
  const row: number[] = [y, 0.5];
  const rows: number[][] = [row];
  rows[0][1] = Math.tanh(row[0]);
  return row[1];
}

export const points = {
  containerWriteToNamedRow: [[0.5], [-1.25]],
};
