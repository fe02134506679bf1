/**
 * End to end: `tspc` with the `adgen/transformer` plugin on small complete projects.
 *
 * Each case copies a fixture project into a temp dir, links `node_modules/adgen` to this
 * repository (so ts-patch resolves the plugin from the project dir and loads the built
 * dist/compiler/transformer.js), builds it with the repository's `tspc`, and runs what it
 * emitted. The sample checks its own gradients against central finite differences.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";

const { root, tscErrors } = inject("adgenBuild");
/** The repository's `tspc` (what `node_modules/.bin/tspc` runs); it patches the repository's `typescript`. */
const tspc = path.join(
  path.dirname(require.resolve("ts-patch/package.json", { paths: [root] })),
  "bin",
  "tspc.js",
);
const fixtures = path.join(root, "fixtures", "projects");
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of `fixtures/projects/<name>` in a temp dir, with `node_modules/adgen` → this repo. */
function projectCopy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `adgen-${name}-`));
  temps.push(dir);
  fs.cpSync(path.join(fixtures, name), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "adgen"), "dir");
  return dir;
}

function run(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 });
}

/** tspc's whole output, with the repository's own build errors (if any) for context. */
function report(result: SpawnSyncReturns<string>): string {
  const build = tscErrors ? `\n(adgen's own build reported errors:\n${tscErrors})` : "";
  return `exit ${result.status}\n${result.stdout}${result.stderr}${build}`;
}

interface Check {
  name: string;
  got: number;
  expected: number;
  relError: number;
}

describe("adgen/transformer under tspc", () => {
  it("builds a project whose gradients check against finite differences", () => {
    const dir = projectCopy("tspc-sample");
    const build = run([tspc, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], dir);
    expect(build.status, report(build)).toBe(0);
    expect(`${build.stdout}${build.stderr}`.trim(), report(build)).toBe("");

    // The transform calls were compiled away: no call into the run-time stubs remains.
    const mainJs = fs.readFileSync(path.join(dir, "dist", "main.js"), "utf8");
    expect(mainJs).not.toMatch(/\.(grad|valueAndGrad|vjp)\)\(/);

    const main = run([path.join(dir, "dist", "main.js")], dir);
    expect(main.status, `${main.stdout}${main.stderr}`).toBe(0);
    const lines = main.stdout.trim().split("\n");
    const result = JSON.parse(lines[lines.length - 1]!) as { ok: boolean; checks: Check[] };
    expect(result.checks.map((c) => c.name)).toEqual([
      "grad(f)",
      "grad(f, wrt 1)",
      "grad(g, wrt [0, 1])[0]",
      "grad(g, wrt [0, 1])[1]",
      "valueAndGrad(g) value",
      "valueAndGrad(g) gradient",
      "grad(h, wrt [0, 1])[0]",
      "grad(h, wrt [0, 1])[1]",
      "vjp(f) value",
      "vjp(f) pullback[0]",
      "vjp(f) pullback[1]",
    ]);
    for (const check of result.checks) {
      expect(Number.isFinite(check.got), check.name).toBe(true);
      expect(check.relError, `${check.name}: got ${check.got}, expected ${check.expected}`).toBeLessThan(1e-6);
    }
    expect(result.ok).toBe(true);
  });

  it("declares what the user exported, and generated functions only as @internal exports stripInternal drops", () => {
    const dir = projectCopy("tspc-sample");
    const declarations = (stripInternal: boolean) => {
      const out = stripInternal ? "d-stripped" : "d";
      const args = ["-p", path.join(dir, "tsconfig.json"), "--pretty", "false", "--declaration", "--emitDeclarationOnly", "--outDir", out];
      const build = run([tspc, ...args, ...(stripInternal ? ["--stripInternal"] : [])], dir);
      expect(build.status, report(build)).toBe(0);
      const text = fs.readFileSync(path.join(dir, out, "model.d.ts"), "utf8");
      return [...text.matchAll(/^export declare function (\w+)/gm)].map((m) => m[1]);
    };
    const all = declarations(false);
    // main.ts's transform calls use generated functions of model.ts, which model.ts must export
    expect(all.filter((name) => !["f", "g", "h"].includes(name)).length).toBeGreaterThan(0);
    expect(declarations(true)).toEqual(["f", "g", "h"]);
  });

  it("reports an ADG error at the offending line and exits non-zero", () => {
    const dir = projectCopy("tspc-error");
    const source = fs.readFileSync(path.join(dir, "src", "main.ts"), "utf8").split("\n");
    const line = source.findIndex((text) => text.includes("grad(cube)")) + 1;
    const column = source[line - 1]!.indexOf("grad(cube)") + 1;
    expect(line).toBeGreaterThan(0);

    const build = run([tspc, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], dir);
    const output = `${build.stdout}${build.stderr}`;
    expect(build.status, report(build)).not.toBe(0);
    // tsc prints every code as `TS<code>`; the message names the ADG code itself.
    const reported = output.match(/^src\/main\.ts\((\d+),(\d+)\): error TS(\d{4}): ADG(\d{4}): (.+)$/m);
    expect(reported, report(build)).not.toBeNull();
    const [, atLine, atColumn, tsCode, adgCode, message] = reported!;
    expect(Number(atLine)).toBe(line);
    expect(Number(atColumn)).toBeGreaterThanOrEqual(column);
    expect(Number(atColumn)).toBeLessThan(column + "grad(cube)".length);
    expect(tsCode).toBe(adgCode);
    expect(adgCode).toMatch(/^2\d{3}$/); // ADG2xxx: resolution
    expect(message).toMatch(/cube/);
    // The differentiable `square` on the line above is accepted: one error only.
    expect(output.match(/error TS/g)).toHaveLength(1);
  });
});
