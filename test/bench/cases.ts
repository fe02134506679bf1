// Benchmark cases: each differentiable function beside a gradient written by hand.
import { grad } from "adgen";

/** @differentiable */
export function rosenbrock(x: number, y: number): number {
  const a = 1 - x;
  const b = y - x * x;
  return a * a + 100 * b * b;
}

export function rosenbrockHand(x: number, y: number): [number, number] {
  const a = 1 - x;
  const b = y - x * x;
  return [-2 * a - 400 * b * x, 200 * b];
}

/** @differentiable */
export function neuron(w: number, b: number, x: number, target: number): number {
  const z = w * x + b;
  const s = 1 / (1 + Math.exp(-z));
  const err = s * Math.tanh(z) - target;
  return err * err;
}

export function neuronHand(w: number, b: number, x: number, target: number): [number, number] {
  const z = w * x + b;
  const e = Math.exp(-z);
  const s = 1 / (1 + e);
  const t = Math.tanh(z);
  const err = s * t - target;
  const dz = 2 * err * (s * (1 - s) * t + s * (1 - t * t));
  return [dz * x, dz];
}

export const rosenbrockGrad = grad(rosenbrock, { wrt: [0, 1] });
export const neuronGrad = grad(neuron, { wrt: [0, 1] });
