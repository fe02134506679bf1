// A call of a differentiable function that leaves an optional or defaulted parameter out.
// The generated halves and tangent functions take the callee's parameters and then their
// own (the result's cotangent, the arguments' tangents): called with the arguments as
// written, those landed in the left-out parameter's place, so the reverse half read its
// seed as `undefined` (NaN) and the tangent took `x_dot` for the defaulted weight. Each
// left-out argument is now passed as `undefined`, which applies its default as the call would.

/** @differentiable */
export function scaled(x: number, weight: number = 3, shift?: number): number {
  return Math.sin(x) * weight + (shift === undefined ? 0 : shift * x);
}

/** @differentiable */
export function caller(x: number): number {
  return scaled(x * x) + 0.5 * scaled(x, 2) + scaled(x, 1.5, 0.25);
}

/** @differentiable */
export function overArray(xs: number[]): number {
  let s = 0;
  for (const v of xs.map((x) => scaled(x))) s += v * v;
  return s;
}

export const points = {
  caller: [[0.4], [-1.3]],
  overArray: [[[0.4, -0.8, 1.5]]],
};
