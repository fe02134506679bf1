/**
 * `npm run demo` works: it builds the demo with adgen, trains the network (the loss falls,
 * the generated gradient agrees with finite differences, else the demo exits non-zero),
 * reports the gradient's cost, and prints the adjoint of the loss.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, inject, it } from "vitest";

const { root } = inject("adgenBuild");

it("trains the network with its generated gradient and shows what the gradient costs", () => {
  const demo = spawnSync(process.execPath, [path.join(root, "fixtures", "demo", "run.js")], { cwd: root, encoding: "utf8", timeout: 170_000 });
  expect(demo.status, `${demo.stdout}\n${demo.stderr}`).toBe(0);
  const losses = [...demo.stdout.matchAll(/step +\d+ +loss (\d+\.\d+)/g)].map((match) => Number(match[1]));
  expect(losses.length).toBeGreaterThan(3);
  expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
  expect(demo.stdout).toMatch(/adgen's generated gradient .* = \d+(\.\d+)?× the loss/);
  expect(demo.stdout).toMatch(/central finite differences .* = \d+× the loss, \d+× adgen's/);
  expect(demo.stdout).toContain("function loss_grad(");
  expect(demo.stdout).not.toContain("@adgen:");
});
