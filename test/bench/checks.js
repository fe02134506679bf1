// @ts-check
/**
 * What the benchmark checks before it times: that the generated transforms give the numbers
 * the hand-written gradient gives, and the arguments the forward-mode transforms take.
 *
 * Input: a program's argument list, its `wrt`, the hand-written gradient and the generated
 * transforms. Output: the largest relative disagreement of each transform with the hand
 * gradient (0 is exact; the benchmark flags anything above 1e-8). Invariant: the tangent
 * and direction arguments are seeded and shaped like the arguments they go with.
 */

/** @typedef {(seed: number) => () => number} Seeded the seeded generator of test/bench/inputs.ts */

/** Every number of a value (number, array, typed array, nested), in order. */
function flatten(value) {
  if (typeof value === "number") return [value];
  if (value && typeof value === "object" && "length" in value) return Array.from(/** @type {ArrayLike<unknown>} */ (value)).flatMap(flatten);
  return [];
}

/** max |a − b| / max |a|, or Infinity when the shapes differ. */
function disagreement(expected, actual) {
  const [a, b] = [flatten(expected), flatten(actual)];
  if (a.length !== b.length || a.length === 0) return Infinity;
  // a loop, not Math.max(...a): a spread of 10⁵ numbers overflows the stack
  let scale = 1e-300;
  for (const value of a) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return Number.isNaN(worst) ? Infinity : worst;
}

/** A value shaped like `value`, each number from `next` (number, typed array, nested arrays). */
function shapedLike(value, next) {
  if (typeof value === "number") return next();
  if (value instanceof Float64Array || value instanceof Float32Array) return value.map(() => next());
  if (Array.isArray(value)) return value.map((item) => shapedLike(item, next));
  return value;
}

const wrtList = (wrt) => (Array.isArray(wrt) ? wrt : [wrt]);

/**
 * Tangents for `jvp`: random along the `wrt` parameters, zero along the others.
 * @param {Seeded} seeded
 */
function tangentsFor(args, wrt, seeded) {
  const random = seeded(7);
  return args.map((arg, i) => shapedLike(arg, wrtList(wrt).includes(i) ? () => random() * 2 - 1 : () => 0));
}

/**
 * The direction `v` for `hvp`: shaped like the `wrt` parameter, a tuple for several.
 * @param {Seeded} seeded
 */
function directionFor(args, wrt, seeded) {
  const random = seeded(8);
  const parts = wrtList(wrt).map((i) => shapedLike(args[i], () => random() * 2 - 1));
  return Array.isArray(wrt) ? parts : parts[0];
}

/** ⟨gradient, tangent⟩ over the `wrt` parameters: what jvp's tangent must equal. */
function directional(gradient, tangents, wrt) {
  const parts = Array.isArray(wrt) ? gradient : [gradient];
  return wrtList(wrt).reduce((sum, index, k) => {
    const g = flatten(parts[k]);
    const t = flatten(tangents[index]);
    return sum + g.reduce((acc, value, i) => acc + value * t[i], 0);
  }, 0);
}

/** args + h·v along the `wrt` parameters (new arrays for those, the others as they are). */
function moved(args, wrt, v, h) {
  const parts = Array.isArray(wrt) ? v : [v];
  return args.map((arg, index) => {
    const k = wrtList(wrt).indexOf(index);
    if (k < 0) return arg;
    const step = flatten(parts[k]);
    const values = flatten(arg).map((x, i) => x + h * step[i]);
    let next = 0;
    return shapedLike(arg, () => values[next++]);
  });
}

/**
 * Disagreement of each available generated transform with the hand-written gradient at
 * `args`: grad directly, jvp with ⟨∇f, t⟩, hvp with central differences of the hand gradient
 * along v (agreeing to ~1e-8 at best, being a finite difference).
 * @param {{ grad?: Function, jvp?: Function, hvp?: Function }} transforms
 * @param {(...args: any[]) => unknown} hand
 * @param {Seeded} seeded
 */
function checkAgainstHand(transforms, hand, args, wrt, seeded) {
  /** @type {Record<string, number>} */
  const result = {};
  const exact = hand(...args);
  if (transforms.grad) result.grad = disagreement(exact, transforms.grad(...args));
  if (transforms.jvp) {
    const tangents = tangentsFor(args, wrt, seeded);
    const out = /** @type {unknown[]} */ (transforms.jvp(args, tangents));
    result.jvp = disagreement([directional(exact, tangents, wrt)], [out[1]]);
  }
  if (transforms.hvp) {
    const v = directionFor(args, wrt, seeded);
    const h = 1e-5;
    const up = flatten(hand(...moved(args, wrt, v, h)));
    const down = flatten(hand(...moved(args, wrt, v, -h)));
    result.hvp = disagreement(up.map((value, i) => (value - down[i]) / (2 * h)), transforms.hvp(...args, v));
  }
  return result;
}

module.exports = { checkAgainstHand, tangentsFor, directionFor, disagreement };
