/**
 * `adgen inspect`: a function's generated code after any stage, with `--wrt` as grad's
 * `wrt`; a file with no @differentiable function of its own shows what its transform calls
 * generate; an empty result says why, at every stage.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../compiler/commands";
import { stages } from "../compiler/pipeline";
import { tempProject } from "./fixtures";

const dir = tempProject("adgen-inspect-", {
  "lib.ts": ["/** @differentiable */", "export function f(x: number, y: number, label: string): number {", "  return x * y + Math.sin(x) + label.length;", "}", ""].join("\n"),
  "main.ts": ['import { grad, valueAndGrad } from "adgen";', 'import { f } from "./lib";', "export const g = grad(f, { wrt: 1 });", "export const again = grad(f, { wrt: 1 });", "export const both = valueAndGrad(f, { wrt: [0, 1] });", ""].join("\n"),
  "empty.ts": "export const a = 1;\n",
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const inspect = (...args: string[]) => run(["inspect", ...args], { cwd: dir });
const declared = (text: string) => [...text.matchAll(/^(?:export )?function (\w+)\(/gm)].map((m) => m[1]);

describe("adgen inspect", () => {
  it("shows what the transform calls of a file with no function of its own generate, each once", async () => {
    const result = await inspect("main.ts");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(declared(result.stdout)).toEqual(["f_grad_wrt_1", "f_valueAndGrad_wrt_0_1"]);
    expect(result.stdout).toContain("Gradient of `f` with respect to `y`.");
  });

  it("takes --wrt as grad's wrt: one index, or several joined by commas", async () => {
    const one = await inspect("lib.ts", "--wrt", "1");
    expect(declared(one.stdout)).toEqual(["f_grad_wrt_1"]);
    expect(one.stdout).toMatch(/function f_grad_wrt_1\([^)]*\): number \{/);
    const two = await inspect("lib.ts", "--fn", "f", "--wrt", "0,1");
    expect(two.stdout).toMatch(/function f_grad_wrt_0_1\([^)]*\): \[number, number\] \{/);
    expect((await inspect("lib.ts")).stdout).toMatch(/function f_grad\(/);
  });

  it("says which --wrt indices a function takes", async () => {
    const outOfRange = await inspect("lib.ts", "--wrt", "3");
    expect(outOfRange.exitCode).toBe(1);
    expect(outOfRange.stderr).toContain("--wrt 3: `f` has 3 parameters");
    const notNumber = await inspect("lib.ts", "--wrt", "2");
    expect(notNumber.stderr).toContain("parameter `label` is not differentiable; the ones that are: 0 (`x`), 1 (`y`)");
    const malformed = await inspect("lib.ts", "--wrt", "1,y");
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stderr).toContain("--wrt takes parameter indices");
  });

  it("filters the transform calls' functions by --fn", async () => {
    const result = await inspect("main.ts", "--fn", "nope");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("no @differentiable function named `nope`");
    expect(result.stderr).toContain("(found: f)");
  });

  it.each(stages)("never prints nothing: an empty file says why at stage %s", async (stage) => {
    const result = await inspect("empty.ts", "--stage", stage);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe("// empty.ts has no @differentiable function and no transform call\n");
  });

  it("shows the transform calls' functions at the IR stages too", async () => {
    const result = await inspect("main.ts", "--stage", "lower");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("f, lowered");
  });
});
