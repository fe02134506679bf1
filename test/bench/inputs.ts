/**
 * Seeded inputs of the benchmark programs, shared by `npm run bench` and its fast test.
 *
 * Input: sizes and a seed. Output: argument lists in each program's parameter order.
 * Invariant: the same sizes and seed give the same numbers on every machine (a 32-bit
 * generator, no Math.random), so a figure can be reproduced and two runs compared.
 */

/** A uniform generator on [0, 1) (mulberry32): small, fast, and good enough for test data. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` numbers drawn uniformly from [low, high). */
function uniform(random: () => number, length: number, low: number, high: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = low + (high - low) * random();
  return out;
}

export type GmmArgs = [Float64Array, Float64Array, Float64Array, Float64Array, number, number];

/**
 * `gmmObjective`'s arguments: k components in d dimensions, n points, as ADBench draws them
 * (uniform points and means, small log-diagonals and lower entries), Wishart γ = 1, m = 0.
 */
export function gmmArgs(d: number, k: number, n: number, seed = 1): GmmArgs {
  const random = seeded(seed);
  const icfSize = (d * (d + 1)) / 2;
  return [
    uniform(random, k, -1, 1),
    uniform(random, k * d, 0, 1),
    uniform(random, k * icfSize, -0.5, 0.5),
    uniform(random, n * d, 0, 1),
    1,
    0,
  ];
}

/** The same problem restricted to its first `n` points (for how a cost grows with n). */
export function gmmFirstPoints(args: GmmArgs, n: number): GmmArgs {
  const d = args[1].length / args[0].length;
  return [args[0], args[1], args[2], args[3].subarray(0, n * d), args[4], args[5]];
}

export type LstmArgs = [Float64Array, Float64Array, Float64Array, Float64Array];

/**
 * `lstmObjective`'s arguments: `layers` layers of hidden size b, a text of c characters
 * from an alphabet of b, one-hot encoded; parameters and state uniform in [−1, 1).
 */
export function lstmArgs(layers: number, b: number, c: number, seed = 2): LstmArgs {
  const random = seeded(seed);
  const mainParams = uniform(random, 8 * layers * b, -1, 1);
  const extraParams = uniform(random, 3 * b, -1, 1);
  const state = uniform(random, 2 * layers * b, -1, 1);
  const sequence = new Float64Array(c * b);
  for (let t = 0; t < c; t++) sequence[t * b + Math.floor(random() * b)] = 1;
  return [mainParams, extraParams, state, sequence];
}

export type MlpArgs = [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];

/** `mlpLoss`'s arguments for an nIn → nHidden → nOut perceptron, weights scaled by 1/√fan-in. */
export function mlpArgs(nIn: number, nHidden: number, nOut: number, seed = 3): MlpArgs {
  const random = seeded(seed);
  return [
    uniform(random, nHidden * nIn, -1 / Math.sqrt(nIn), 1 / Math.sqrt(nIn)),
    uniform(random, nHidden, -0.5, 0.5),
    uniform(random, nOut * nHidden, -1 / Math.sqrt(nHidden), 1 / Math.sqrt(nHidden)),
    uniform(random, nOut, -0.5, 0.5),
    uniform(random, nIn, -1, 1),
    uniform(random, nOut, -1, 1),
  ];
}

export type LogisticArgs = [Float64Array, number, number[][], number[]];

/** `logisticLoss`'s arguments: `rows` rows of `features` features, labels 0 or 1. */
export function logisticArgs(rows: number, features: number, seed = 4): LogisticArgs {
  const random = seeded(seed);
  const xs = Array.from({ length: rows }, () => Array.from(uniform(random, features, -1, 1)));
  const ys = xs.map(() => (random() < 0.5 ? 0 : 1));
  return [uniform(random, features, -0.3, 0.3), 0.1, xs, ys];
}

/** `count` argument lists of `arity` numbers in [−1.5, 1.5), for the scalar functions. */
export function scalarArgs(count: number, arity: number, seed = 5): number[][] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => Array.from(uniform(random, arity, -1.5, 1.5)));
}
