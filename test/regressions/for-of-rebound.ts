// A `for…of` over an array variable the loop body rebinds: the array's iterator keeps the
// array the loop began with, but the loop read the variable again at every step, so the
// elements after the first came from the new array. Also through a local function the body
// calls, and on the path of loops that leave early. Found by the random programs (features
// `forOf`, `rebinds`); shrunk by fast-check.

/** @differentiable */
export function reboundInBody(y: number): number {
  let row: number[] = [y, 0.5];
  for (const v of row) {
    row = [v, y];
  }
  return row[0] + 2 * row[1];
}

/** @differentiable */
export function reboundElementsUsed(y: number): number {
  let row: number[] = [0.5, y];
  let s = 0;
  for (const v of row) {
    s += v * v;
    row = [v * y, 3];
  }
  return s + row[0] * row[1];
}

/** @differentiable */
export function reboundByLocalFunction(y: number): number {
  let row: number[] = [y, 0.5];
  const swap = (v: number) => {
    row = [v * y, 3];
  };
  let s = 0;
  for (const v of row) {
    s += v;
    swap(v);
  }
  return s + row[0];
}

/** @differentiable */
export function reboundWithBreak(y: number, n: number): number {
  let row: number[] = [y, 2 * y, 0.5];
  let s = 0;
  for (const v of row) {
    if (s > n) break;
    s += v * y;
    row = [s, 1];
  }
  return s + row[0];
}

/** @differentiable */
export function reboundParameter(xs: number[], y: number): number {
  let s = 0;
  for (const v of xs) {
    s += v * y;
    xs = [s, y];
  }
  return s + xs[0];
}

/** @differentiable */
export function boundReboundByLocalFunction(y: number): number {
  let n = 3;
  const shrink = () => {
    n = 2;
  };
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += y * (i + 1);
    shrink();
  }
  return s;
}

export const points = {
  reboundInBody: [[0.8]],
  reboundElementsUsed: [[0.8], [-1.3]],
  reboundByLocalFunction: [[0.8]],
  reboundWithBreak: [[0.8, 10], [0.8, 1]],
  reboundParameter: [[[0.5, -1, 2], 0.7]],
  boundReboundByLocalFunction: [[0.8]],
};
