// A call given no active argument assigned to a variable that is active elsewhere (it is
// overwritten later with an active value), in a loop: the reverse sweep did not run the call
// back, and so did not end its target's adjoint either, and the previous trip's overwrite
// (`q = s * 0.5`) received the adjoint gathered for the call's result. Found by the random
// programs with recursion (a recursive call with a passive `y`, its result in a local that
// is overwritten later; seed 20261124, file 20, program 48); shrunk by fast-check, then by
// hand. The adjoint of such a call now sets its target's adjoint to zero, as any
// assignment's does (reverse/calls.ts). `overwrittenHelperResult` is the same shape with a
// helper (it passed before: its loop's adjoint is laid out otherwise), kept as a guard.

/** @differentiable */
export function overwrittenResult(x: Float64Array, y: number, n: number): number {
  let s = y;
  if (n > 0) {
    for (const v of x) {
      let q = overwrittenResult(x, 0.5, n - 1);
      s += Math.tanh(q * q);
      q = s * 0.5;
    }
  }
  return y + s;
}

/** A loop keeps it from being inlined. */
/** @differentiable */
export function bump(u: number): number {
  let b = 1;
  for (let k = 0; k < 2; k++) b = b * 0.5 + Math.sin(u + k);
  return b;
}

/** @differentiable */
export function overwrittenHelperResult(y: number): number {
  let s = y;
  for (let i = 0; i < 3; i++) {
    let q = bump(i * 0.5);
    s = s * Math.cos(q) + y;
    q = s * 0.5;
  }
  return s;
}

export const points = {
  overwrittenResult: [[new Float64Array([0.4, -0.2]), 0.3, 0], [new Float64Array([0.4, -0.2]), 0.3, 1], [new Float64Array([0.4, -0.2]), -0.6, 3]],
  bump: [[0.3]],
  overwrittenHelperResult: [[0.3], [-0.8]],
};

export const integerArgs = {
  overwrittenResult: [2],
};
