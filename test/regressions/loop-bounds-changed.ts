// Loops whose bounds the body changes in ways the lowering did not see. A `for…of` over an
// array variable the loop body rebinds: the array's iterator keeps the array the loop began
// with, but the loop read the variable again at every step, so the elements after the first
// came from the new array (found by the random programs, features `forOf`, `rebinds`; shrunk
// by fast-check). Then, found looking for the same mistake elsewhere: a rebinding, a `push`
// or a module variable's change inside a local function or a function adgen cannot see
// into, called from the body, left the loop counted with the bounds it began with.

let limit = 3;
function setLimit(n: number): void {
  limit = n;
}
function grow(row: number[]): void {
  if (row.length < 5) row.push(row.length);
}

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

/** @differentiable */
export function grownByLocalFunction(y: number): number {
  const row: number[] = [y, 0.5];
  const push = (v: number) => {
    if (row.length < 5) row.push(v * y);
  };
  let s = 0;
  for (const v of row) {
    s += v;
    push(v);
  }
  return s;
}

/** @differentiable */
export function boundGrownByLocalFunction(y: number): number {
  const row: number[] = [y, 0.5];
  const push = (v: number) => {
    if (row.length < 5) row.push(v * y);
  };
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    s += row[i];
    push(row[i]);
  }
  return s;
}

/** @differentiable */
export function grownByUnseenCall(y: number): number {
  const row: number[] = [1, 0.5];
  let s = 0;
  for (const v of row) {
    s += v * y;
    grow(row);
  }
  return s;
}

/** @differentiable */
export function boundGrownByUnseenCall(y: number): number {
  const row: number[] = [1, 0.5];
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    s += row[i] * y;
    grow(row);
  }
  return s;
}

/** @differentiable */
export function moduleBoundChangedByUnseenCall(y: number): number {
  setLimit(3);
  let s = 0;
  for (let i = 0; i < limit; i++) {
    s += y * (i + 1);
    setLimit(2);
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
  grownByLocalFunction: [[0.8]],
  boundGrownByLocalFunction: [[0.8]],
  grownByUnseenCall: [[0.8]],
  boundGrownByUnseenCall: [[0.8]],
  moduleBoundChangedByUnseenCall: [[0.8]],
};

export const withEffects = ["grownByUnseenCall", "boundGrownByUnseenCall", "moduleBoundChangedByUnseenCall"];
