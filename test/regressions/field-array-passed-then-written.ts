// An array held in an object field, passed to a @differentiable function and then written
// (`obj.w[0] = s`): the callee's reverse half reads the array as it is after the write, so
// the gradient is wrong (-0.269 for -0.163 at y = 0.3). The same with a plain local array
// is right. Found by the random programs (feature `objectStores`); shrunk by fast-check,
// then by hand.

/** @differentiable */
export function sumA(v: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) acc = acc * 0.5 + Math.sin(v[i] * u + i);
  return acc;
}

/** @differentiable */
export function fieldPassedThenWritten(y: number): number {
  const obj: { w: number[]; v: number } = { w: [y, 0.5], v: y };
  const s = sumA(obj.w, y);
  obj.w[0] = s;
  return s;
}

export const points = {
  fieldPassedThenWritten: [[0.3], [-0.8]],
};
