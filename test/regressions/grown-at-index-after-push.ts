// A number[] pushed, then grown by an index write past its end at an index that is not
// written `g[g.length]` (which is lowered as a push): undoing the index write left its slot
// in the adjoint array, so the earlier push's adjoint popped that slot instead of its own.
// In a function that pushes or pops, an index write into a number[] now keeps its shadow's
// length before the write, and its adjoint cuts the shadow back to it
// (reverse/shadows.ts, lengthBefore). Found by the random programs (see grown-then-pushed.ts).

/** @differentiable */
export function grownAtIndex(y: number): number {
  const g: number[] = [y];
  g.push(Math.sin(y));
  const end = g.length;
  g[end] = y * y;
  return g[0] * g[1] + g[2];
}

/** In a loop: pushes, writes past the end by two (a hole), pops; the lengths go on the tape. */
/** @differentiable */
export function grownInLoop(y: number, n: number): number {
  const g: number[] = [y];
  let s = 0;
  for (let i = 0; i < n; i++) {
    g.push(Math.sin(y * (i + 1)));
    const at = g.length + (i % 2);
    g[at] = y * y + i;
    if (g[at - 1] === undefined) g[at - 1] = 0.5 * y;
    s += g.pop()! * g[g.length - 1];
  }
  return s + g[0] * g.length;
}

export const points = {
  grownAtIndex: [[0.3], [-1.2]],
  grownInLoop: [[0.3, 1], [0.3, 4], [-0.8, 5]],
};

export const integerArgs = {
  grownInLoop: [1],
};
