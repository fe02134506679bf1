// A write through a second name for a local array (`const c = b; c[1] = …`) is lost to what
// is read through the first: the gradient of `b[1] * y` is 0, and the forward sweep drops
// the write altogether, so valueAndGrad's value of `b[1] + y` is 0.5 where the function
// gives 0.75. Found by the random programs (feature `aliases`); shrunk by fast-check.

/** @differentiable */
export function aliasWriteArray(y: number): number {
  const b: number[] = new Array(2).fill(0);
  const c = b;
  c[1] = 0.25;
  return b[1] * y;
}

/** @differentiable */
export function aliasWriteTyped(y: number): number {
  const b = new Float64Array(2);
  const c = b;
  c[1] = 0.25;
  return b[1] * y;
}

/** @differentiable */
export function aliasWriteValue(y: number): number {
  const b: number[] = new Array(2).fill(0);
  const c = b;
  c[1] = 0.25;
  return b[1] + y;
}

export const points = {
  aliasWriteArray: [[0.5], [-1.5]],
  aliasWriteTyped: [[0.5], [-1.5]],
  aliasWriteValue: [[0.5]],
};
