// The gradient of a recursive function overflows the stack at a depth the function itself
// reaches: here 5000 levels (the primal reaches ~8,000 on Node's default stack, the
// gradient ~3,000). Found by the mutation fuzzer's deep-recursion inputs (recursion.ts,
// tanTail and evenStep at depths 3000 and up).

/**
 * The tail of the continued fraction tan x = x / (1 − x²/(3 − x²/(5 − …))), `depth` levels deep.
 * @differentiable
 */
export function tanTail(x2: number, k: number, depth: number): number {
  if (depth === 0) return 2 * k - 1;
  return 2 * k - 1 - x2 / tanTail(x2, k + 1, depth - 1);
}

export const points = {
  tanTail: [[0.49, 1, 5000]],
};

export const integerArgs = {
  tanTail: [2],
};
