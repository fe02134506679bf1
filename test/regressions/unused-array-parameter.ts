// A @differentiable function that never reads an array parameter, called with an active
// array: the caller passed the array's shadow, but the callee's halves, the parameter being
// inactive in them, took none, so every later argument landed one place off (the seed of the
// reverse half became the shadow): the gradient was NaN. Found by the random programs with
// mutual recursion (feature `mutualRecursion`: `copyDown` passes its copy `z` to `walkDown`,
// which never reads its `x`); shrunk by fast-check. An array parameter now carries a
// derivative only when it reaches the result (ir/carried.ts), and callers pass shadows only
// for parameters that carry one (reverse/calls.ts).

/** @differentiable */
export function ignoresArray(x: Float64Array, y: number): number {
  return y * y;
}

/** @differentiable */
export function callsWithActiveArray(x: Float64Array, y: number): number {
  const a = new Float64Array(2);
  a[0] = y * x[1];
  return ignoresArray(a, y) + a[0];
}

/** @differentiable */
export function walkDown(x: Float64Array, y: number, n: number): number {
  const a = new Float64Array(2);
  let s = y;
  if (n > 0) s = s * 0.5 + 0.25 * copyDown(a, y, n - 1);
  return s + 0.125 * (a[0] + a[a.length - 1]);
}

/** @differentiable */
export function copyDown(x: Float64Array, y: number, n: number): number {
  const z = Float64Array.from(x);
  z[0] = Math.tanh(y + z[z.length - 1]);
  return walkDown(z, y * 0.8, n) + 0.5 * z[0];
}

export const points = {
  ignoresArray: [[new Float64Array([0.5, -0.3]), 0.7]],
  callsWithActiveArray: [[new Float64Array([0.5, -0.3]), 0.7]],
  walkDown: [[new Float64Array([0.2, 0.4]), 0.3, 0], [new Float64Array([0.2, 0.4]), 0.3, 1], [new Float64Array([0.2, 0.4]), -0.6, 4]],
  copyDown: [[new Float64Array([0.2, 0.4]), 0.3, 2]],
};

export const integerArgs = {
  walkDown: [2],
  copyDown: [2],
};
