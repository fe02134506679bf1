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

/**
 * Room on the tapes is checked once before a counted loop for all its iterations' pushes.
 * With the stacks growing to exactly the size asked for (not doubling), a check that asks
 * for too little leaves a push past the buffer's end, lost, and its pop reads `undefined`.
 */
describe("room reserved before a loop", () => {
  const loops = [
    `/** @differentiable */`,
    `export function stretched(x: Float64Array, span: number, down: number): number {`,
    `  let c = 1;`,
    `  for (let i = 0; i < span; i++) {`,
    `    c = Math.sin(c * x[i]);`,
    `    if (x[i] > 0) { c = Math.cos(c) * x[i]; c = c * c; }`,
    `  }`,
    `  for (let i = Math.floor(down); i >= 1; i--) c = Math.sin(c * x[i - 1]) + c;`,
    `  return c;`,
    `}`,
  ].join("\n");
  const tight = compileSources(
    {
      "loops.ts": loops,
      "gmm.ts": sources["gmm.ts"],
      "room-driver.ts": [
        `import { grad } from "adgen";`,
        `import { stretched } from "./loops";`,
        `import { gmmObjective } from "./gmm";`,
        `export const loops = grad(stretched, { wrt: 0 });`,
        `export const gmm = grad(gmmObjective, { wrt: [0, 1, 2] });`,
      ].join("\n"),
    },
    "functions",
  );

  /** Runs `work` with the typed stacks empty and growing to exactly what is asked. */
  function exactlyGrowing<T>(work: () => T): T {
    const stacks = [runtime.numberTape, runtime.booleanTape];
    const saved = stacks.map((stack) => stack.data);
    for (const stack of stacks) {
      const make = (n: number) => (stack === runtime.numberTape ? new Float64Array(n) : new Uint8Array(n));
      stack.data = make(0) as never;
      Object.assign(stack, {
        grow(size = stack.data.length + 1) {
          const next = make(size);
          next.set(stack.data);
          stack.data = next as never;
          return next;
        },
      });
    }
    try {
      return work();
    } finally {
      stacks.forEach((stack, i) => {
        delete (stack as { grow?: unknown }).grow;
        stack.data = saved[i] as never;
      });
    }
  }

  it("covers every push, for a fractional bound, branches and a loop counting down", () => {
    expect(tight.diagnostics).toEqual([]);
    const gradient = tight.load("room-driver.ts").loops as (x: Float64Array, span: number, down: number) => Float64Array;
    const x = new Float64Array([0.3, -0.4, 0.8, 0.5, -0.2]);
    for (const [span, down] of [[3.5, 4], [5, 5], [0.25, 1]]) {
      const expected = gradient(x, span, down);
      const got = exactlyGrowing(() => gradient(x, span, down));
      expect([...got]).toEqual([...expected]);
      expect(got.every(Number.isFinite)).toBe(true);
    }
  });

  it("covers every push of the GMM gradient", () => {
    const gradient = tight.load("room-driver.ts").gmm as (...args: unknown[]) => Float64Array[];
    const args = [
      new Float64Array([0.1, -0.3, 0.5]),
      new Float64Array([0.2, -0.1, 0.4, -0.6, 0.3, 0.1, 0.5, 0.8, -0.4]),
      new Float64Array([0.1, -0.2, 0.05, 0.3, -0.4, 0.2, -0.1, 0.2, 0.15, -0.3, 0.1, 0.25, 0.3, 0, -0.2, 0.1, 0.2, -0.15]),
      new Float64Array([0.3, -0.2, 0.7, -0.9, 0.4, 0.1, 0.5, 0.6, -0.3, 1.1, -0.5, 0.2]),
      1.5,
      2,
    ];
    const expected = gradient(...args).map((a) => [...a]);
    const got = exactlyGrowing(() => gradient(...args)).map((a) => [...a]);
    expect(got).toEqual(expected);
    expect(got.flat().every(Number.isFinite)).toBe(true);
  });
});
