// A row that has a name and sits in a container, written through the container
// (`rows[0][1] = …`) and then read through its name: the gradient is 0. In a loop, even
// valueAndGrad's value is wrong (0.5 where the function gives 1.638). Found by the random
// programs (feature `containerWrites`, `rows` starting as `[row]`); shrunk by fast-check,
// then by hand.

/** @differentiable */
export function containerWriteToNamedRow(y: number): number {
  const row: number[] = [y, 0.5];
  const rows: number[][] = [row];
  rows[0][1] = Math.tanh(row[0]);
  return row[1];
}

/** @differentiable */
export function containerWriteInLoop(y: number, n: number): number {
  const row: number[] = [y, 0.5];
  const rows: number[][] = [row];
  for (let i = 0; i < n; i++) rows[0][0] = rows[0][0] * 0.9 + Math.sin(row[0]);
  return row[0];
}

export const points = {
  containerWriteToNamedRow: [[0.5], [-1.25]],
  containerWriteInLoop: [[0.5, 2], [-1.25, 3]],
};

export const integerArgs = {
  containerWriteInLoop: [1],
};
