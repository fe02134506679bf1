/**
 * A recursive function's gradient runs as deep as a fixed multiple of the depth its primal
 * reaches, in a fresh process with Node's default stack, and is right there: self recursion
 * over a list and over a number, mutual recursion (a cycle of two and of three, and a cycle
 * whose members call each other from loops, and one across two files), a call in a loop, two calls per level, a method
 * calling itself on `this`, two methods calling each other; and forward mode's tangent
 * functions (jvp) of mutual recursion and of two calls per level. The fractions are the limits
 * the README states; the primal's depth is measured each time, so the test holds on any
 * machine and Node version whose frames keep the same proportions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { buildDepthCases, depthCases, maxDepth, runAt } from "./depth/cases";

/**
 * The fraction of the primal's depth each case's gradient must reach (see README, Limits). Self recursion's halves run
 * as loops, and so do mutual recursion's (each member holds the cycle inlined: ir/cycles.ts); those of a call in a loop
 * or of two calls per level run as one loop over a stack of frames (reverse/frames.ts); tangent functions take the
 * same forms (generate.ts, tangentCode). So the gradient goes deeper
 * than the primal: twice as deep here. Where the derivative has no closed form the gradient is checked against a
 * difference of the primal, at half the primal's depth (the maps are near the identity, so the derivative there is
 * far from 0).
 */
const fractions: Record<string, number> = {
  sumSquares: 2,
  power: 2,
  climb: 2,
  even: 2,
  first: 2,
  looped: 2,
  lopsided: 2,
  forkTail: 2,
  ring: 2,
  home: 2,
  methodFork: 2,
  methodPair: 2,
  evenTangent: 2,
  forkTailTangent: 2,
};

let built: ReturnType<typeof buildDepthCases>;
beforeAll(() => {
  built = buildDepthCases();
});
afterAll(() => fs.rmSync(built.dir, { recursive: true, force: true }));

describe("recursion depth of a gradient", () => {
  for (const [name, fraction] of Object.entries(fractions)) {
    it(`${name}: the gradient runs at ${fraction} of the primal's largest depth, and is right`, () => {
      const c = depthCases.find((x) => x.name === name)!;
      const primalDepth = maxDepth(built, c, "primal", 200_000, 0.03);
      expect(primalDepth).toBeGreaterThan(1000);
      const depth = Math.floor(fraction * primalDepth);
      let gradient = runAt(built, c, "gradient", depth);
      expect(gradient, `the gradient overflowed the stack at depth ${depth} (primal: ${primalDepth})`).toBeDefined();
      if (name === "sumSquares") {
        const bar = gradient as number[];
        expect(bar).toHaveLength(depth);
        bar.forEach((g, k) => expect(g).toBeCloseTo(2 * (0.5 + (k % 7) * 0.1), 10));
      } else if (c.exact) {
        const exact = new Function("d", `return ${c.exact};`)(depth) as number;
        expect(Math.abs((gradient as number) - exact)).toBeLessThan(1e-9 * Math.abs(exact));
      } else {
        // the primal's difference at half the primal's largest depth: near it the primal overflows at random (V8 inlines
        // mutual recursion's functions into each other in some processes and not in others, ±10 % of the depth)
        // (or less: on a loaded machine a probe may start deep before V8 has optimised the primal, in larger frames)
        let checked = Math.min(depth, Math.floor(0.5 * primalDepth));
        let difference = runAt(built, c, "difference", checked) as number | undefined;
        while (difference === undefined && checked > 2000) {
          checked = Math.floor(checked / 2);
          difference = runAt(built, c, "difference", checked) as number | undefined;
        }
        expect(difference, `the primal overflowed the stack at depth ${checked}`).toBeDefined();
        if (checked < depth) gradient = runAt(built, c, "gradient", checked);
        expect(Math.abs(difference!)).toBeGreaterThan(0.1);
        expect(Math.abs((gradient as number) - difference!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(difference!)));
      }
    }, 120_000);
  }
});
