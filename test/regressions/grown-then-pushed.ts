// A number[] grown by an index write past its end (`g[g.length] = y`) and then by a push,
// twice: the reverse sweep pops the push's adjoint off the adjoint array (`ḡ.pop()`), but
// undoing the index write leaves its slot in place, so the earlier push takes the adjoint of
// the later index write's element and the earlier element's adjoint is lost (here from the
// second trip of the outer loop on). No recursion needed. Found by the random programs
// (feature `growWrites`, a recursive program of the fixed set: seed 20261124, file 18,
// program 12); shrunk by fast-check, then by hand.

/** @differentiable */
export function grownThenPushed(y: number, n: number): number {
  const g: number[] = [y];
  let s = y;
  for (let i = 0; i < n; i++) {
    g[g.length] = y;
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < g.length; k++) s = s * 0.9 + Math.sin(g[k] * y);
      g.push(y);
    }
  }
  return s;
}

/** Without loops: index write, push, index write, push. */
/** @differentiable */
export function alternating(y: number): number {
  const g: number[] = [y];
  g[g.length] = y * 2;
  g.push(Math.sin(y));
  g[g.length] = y * y;
  g.push(Math.cos(y));
  return g[0] * g[1] + g[2] * g[3] + g[4] * 0.5;
}

export const points = {
  grownThenPushed: [[-0.01, 1], [-0.01, 2], [0.7, 4]],
  alternating: [[0.3], [-1.2]],
};

export const integerArgs = {
  grownThenPushed: [1],
};
