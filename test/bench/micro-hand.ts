// Gradients written by hand, from the math, for the micro suite's programs: the two scalar
// functions of scalar.ts and the fixtures' loop-heavy and recursive functions the suite times
// (fixtures/functions/realistic.ts, recursion.ts).
import { workspace } from "./workspace";

/** Gradient of `rosenbrock` w.r.t. x and y. */
export function rosenbrockHand(x: number, y: number): [number, number] {
  const a = 1 - x;
  const b = y - x * x;
  return [-2 * a - 400 * b * x, 200 * b];
}

/** Gradient of `neuron` w.r.t. w and b: one chain through z = wx + b. */
export function neuronHand(w: number, b: number, x: number, target: number): [number, number] {
  const z = w * x + b;
  const e = Math.exp(-z);
  const s = 1 / (1 + e);
  const t = Math.tanh(z);
  const err = s * t - target;
  const dz = 2 * err * (s * (1 - s) * t + s * (1 - t * t));
  return [dz * x, dz];
}

/**
 * The discrete adjoint of `eulerOde`, by hand: the trajectory (x, v of each step) is recorded
 * in the reused workspace, then walked back.
 */
export function eulerOdeHand(
  k: number,
  c: number,
  x0: number,
  v0: number,
  dt: number,
  steps: number,
): [number, number, number, number, number] {
  const trajectory = workspace(2 * steps);
  let x = x0;
  let v = v0;
  for (let i = 0; i < steps; i++) {
    trajectory[2 * i] = x;
    trajectory[2 * i + 1] = v;
    const a = -k * x - c * v;
    x = x + dt * v;
    v = v + dt * a;
  }
  let xb = k * x;
  let vb = v;
  let kb = 0.5 * x * x;
  let cb = 0;
  let dtb = 0;
  for (let i = steps - 1; i >= 0; i--) {
    x = trajectory[2 * i];
    v = trajectory[2 * i + 1];
    const a = -k * x - c * v;
    const ab = dt * vb;
    dtb += a * vb + v * xb;
    kb -= x * ab;
    cb -= v * ab;
    const xbOld = xb - k * ab;
    vb = vb + dt * xb - c * ab;
    xb = xbOld;
  }
  return [kb, cb, xb, vb, dtb];
}

/** Gradient of `logisticLoss` by hand: dℓ/dz = σ(z) − y. */
export function logisticLossHand(w: Float64Array, bias: number, xs: number[][], ys: number[]): [Float64Array, number] {
  const wb = new Float64Array(w.length);
  let bb = 0;
  const scale = 1 / xs.length;
  for (let i = 0; i < xs.length; i++) {
    const row = xs[i];
    let z = bias;
    for (let j = 0; j < w.length; j++) z += w[j] * row[j];
    const e = Math.exp(-Math.abs(z));
    const g = ((z > 0 ? 1 : e) / (1 + e) - ys[i]) * scale;
    for (let j = 0; j < w.length; j++) wb[j] += g * row[j];
    bb += g;
  }
  return [wb, bb];
}

/** Gradient of `mlpLoss` w.r.t. w1, b1, w2, b2 by hand (backpropagation). */
export function mlpLossHand(
  w1: Float64Array,
  b1: Float64Array,
  w2: Float64Array,
  b2: Float64Array,
  x: Float64Array,
  target: Float64Array,
): [Float64Array, Float64Array, Float64Array, Float64Array] {
  const nIn = x.length;
  const nHidden = b1.length;
  const nOut = b2.length;
  const h = new Float64Array(nHidden);
  for (let j = 0; j < nHidden; j++) {
    let z = b1[j];
    for (let i = 0; i < nIn; i++) z += w1[j * nIn + i] * x[i];
    h[j] = Math.tanh(z);
  }
  const w1b = new Float64Array(w1.length);
  const b1b = new Float64Array(nHidden);
  const w2b = new Float64Array(w2.length);
  const b2b = new Float64Array(nOut);
  const hb = new Float64Array(nHidden);
  for (let k = 0; k < nOut; k++) {
    let y = b2[k];
    for (let j = 0; j < nHidden; j++) y += w2[k * nHidden + j] * h[j];
    const e = y - target[k];
    b2b[k] = e;
    for (let j = 0; j < nHidden; j++) {
      w2b[k * nHidden + j] = e * h[j];
      hb[j] += e * w2[k * nHidden + j];
    }
  }
  for (let j = 0; j < nHidden; j++) {
    const zb = hb[j] * (1 - h[j] * h[j]);
    b1b[j] = zb;
    for (let i = 0; i < nIn; i++) w1b[j * nIn + i] = zb * x[i];
  }
  return [w1b, b1b, w2b, b2b];
}

/**
 * Gradient of `tanApprox` (fixtures/functions/recursion.ts) w.r.t. x by hand, iteratively.
 * The levels T_k = 2k − 1 − x²/T_{k+1} (T_{depth+1} = 2·depth + 1) are computed bottom up and
 * kept; the reverse pass walks them top down with T̄_{k+1} = T̄_k · x²/T²_{k+1}.
 */
export function tanApproxHand(x: number, depth: number): number {
  const x2 = x * x;
  const levels = new Float64Array(depth + 2);
  levels[depth + 1] = 2 * depth + 1;
  for (let k = depth; k >= 1; k--) levels[k] = 2 * k - 1 - x2 / levels[k + 1];
  let tBar = -x / (levels[1] * levels[1]);
  let x2Bar = 0;
  for (let k = 1; k <= depth; k++) {
    const next = levels[k + 1];
    x2Bar -= tBar / next;
    tBar *= x2 / (next * next);
  }
  return 1 / levels[1] + 2 * x * x2Bar;
}
