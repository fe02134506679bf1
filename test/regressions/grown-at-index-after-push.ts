// A number[] pushed, then grown by an index write past its end at an index that is not
// written `g[g.length]` (which is lowered as a push): undoing the index write leaves its
// slot in the adjoint array, so the earlier push's adjoint pops that slot instead of its own.
// Not fixed yet (the index write's adjoint would have to put the adjoint array's length back
// as it was before the write); `g[g.length] = e` is the form to write meanwhile.

/** @differentiable */
export function grownAtIndex(y: number): number {
  const g: number[] = [y];
  g.push(Math.sin(y));
  const end = g.length;
  g[end] = y * y;
  return g[0] * g[1] + g[2];
}

export const points = {
  grownAtIndex: [[0.3], [-1.2]],
};
