/**
 * Scratch memory for the hand-written gradients that record their forward pass.
 *
 * Input: a length. Output: a Float64Array of at least that length, its contents stale.
 * Invariant: the array is kept and reused across calls, as adgen keeps its tapes, so that
 * neither side of the comparison pays for fresh memory on every call; one user at a time
 * (the hand-written gradients never call one another).
 */
let kept = new Float64Array(0);

export function workspace(length: number): Float64Array {
  if (kept.length < length) kept = new Float64Array(length);
  return kept;
}
