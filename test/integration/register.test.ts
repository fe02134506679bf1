/**
 * `node --import adgen/register app.ts`: the sample app runs straight from TypeScript; a
 * second run takes its modules from the on-disk cache without loading the compiler; with
 * `--enable-source-maps` a throw inside a generated gradient is reported on the user's
 * line; a bad transform call stops the program with adgen's error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectAdgError, expectGradientsCheck, node, output, project, workspace } from "./helpers";

const boom = `import { defineDerivative, grad } from "adgen";

function explode(x: number): number {
  throw new Error("explode at " + x);
}

export function opaque(x: number): number {
  return 2 * x;
}

defineDerivative(opaque, {
  reverse: ([x], _y, dy) => [dy * explode(x)],
  forward: ([x], [dx]) => dx * 2,
});

/** @differentiable */
export function f(x: number): number {
  const a = x * x;
  const b = opaque(a);
  return a + b;
}

grad(f)(1.5);
`;

describe("adgen/register", () => {
  it("runs a TypeScript program with its gradients compiled, and a second run from the cache", () => {
    const dir = workspace("register-app", "app");
    const cache = path.join(dir, ".cache");
    const first = node(["--import", "adgen/register", "src/main.ts"], dir, { ADGEN_CACHE_DIR: cache });
    expectGradientsCheck(first);
    expect(fs.readdirSync(cache).length).toBe(2);

    // the second run must not need the compiler: with its libraries gone it still runs
    const libraries = ["ts-morph", "prettier", "magic-string", "@jridgewell/gen-mapping", "@jridgewell/remapping"];
    const hidden = libraries.map((pkg) => path.join(project, "node_modules", pkg));
    hidden.forEach((dir) => fs.renameSync(dir, `${dir}.hidden`));
    try {
      expectGradientsCheck(node(["--import", "adgen/register", "src/main.ts"], dir, { ADGEN_CACHE_DIR: cache }));
    } finally {
      hidden.forEach((dir) => fs.renameSync(`${dir}.hidden`, dir));
    }
  });

  it("puts a stack trace from inside a generated gradient on the user's line", () => {
    const dir = workspace("register-trace", undefined, { "src/boom.ts": boom });
    const ran = node(["--enable-source-maps", "--import", "adgen/register", "src/boom.ts"], dir);
    expect(ran.status).not.toBe(0);
    const line = boom.split("\n").findIndex((text) => text.includes("const b = opaque(a);")) + 1;
    expect(ran.stderr, output(ran)).toMatch(new RegExp(`at f_grad \\(.*src/boom\\.ts:${line}:\\d+\\)`));
  });

  it("stops the program with adgen's error, its code and position", () => {
    const dir = workspace("register-error", "app-error");
    const ran = node(["--import", "adgen/register", "src/main.ts"], dir);
    expect(ran.status).not.toBe(0);
    expectAdgError(ran.stderr, dir);
    expect(ran.stdout).toBe("");
  });
});
