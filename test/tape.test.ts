/**
 * What the reverse sweep stores: for the explicit-Euler ODE fixture, the peak bytes on the
 * tapes while one gradient runs, for several trip counts N. The peak must be linear in N,
 * with a fixed number of bytes per iteration: the state the loop overwrites (x, v) and the
 * acceleration read by the reverse sweep (w.r.t. every parameter), or x alone (w.r.t. k).
 * Recursion is linear too: each level's forward half leaves a fixed amount for its reverse
 * half, and no level is swept twice.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as runtime from "../runtime";
import { run } from "../compiler/commands";
import { compileSources, repoRoot } from "./harness";
import { fixtureSources } from "./fixtures";

// the benchmark's measurement, shared so the test and the benchmark's tape figures agree
const { tapeHighWater } = createRequire(path.join(repoRoot, "test", "bench", "measure.js"))("./measure.js") as {
  tapeHighWater: (tapes: typeof runtime, work: () => void) => number;
};
const sources = fixtureSources();
const driver = [
  `import { grad } from "adgen";`,
  `import { eulerOde } from "./realistic";`,
  `export const all = grad(eulerOde, { wrt: [0, 1, 2, 3, 4] });`,
  `export const stiffness = grad(eulerOde, { wrt: 0 });`,
].join("\n");
const compiled = compileSources(
  {
    "realistic.ts": sources["realistic.ts"],
    "recursion.ts": sources["recursion.ts"],
    "tape-driver.ts": `${driver}\nimport { tanTail } from "./recursion";\nexport const tail = grad(tanTail, { wrt: 0 });`,
  },
  "functions",
);

/** Runs `work` and returns the bytes its pushes reached on the tapes, all of them popped again. */
function peakBytes(work: () => void): number {
  const peak = tapeHighWater(runtime, work);
  const total = [runtime.numberTape, runtime.booleanTape, runtime.referenceTape].reduce((sum, t) => sum + t.bytes, 0);
  expect(total, "every push was popped").toBe(0);
  return peak;
}

describe("tape use of the Euler ODE gradient", () => {
  afterEach(() => expect(runtime.numberTape.length).toBe(0));

  for (const [name, perIteration] of [["all", 24], ["stiffness", 8]] as const) {
    it(`grad w.r.t. ${name === "all" ? "every parameter" : "k"} stores ${perIteration} bytes per iteration, for any N`, () => {
      expect(compiled.diagnostics).toEqual([]);
      const gradient = compiled.load("tape-driver.ts")[name] as (...args: number[]) => unknown;
      const trips = [1, 10, 100, 1000, 10000];
      const peaks = trips.map((n) => peakBytes(() => gradient(1.3, 0.2, 1, 0, 0.01, n)));
      const slopes = trips.slice(1).map((n, i) => (peaks[i + 1] - peaks[i]) / (n - trips[i]));
      console.log(`eulerOde ${name}: peak bytes ${trips.map((n, i) => `N=${n}: ${peaks[i]}`).join(", ")}`);
      for (const slope of slopes) expect(slope).toBe(perIteration);
    });
  }
});

describe("adgen inspect --tape on the Euler ODE", () => {
  // the same figures as measured above: the static report says what the code does
  for (const [mode, perIteration] of [["vjp", 24], ["grad", 8]] as const) {
    it(`reports ${perIteration} bytes per iteration for its ${mode === "vjp" ? "adjoint" : "gradient w.r.t. k"}`, async () => {
      const result = await run(["inspect", "fixtures/functions/realistic.ts", "--fn", "eulerOde", "--mode", mode, "--tape"], { cwd: repoRoot });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^eulerOde_\\w+: per call 0 B\n  line 119: per iteration ${perIteration} B \\(`));
    });
  }
});

describe("tape use of a recursive gradient", () => {
  it("grows by the same bytes per level of recursion, for any depth", () => {
    expect(compiled.diagnostics).toEqual([]);
    const gradient = compiled.load("tape-driver.ts").tail as (...args: number[]) => number;
    const depths = [1, 10, 100, 1000];
    const peaks = depths.map((depth) => peakBytes(() => gradient(0.3, 1, depth)));
    const slopes = depths.slice(1).map((d, i) => (peaks[i + 1] - peaks[i]) / (d - depths[i]));
    console.log(`tanTail: peak bytes ${depths.map((d, i) => `depth ${d}: ${peaks[i]}`).join(", ")}`);
    expect(new Set(slopes).size).toBe(1);
    expect(slopes[0]).toBeGreaterThan(0);
  });
});
