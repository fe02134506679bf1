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
