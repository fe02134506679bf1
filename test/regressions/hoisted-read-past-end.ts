// `x[i + 1]` inside an inner loop that runs zero times when i is the last index: the read is
// hoisted out of the inner loop, so it also happens (past the end) at that i, and the
// reverse sweep writes its adjoint there: the gradient array comes back one element longer
// than `x`, that element NaN. Found by the mutation fuzzer (loops.ts, pairEnergy, `x[i]` →
// `x[(i + 1)]`); shrunk by hand.

/** @differentiable */
export function shiftedPairs(x: number[]): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      e += x[i + 1] * x[j];
    }
  }
  return e;
}

export const points = {
  shiftedPairs: [[[0.3, -0.8, 1.5, 0.1]]],
};

