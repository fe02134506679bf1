// A local array name (or an object's array field) rebound to a new array keeps the old
// array's adjoint: what flows into the new array's elements also flows to whatever the old
// one was built from, so these gradients come out doubled (or from nothing). The same with
// a copy: `ca = b.slice()`, `ca = ca.slice()`, `ca = Array.from(ca)`. Found by the random
// programs (features `copies`, `rebinds`, `objectStores`); shrunk by fast-check.

/** @differentiable */
export function reboundToLiteral(y: number): number {
  let row: number[] = [y, 0.5];
  row = [0.25, 0.5];
  return row[0] + y;
}

/** @differentiable */
export function reboundToCopy(y: number): number {
  const b: number[] = [0, 0];
  let ca: number[] = [0.5, y];
  ca = b.slice();
  return ca[1] + y;
}

/** @differentiable */
export function reboundToOwnSlice(y: number): number {
  let ca: number[] = [0.5, y];
  ca = ca.slice();
  return ca[1];
}

/** @differentiable */
export function reboundToOwnArrayFrom(y: number): number {
  let ca: number[] = [0.5, y];
  ca = Array.from(ca);
  return ca[1];
}

/** @differentiable */
export function fieldReboundToLiteral(y: number): number {
  const obj: { w: number[]; v: number } = { w: [y, 0.5], v: y };
  obj.w = [0.25, y];
  return obj.w[0] + obj.w[1];
}

export const points = {
  reboundToLiteral: [[0.5]],
  reboundToCopy: [[0.5]],
  reboundToOwnSlice: [[0.5]],
  reboundToOwnArrayFrom: [[0.5]],
  fieldReboundToLiteral: [[0.5]],
};
