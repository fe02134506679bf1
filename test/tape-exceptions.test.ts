/**
 * Gradients that throw leave the tapes as they found them: a gradient whose primal throws
 * part-way through a loop, called directly and called (and caught) from inside another
 * gradient's reverse sweep — a custom derivative whose rule falls back when it fails — and
 * the results that follow are right; and self recursion, whose halves run as loops, throwing
 * on the way down (forward half) and on the way back up (reverse half); and forward mode's
 * tangent functions, whose recursion runs as loops too (under a tape mark of their own),
 * throwing on the way down.
 */
import { describe, expect, it } from "vitest";
import { checkGrad, tapeMark } from "../runtime";
import { compileSources } from "./harness";

const source = `
import { defineDerivative, grad, jvp } from "adgen";

/** x itself, refusing values past 1 (an input check deep inside a model). */
export function checked(x: number): number {
  if (x > 1) throw new RangeError("checked: " + x + " is past 1");
  return x;
}
defineDerivative(checked, { reverse: (_args, _y, dy) => [dy], forward: (_args, [dx]) => dx });

/** @differentiable */
export function inner(x: number): number {
  let s = 0.5;
  for (let i = 1; i <= 5; i++) s = Math.sin(s * x) + 0.3 * i;
  return checked(x) * s;
}
export const dInner = grad(inner);

/** x², whose slope is taken from another gradient where it can be, 2x where that throws. */
export function square(x: number): number {
  return x * x;
}
defineDerivative(square, {
  reverse: ([x], _y, dy) => {
    let slope = 2 * x;
    try {
      slope = dInner(x * 10) * 0 + 2 * x;
    } catch {
      slope = 2 * x;
    }
    return [dy * slope];
  },
  forward: ([x], [dx]) => 2 * x * dx,
});

/** @differentiable */
export function outer(x: number, y: number): number {
  let s = y;
  for (let i = 0; i < 4; i++) s = Math.cos(s * x) + square(x + i * y) * 0.1;
  return s * y;
}
export const dOuter = grad(outer, { wrt: [0, 1] });

/** x itself, whose derivative refuses values past 0.9 (a rule that fails in the reverse sweep). */
export function fragile(x: number): number {
  return x;
}
defineDerivative(fragile, {
  reverse: ([x], _y, dy) => {
    if (x > 0.9) throw new RangeError("fragile: " + x + " is past 0.9");
    return [dy];
  },
  forward: (_args, [dx]) => dx,
});

/**
 * Self recursion (its halves run as loops) that throws going down, at the level where x passes 1.
 * @differentiable
 */
export function climbChecked(x: number, n: number): number {
  if (n <= 0) return x;
  return climbChecked(checked(x) * 0.5 + 0.6, n - 1);
}
export const dClimbChecked = grad(climbChecked, { wrt: 0 });

/**
 * Self recursion that throws coming back up, in the reverse rule of a level past 0.9.
 * @differentiable
 */
export function climbFragile(x: number, n: number): number {
  if (n <= 0) return x * x;
  return climbFragile(fragile(x) * 0.5 + 0.1, n - 1);
}
export const dClimbFragile = grad(climbFragile, { wrt: 0 });

/**
 * Mutual recursion (a cycle of two, inlined into self recursion whose halves loop) that throws going down.
 * @differentiable
 */
export function pingChecked(x: number, n: number): number {
  if (n <= 0) return x;
  return pongChecked(checked(x) * 0.5 + 0.6, n - 1);
}

/** @differentiable */
export function pongChecked(x: number, n: number): number {
  if (n <= 0) return x * 2;
  return pingChecked(x, n - 1) + 0.1 * x;
}
export const dPingChecked = grad(pingChecked, { wrt: 0 });

/**
 * A cycle of three that throws coming back up.
 * @differentiable
 */
export function turnA(x: number, n: number): number {
  if (n <= 0) return x * x;
  return turnB(fragile(x) * 0.5 + 0.1, n - 1);
}

/** @differentiable */
export function turnB(x: number, n: number): number {
  return turnC(x, n) * 1.1;
}

/** @differentiable */
export function turnC(x: number, n: number): number {
  return turnA(x + 0.01, n) - 0.1;
}
export const dTurnA = grad(turnA, { wrt: 0 });

/**
 * Two calls per level (its halves run as a loop over a stack of frames) that throws going down.
 * @differentiable
 */
export function forkChecked(x: number, n: number): number {
  if (n <= 0) return x;
  return forkChecked(checked(x) * 0.5 + 0.6, n - 1) + 0.1 * forkChecked(x, 0);
}
export const dForkChecked = grad(forkChecked, { wrt: 0 });

/**
 * A call in a loop that throws coming back up.
 * @differentiable
 */
export function loopFragile(x: number, n: number): number {
  let s = x * x;
  for (let k = 0; k < (n > 0 ? 2 : 0); k++) s += 0.5 * loopFragile(fragile(x) * 0.5 + 0.1 * k, n - 1);
  return s;
}
export const dLoopFragile = grad(loopFragile, { wrt: 0 });

/** Tangents (forward mode) of recursions that throw going down: their recursion runs as loops too. */
export const tClimbChecked = jvp(climbChecked);
export const tForkChecked = jvp(forkChecked);
`;

const compiled = compileSources({ "throwing.ts": source });
const m = () => compiled.load("throwing.ts");

describe("a gradient that throws", () => {
  it("compiles", () => expect(compiled.diagnostics).toEqual([]));

  it("called directly: the error reaches the caller, the tapes are as they were, the next call is right", () => {
    const before = tapeMark();
    for (let k = 0; k < 100; k++) expect(() => m().dInner(5)).toThrow(RangeError);
    expect(tapeMark()).toEqual(before);
    expect(checkGrad(m().inner, m().dInner, [0.2]).maxRelError).toBeLessThan(1e-6);
    expect(tapeMark()).toEqual(before);
  });

  it("called and caught inside another gradient's reverse sweep: the outer gradient is right", () => {
    const before = tapeMark();
    // dInner(x * 10) throws for every x here: the rule falls back to 2x mid-sweep
    const report = checkGrad(m().outer, m().dOuter, [0.7, 0.4], { wrt: [0, 1] });
    expect(report.maxRelError).toBeLessThan(1e-6);
    expect(tapeMark()).toEqual(before);
    expect(() => m().dInner(0.7 * 10)).toThrow(RangeError);
  });

  /**
   * Per form of recursion: the loop its halves run as; a gradient that throws going down (in the forward half, a
   * check past 1) and one that throws coming back up (in the reverse half, a rule past 0.9), with their arguments; then
   * the arguments where each runs through.
   */
  const forms = [
    // climbChecked's x: 0.2, 0.7, 0.95, 1.075: the fourth level's check throws; climbFragile's x: 2, 1.1, 0.65, …
    { form: "self recursion whose halves are loops", loop: "while \\(true\\)", down: ["climbChecked", 0.2, 50], up: ["climbFragile", 2, 30], down2: 2, up2: 30 },
    { form: "mutual recursion whose halves are loops", loop: "while \\(true\\)", down: ["pingChecked", 0.2, 50], up: ["turnA", 2, 30], down2: 2, up2: 30 },
    { form: "recursion whose halves loop over frames", loop: "while \\(pc\\w* >= 0\\)", down: ["forkChecked", 0.2, 50], up: ["loopFragile", 2, 6], down2: 2, up2: 6 },
  ] as const;
  const gradientOf = (name: string) => m()[`d${name[0]!.toUpperCase()}${name.slice(1)}`] as (x: number, n: number) => number;

  for (const { form, loop, down, up, down2, up2 } of forms) {
    it(`in ${form}, thrown going down or coming back up: the tapes are as they were, the next call is right`, () => {
      const text = compiled.texts["throwing.ts"]!;
      for (const half of [`${down[0]}_forward`, `${up[0]}_reverse`]) expect(text).toMatch(new RegExp(`function ${half}\\w*\\([^]*?${loop}`));
      const before = tapeMark();
      for (const [name, x, n] of [down, up]) {
        for (let k = 0; k < 20; k++) expect(() => gradientOf(name)(x, n)).toThrow(RangeError);
        expect(tapeMark()).toEqual(before);
      }
      for (const [name, x, n] of [[down[0], 0.2, down2], [up[0], 0.5, up2]] as const) {
        const primal = m()[name] as (x: number, n: number) => number;
        expect(checkGrad((y: number) => primal(y, n), (y: number) => gradientOf(name)(y, n), [x]).maxRelError).toBeLessThan(1e-6);
      }
      expect(tapeMark()).toEqual(before);
    });
  }

  it("in a tangent function whose recursion runs as loops, thrown going down: the tapes are as they were, the next call is right", () => {
    const text = compiled.texts["throwing.ts"]!;
    for (const name of ["climbChecked_tangent", "forkChecked_tangent"]) expect(text).toMatch(new RegExp(`function ${name}\\w*\\([^]*?(while \\(true\\)|while \\(pc\\w* >= 0\\))`));
    const before = tapeMark();
    for (const name of ["tClimbChecked", "tForkChecked"] as const) {
      const tangent = m()[name] as (primals: [number, number], tangents: [number, number]) => [number, number];
      for (let k = 0; k < 20; k++) expect(() => tangent([0.2, 50], [1, 0])).toThrow(RangeError);
      expect(tapeMark()).toEqual(before);
      const primal = m()[name === "tClimbChecked" ? "climbChecked" : "forkChecked"] as (x: number, n: number) => number;
      const [value, slope] = tangent([0.2, 2], [1, 0]);
      expect(value).toBe(primal(0.2, 2));
      expect(checkGrad((y: number) => primal(y, 2), (y: number) => tangent([y, 2], [1, 0])[1], [0.2]).maxRelError).toBeLessThan(1e-6);
      expect(slope).toBeCloseTo(name === "tClimbChecked" ? 0.25 : 0.25 + 0.1 * 0.5 + 0.1, 12);
    }
  });
});
