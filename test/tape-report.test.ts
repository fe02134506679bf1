/**
 * `adgen inspect --tape`, on small functions: what the save plan stores per iteration and
 * what it redoes instead. Each case names the values it expects on the tape, so a value
 * saved that need not be (or one missing) changes the report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../compiler/commands";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-tape-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function report(source: string, ...args: string[]): Promise<string> {
  fs.writeFileSync(path.join(dir, "f.ts"), source);
  const result = await run(["inspect", "f.ts", "--mode", "vjp", "--tape", ...args], { cwd: dir });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

describe("adgen inspect --tape", () => {
  it("redoes an offset of the outer loop in the inner one: only the value each iteration overwrites is saved", async () => {
    const text = await report(`/** @differentiable */
export function rows(m: Float64Array, v: Float64Array, cols: number): number {
  let total = 0;
  for (let r = 0; r < m.length / cols; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) total = Math.sin(total + m[base + c] * v[c]);
  }
  return total;
}
`);
    expect(text).toBe(
      [
        "rows_adjoint: per call 0 B",
        "  line 4: per iteration 0 B  // for (let r = 0; r < m.length / cols; r++) { const base = r * cols; for (let c = 0; c < cols; c++)...",
        "    line 6: per iteration 8 B (t7: number)  // for (let c = 0; c < cols; c++) total = Math.sin(total + m[base + c] * v[c]);",
        "",
      ].join("\n"),
    );
  });

  it("saves a value each iteration overwrites, and a branch's flag", async () => {
    const text = await report(`/** @differentiable */
export function iterate(x: number, n: number): number {
  for (let i = 0; i < n; i++) {
    if (x > 1) x = Math.log(x);
    x = x * x + 0.5;
  }
  return x;
}
`);
    expect(text).toMatch(/^iterate_adjoint: per call 0 B\n  line 3: per iteration at most 17 B \(\w+: boolean, x: number, x: number\)/);
  });

  it("reports the calls whose forward halves store their own", async () => {
    // a branch keeps the helper a call (a straight-line helper in a loop is inlined)
    const text = await report(`/** @differentiable */
function square(x: number): number {
  let y = x * x;
  if (y > 100) y = 100;
  return y;
}
/** @differentiable */
export function sumSquares(xs: Float64Array): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += square(xs[i]);
  return total;
}
`, "--fn", "sumSquares");
    expect(text).toContain("and what square_forward stores");
  });

  it("saves in a loop reversed in place only what one iteration's own reverse code reads, none of the iteration before", async () => {
    const text = await report(`/** @differentiable */
export function chained(x: Float64Array, w: Float64Array): number {
  let total = 0;
  for (let p = 0; p < x.length; p++) {
    let c = x[p];
    for (let k = 0; k < w.length; k++) c = Math.sin(c * w[k]);
    total = total + c * c;
  }
  return total;
}
`);
    expect(text).toBe(
      [
        "chained_adjoint: per call 0 B",
        "  line 4: reversed in place, taken back by each iteration: per iteration 0 B  // for (let p = 0; p < x.length; p++) { let c = x[p]; for (let k = 0; k < w.length; k++) c = Math.si...",
        "    line 6: per iteration 16 B (t4: number, c: number)  // for (let k = 0; k < w.length; k++) c = Math.sin(c * w[k]);",
        "",
      ].join("\n"),
    );
  });

  it("takes no --stage", async () => {
    fs.writeFileSync(path.join(dir, "g.ts"), "export const a = 1;\n");
    const result = await run(["inspect", "g.ts", "--tape", "--stage", "lower"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--tape reports on the generated code: it takes no --stage");
  });
});

describe("adgen inspect --stage plan", () => {
  it("says beside each value what the reverse sweep needs of it", async () => {
    fs.writeFileSync(
      path.join(dir, "p.ts"),
      `/** @differentiable */
export function rows(m: Float64Array, cols: number): number {
  let total = 0;
  for (let r = 0; r < m.length / cols; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) total = Math.sin(total + m[base + c]);
  }
  return total;
}
`,
    );
    const result = await run(["inspect", "p.ts", "--stage", "plan"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split("\n").map((line) => line.trim());
    expect(lines).toContain("const base = r * cols;  // computed again in the reverse sweep, nothing saved");
    expect(lines).toContain("const t3 = base + c;  // computed again in the reverse sweep, nothing saved");
    expect(lines).toContain("const t5 = total + t4;  // the value this overwrites is saved on the tape (in a loop): the reverse sweep reads it");
    expect(lines).toContain("total = Math.sin(t5);");
  });
});
