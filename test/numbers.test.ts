/**
 * Every fixture function × transform against central finite differences.
 *
 * Each fixture module exports `points`: function name → argument lists. A driver module
 * is generated that applies grad (w.r.t. every parameter), valueAndGrad and vjp to each of
 * those functions, and is compiled with the fixtures by the real pipeline.
 */
import { describe, expect, it } from "vitest";
import { checkGrad } from "../runtime";
import { compileSources } from "./harness";
import { fixtureSources } from "./fixtures";

const sources = fixtureSources();
const first = compileSources(sources, "functions");

/** fixture module → function → points */
const table: { module: string; fn: string; points: unknown[][] }[] = [];
for (const module of Object.keys(sources)) {
  const points = first.load(module).points as Record<string, unknown[][]> | undefined;
  for (const [fn, list] of Object.entries(points ?? {})) table.push({ module, fn, points: list });
}

const driver = [
  `import { grad, valueAndGrad, vjp } from "adgen";`,
  ...table.map(({ module, fn, points }, i) => {
    const wrt = points[0].map((_, j) => j).join(", ");
    const spec = "./" + module.replace(/\.ts$/, "");
    return [
      `import { ${fn} as f${i} } from ${JSON.stringify(spec)};`,
      `export const grad${i} = grad(f${i}, { wrt: [${wrt}] });`,
      `export const valueAndGrad${i} = valueAndGrad(f${i}, { wrt: [${wrt}] });`,
      `export const vjp${i} = vjp(f${i});`,
    ].join("\n");
  }),
].join("\n");
const compiled = compileSources({ ...sources, "driver.ts": driver }, "functions");

describe("fixture gradients", () => {
  it("compile without diagnostics", () => {
    expect(first.diagnostics).toEqual([]);
    expect(compiled.diagnostics).toEqual([]);
    expect(table.length).toBeGreaterThan(10);
  });

  table.forEach(({ module, fn, points }, i) => {
    describe(`${module}: ${fn}`, () => {
      const d = () => compiled.load("driver.ts");
      const f = () => compiled.load(module)[fn] as (...args: unknown[]) => number;

      it("grad matches finite differences", () => {
        for (const args of points) {
          const wrt = args.map((_, j) => j);
          const report = checkGrad(f(), d()[`grad${i}`], args, { wrt });
          expect(report.maxRelError, `at ${JSON.stringify(args)}: ${JSON.stringify(report)}`).toBeLessThan(1e-6);
        }
      });

      it("valueAndGrad gives the value and the same gradient", () => {
        for (const args of points) {
          const [value, gradient] = d()[`valueAndGrad${i}`](...args);
          expect(value).toBe(f()(...args));
          expect(gradient).toEqual(d()[`grad${i}`](...args));
        }
      });

      it("vjp gives the value and a linear pullback equal to the gradient", () => {
        for (const args of points) {
          const [value, pullback] = d()[`vjp${i}`](...args);
          expect(value).toBe(f()(...args));
          const ones = pullback(1) as number[];
          expect(ones).toEqual(d()[`grad${i}`](...args));
          const scaled = pullback(2.5) as number[];
          scaled.forEach((s, j) => expect(Math.abs(s - 2.5 * ones[j])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(s))));
        }
      });
    });
  });
});
