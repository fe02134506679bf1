/**
 * Reduction loops reversed in place (compiler/reverse/reduction.ts, inplace.ts): which loops
 * of the fixture are, and which must not be; and the tape of one that is holds one
 * iteration's values whatever the trip count. Their gradients are checked against finite
 * differences with every other fixture (numbers.test.ts).
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as runtime from "../runtime";
import { inspect } from "../compiler/pipeline";
import { projectFromTexts } from "../compiler/project";
import { compileSources, repoRoot } from "./harness";
import { fixtureSources } from "./fixtures";

const { tapeHighWater } = createRequire(path.join(repoRoot, "test", "bench", "measure.js"))("./measure.js") as {
  tapeHighWater: (tapes: typeof runtime, work: () => void) => number;
};
const sources = fixtureSources();
const file = path.join(repoRoot, "fixtures", "functions", "reduction.ts");
const project = projectFromTexts(new Map([[file, sources["reduction.ts"]]]));

const inPlace = ["rowsThroughHelper", "squaredSumOfLogs", "readThenOverwritten"];
const asUsual = ["rowCarried", "twoSums", "discounted", "rowReadAfter", "counterCarried", "sumReadBefore"];

describe("reduction loops", () => {
  for (const [fn, expected] of [...inPlace.map((f) => [f, true] as const), ...asUsual.map((f) => [f, false] as const)]) {
    it(`${fn}: ${expected ? "reversed in place" : "reversed as usual"}`, () => {
      for (const mode of ["grad", "vjp"] as const) {
        const { text, diagnostics } = inspect(project, project.getSourceFileOrThrow(file), { fn, mode });
        expect(diagnostics).toEqual([]);
        expect(text.includes("reversed in place"), mode).toBe(expected);
      }
    });
  }

  const seededFile = path.join(repoRoot, "fixtures", "functions", "reduction-seeded.ts");
  const seededProject = projectFromTexts(new Map([[seededFile, sources["reduction-seeded.ts"]]]));
  const known = ["returnedSum", "scaledSum", "weightsWrittenAfter", "branchInIteration"];
  const unit = ["squaredSum", "sumReadTwice", "sumScaledInBranch"];
  for (const [fn, expected] of [...known.map((f) => [f, true] as const), ...unit.map((f) => [f, false] as const)]) {
    it(`${fn}: iterations seeded with ${expected ? "the sum's adjoint, known before the loop" : "a unit adjoint, scaled afterwards"}`, () => {
      for (const mode of ["grad", "vjp"] as const) {
        const { text, diagnostics } = inspect(seededProject, seededProject.getSourceFileOrThrow(seededFile), { fn, mode });
        expect(diagnostics).toEqual([]);
        expect(text.includes("reversed in place"), mode).toBe(true);
        expect(text.includes("known already"), mode).toBe(expected);
      }
    });
  }

  it("an iteration seeded with a known adjoint adds into the input's adjoint directly, and into a per-loop one for an array written after the loop", () => {
    const adjointText = (fn: string) => inspect(seededProject, seededProject.getSourceFileOrThrow(seededFile), { fn, mode: "vjp" }).text;
    expect(adjointText("returnedSum")).not.toMatch(/_bar_p\b/);
    const written = adjointText("weightsWrittenAfter");
    expect(written).toMatch(/weights_bar_p = adgen\.zerosLike\(weights\)/);
    expect(written).not.toMatch(/x_bar_p/);
  });

  it("an iteration's reverse code reads a scratch array's elements again, unless the iteration writes them after the read", () => {
    const compiled = compileSources(
      {
        "reduction-seeded.ts": sources["reduction-seeded.ts"],
        "driver.ts": `import { grad } from "adgen";\nimport { scratchReadAfterFill, scratchRefilledAfterRead } from "./reduction-seeded";\nexport const read = grad(scratchReadAfterFill, { wrt: [0, 1] });\nexport const refilled = grad(scratchRefilledAfterRead, { wrt: [0, 1] });`,
      },
      "functions",
    );
    expect(compiled.diagnostics).toEqual([]);
    const driver = compiled.load("driver.ts") as Record<string, (x: Float64Array, w: Float64Array) => unknown>;
    const w = new Float64Array([0.3, -0.2, 0.5, 0.1]);
    const x = Float64Array.from({ length: 2 * w.length }, (_, i) => Math.sin(i));
    const [read, refilled] = [driver.read, driver.refilled].map((g) => tapeHighWater(runtime, () => g(x, w)));
    // the same saves but for the elements the running max reads (all but the first), which only the refill overwrites
    expect(refilled - read).toBe(Float64Array.BYTES_PER_ELEMENT * (w.length - 1));
  });

  it("the tape of a loop reversed in place holds one iteration, for any trip count", () => {
    const compiled = compileSources(
      {
        "reduction.ts": sources["reduction.ts"],
        "driver.ts": `import { grad } from "adgen";\nimport { rowsThroughHelper } from "./reduction";\nexport const g = grad(rowsThroughHelper, { wrt: [0, 1] });`,
      },
      "functions",
    );
    expect(compiled.diagnostics).toEqual([]);
    const g = compiled.load("driver.ts").g as (x: Float64Array, w: Float64Array) => unknown;
    const w = new Float64Array([0.3, -0.2, 0.5]);
    const peaks = [1, 10, 100].map((n) => tapeHighWater(runtime, () => g(Float64Array.from({ length: n * w.length }, (_, i) => Math.sin(i)), w)));
    expect(runtime.numberTape.length).toBe(0);
    expect(peaks[0]).toBeGreaterThan(0);
    expect(peaks[2]).toBe(peaks[0]);
  });
});
