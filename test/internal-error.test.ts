/**
 * An unexpected failure inside a pass is still a diagnostic (ADG9001) at the function
 * being compiled, never a bare exception thrown at the user.
 */
import { expect, it, vi } from "vitest";
import { compileSources } from "./harness";

vi.mock("../compiler/reverse", () => ({
  generateReverse: () => {
    throw new Error("simulated failure");
  },
}));

it("reports an internal failure as ADG9001 at the function's position", () => {
  const source = ['import { grad } from "adgen";', "/** @differentiable */", "export function f(x: number): number {", "  return x * x;", "}", "export const df = grad(f);", ""].join("\n");
  const { diagnostics } = compileSources({ "internal.ts": source }, "internal");
  expect(diagnostics).toHaveLength(1);
  expect(diagnostics[0]).toMatchObject({ code: 9001, line: 3 });
  expect(diagnostics[0].message).toContain("simulated failure");
});
