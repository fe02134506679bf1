/**
 * Second derivatives and Jacobians, and stopGradient, on functions of every parameter shape:
 * `hessian` against finite differences of the gradient (and symmetric, its rows shaped like
 * the gradient), `jacobian` against finite differences of the function by both of its
 * routes (columns from tangents where there are fewer inputs than outputs, rows from the
 * adjoint otherwise), and `stopGradient` giving the same derivative in grad, jvp and hvp
 * as the function with the stopped value held constant.
 */
import { describe, expect, it } from "vitest";
import { compileSources } from "./harness";

const source = `
import { grad, hessian, hvp, jacobian, jvp, stopGradient } from "adgen";

/** @differentiable */
export function quartic(x: number, y: number): number {
  return x ** 4 * y + Math.sin(x * y) - y * y;
}

/** @differentiable */
export function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
  return s;
}

/** @differentiable */
export function energy(q: Float64Array, k: number): number {
  let e = 0;
  for (let i = 0; i + 1 < q.length; i++) e += k * (q[i + 1] - q[i]) ** 2 + Math.cos(q[i]) * q[i + 1];
  return e + Math.exp(q[0] * q[q.length - 1]);
}

/** @differentiable */
export function pairEnergy(a: number[], b: { w: number; bias: number }): number {
  let s = b.bias * b.bias;
  for (let i = 0; i < a.length; i++) s += Math.tanh(a[i] * b.w + b.bias) * a[i];
  return s;
}

/** @differentiable */
export function spiral(t: number, r: number): Float64Array {
  return Float64Array.from([r * Math.cos(t), r * Math.sin(t), t * r, Math.exp(t) / r]);
}

/** @differentiable */
export function project(v: Float64Array): [number, number] {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i] * (i + 1);
  return [Math.sqrt(s), v[0] * v[v.length - 1]];
}

/** @differentiable */
export function polar(p: { x: number; y: number }): { r: number; theta: number } {
  return { r: Math.hypot(p.x, p.y), theta: Math.atan2(p.y, p.x) };
}

/** @differentiable */
export function damped(x: number, w: Float64Array): number {
  const scale = stopGradient(x * x);
  const fixed = stopGradient(w);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += fixed[i] * w[i] * scale + Math.sin(x * w[i]);
  return s;
}

export const hessianOfQuartic = hessian(quartic, { wrt: [0, 1] });
export const hessianOfQuarticX = hessian(quartic);
export const hessianOfEnergy = hessian(energy);
export const hessianOfRosenbrock = hessian(rosenbrock);
export const gradOfRosenbrock = grad(rosenbrock);
export const hessianOfPairEnergy = hessian(pairEnergy, { wrt: [0, 1] });
export const gradOfQuartic = grad(quartic, { wrt: [0, 1] });
export const gradOfEnergy = grad(energy);
export const gradOfPairEnergy = grad(pairEnergy, { wrt: [0, 1] });
export const jacobianOfSpiral = jacobian(spiral, { wrt: [0, 1] });
export const jacobianOfSpiralT = jacobian(spiral);
export const jacobianOfProject = jacobian(project);
export const jacobianOfPolar = jacobian(polar);
export const gradOfDamped = grad(damped, { wrt: [0, 1] });
export const jvpOfDamped = jvp(damped);
export const hvpOfDamped = hvp(damped);
`;

const compiled = compileSources({ "second-order.ts": source });
const m = () => compiled.load("second-order.ts");

const h = 1e-5;
const close = (actual: number, expected: number, tol: number, where: string) =>
  expect(Math.abs(actual - expected), `${where}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
/** The numbers of a value, in order (arrays by index, objects by field). */
const flat = (value: unknown): number[] =>
  typeof value === "number" ? [value] : Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>).flatMap(flat) : Object.values(value as object).flatMap(flat);
/** `value` with its k-th number moved by `eps`, shape and types kept. */
function moved<T>(value: T, k: number, eps: number): T {
  let seen = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "number") return seen++ === k ? v + eps : v;
    if (v instanceof Float64Array) return v.map((x) => (seen++ === k ? x + eps : x));
    if (Array.isArray(v)) return v.map(walk);
    return Object.fromEntries(Object.entries(v as object).map(([key, x]) => [key, walk(x)]));
  };
  return walk(value) as T;
}
/** Central differences of `f` at `args[wrt]` (one index or a tuple of several), one column per input number. */
function columns(f: (...args: any[]) => unknown, args: unknown[], wrt: number[]): number[][] {
  const out: number[][] = [];
  for (const j of wrt) {
    const n = flat(args[j]).length;
    for (let k = 0; k < n; k++) {
      const at = (eps: number) => flat(f(...args.map((a, i) => (i === j ? moved(a, k, eps) : a))));
      const [plus, minus] = [at(h), at(-h)];
      out.push(plus.map((p, i) => (p - minus[i]!) / (2 * h)));
    }
  }
  return out;
}

describe("second derivatives and Jacobians", () => {
  it("compile without diagnostics", () => expect(compiled.diagnostics).toEqual([]));

  it.each([
    ["quartic", "hessianOfQuartic", "gradOfQuartic", [0.7, -1.2], [0, 1]],
    ["rosenbrock", "hessianOfRosenbrock", "gradOfRosenbrock", [Float64Array.from([-1.2, 1, 0.8, 1.1])], [0]],
    ["energy", "hessianOfEnergy", "gradOfEnergy", [Float64Array.from([0.3, -0.5, 0.8, 0.1]), 1.7], [0]],
    ["pairEnergy", "hessianOfPairEnergy", "gradOfPairEnergy", [[0.4, -0.9, 1.3], { w: 0.6, bias: -0.2 }], [0, 1]],
  ] as const)("hessian of %s: finite differences of its gradient, symmetric, rows shaped like the gradient", (_name, hessianName, gradName, args, wrt) => {
    const H = m()[hessianName](...args) as unknown[];
    const several = wrt.length > 1;
    const gradient = (...a: unknown[]) => (several ? m()[gradName](...a) : [m()[gradName](...a)]);
    const expected = columns(gradient, [...args], [...wrt]);
    expect(H).toHaveLength(expected.length);
    const rows = H.map(flat);
    rows.forEach((row, i) => row.forEach((value, k) => close(value, expected[i]![k]!, 1e-5, `H[${i}][${k}]`)));
    rows.forEach((row, i) => row.forEach((value, k) => close(value, rows[k]![i]!, 1e-9, `H[${i}][${k}] against H[${k}][${i}]`)));
    // each row is a gradient: the same shape and array types
    const g = gradient(...args);
    for (const row of H) expect(several ? (row as unknown[]).map((r) => r?.constructor) : row?.constructor).toEqual(several ? g.map((r: unknown) => r?.constructor) : g[0]?.constructor);
  });

  it("hessian of a number parameter is a number", () => {
    const [x, y] = [0.7, -1.2];
    const value = m().hessianOfQuarticX(x, y);
    expect(typeof value).toBe("number");
    close(value, 12 * x * x * y - y * y * Math.sin(x * y), 1e-12, "∂²f/∂x²");
  });

  it.each([
    ["spiral (two inputs, four outputs: columns)", "spiral", "jacobianOfSpiral", [0.4, 1.5], [0, 1]],
    ["spiral w.r.t. t", "spiral", "jacobianOfSpiralT", [0.4, 1.5], [0]],
    ["project (five inputs, two outputs: rows)", "project", "jacobianOfProject", [Float64Array.from([0.3, -0.6, 1.1, 0.2, -0.4])], [0]],
    ["polar (an object to an object)", "polar", "jacobianOfPolar", [{ x: 0.8, y: -0.3 }], [0]],
  ] as const)("jacobian of %s: finite differences of the function, one row per output number", (_what, fName, jacobianName, args, wrt) => {
    const J = m()[jacobianName](...args) as unknown[];
    const cols = columns(m()[fName], [...args], [...wrt]);
    const outputs = flat(m()[fName](...args)).length;
    expect(J).toHaveLength(outputs);
    J.forEach((row, i) => flat(row).forEach((value, k) => close(value, cols[k]![i]!, 1e-6, `J[${i}][${k}]`)));
    if (wrt.length === 1 && args[wrt[0]!] instanceof Float64Array) for (const row of J) expect(row).toBeInstanceOf(Float64Array);
  });

  it("stopGradient: grad, jvp and hvp differentiate as if the stopped values were constants", () => {
    const x = 0.9;
    const w = Float64Array.from([0.5, -1.2, 0.7]);
    // with x·x and w held fixed where stopped: ∂/∂x = Σ wᵢ cos(x wᵢ), ∂/∂wᵢ = wᵢ x² + x cos(x wᵢ)
    const ws = Array.from(w);
    const dx = ws.reduce((sum, wi) => sum + wi * Math.cos(x * wi), 0);
    const [gx, gw] = m().gradOfDamped(x, w) as [number, Float64Array];
    close(gx, dx, 1e-12, "∂/∂x");
    ws.forEach((wi, i) => close(gw[i]!, wi * x * x + x * Math.cos(x * wi), 1e-12, `∂/∂w[${i}]`));
    const [, tangent] = m().jvpOfDamped([x, w], [1, new Float64Array(3)]) as [number, number];
    close(tangent, dx, 1e-12, "jvp along x");
    const curvature = m().hvpOfDamped(x, w, 1) as number;
    close(curvature, ws.reduce((sum, wi) => sum - wi * wi * Math.sin(x * wi), 0), 1e-12, "hvp along x");
  });
});
