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

// The same through a row named in the outer loop: `next` is undefined at the last i, and
// `next[0]` hoisted out of the inner loop made the gradient throw where the function runs.
/** @differentiable */
export function nextRowPairs(m: Float64Array[], x: Float64Array): number {
  let e = 0;
  for (let i = 0; i < m.length; i++) {
    const next = m[i + 1];
    for (let j = i + 1; j < m.length; j++) e += next[0] * x[j];
  }
  return e;
}

export const points = {
  shiftedPairs: [[[0.3, -0.8, 1.5, 0.1]]],
  nextRowPairs: [[[new Float64Array([1, 2]), new Float64Array([3, 4]), new Float64Array([5, 6])], new Float64Array([0.5, 0.25, 2])]],
};

