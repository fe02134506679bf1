/**
 * A recursive function's gradient runs as deep as a fixed multiple of the depth its primal
 * reaches, in a fresh process with Node's default stack, and is right there: self recursion
 * over a list and over a number, and mutual recursion. The fractions are the limits the
 * README states; the primal's depth is measured each time, so the test holds on any machine
 * and Node version whose frames keep the same proportions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import { buildDepthCases, depthCases, maxDepth, runAt } from "./depth/cases";

/**
 * The fraction of the primal's depth each case's gradient must reach (see README, Limits). Self recursion's halves run
 * as loops, so its gradient goes deeper than the primal (twice as deep where the derivative has a closed form; `climb`
 * is checked against a difference of the primal, so at the primal's own depth); mutual recursion's halves still
 * recurse on the host stack.
 */
const fractions: Record<string, number> = { sumSquares: 2, power: 2, climb: 1, even: 0.35 };

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
      const gradient = runAt(built, c, "gradient", depth);
      expect(gradient, `the gradient overflowed the stack at depth ${depth} (primal: ${primalDepth})`).toBeDefined();
      if (name === "sumSquares") {
        const bar = gradient as number[];
        expect(bar).toHaveLength(depth);
        bar.forEach((g, k) => expect(g).toBeCloseTo(2 * (0.5 + (k % 7) * 0.1), 10));
      } else if (c.exact) {
        const exact = new Function("d", `return ${c.exact};`)(depth) as number;
        expect(Math.abs((gradient as number) - exact)).toBeLessThan(1e-9 * Math.abs(exact));
      } else {
        const difference = runAt(built, c, "difference", depth) as number;
        expect(Math.abs((gradient as number) - difference)).toBeLessThan(1e-6 * Math.max(1, Math.abs(difference)));
      }
    }, 120_000);
  }
});
