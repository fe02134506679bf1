/** Shared by the integration tests: folders of the installed project, processes, verdicts. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, inject } from "vitest";

export const { tarball, project, tsPatchMajor } = inject("integration");
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * A fresh folder `<project>/<name>` holding a copy of `fixtures/projects/<fixture>` and
 * `files`; it shares the installed project's node_modules.
 */
export function workspace(name: string, fixture?: string, files: Record<string, string> = {}): string {
  const dir = path.join(project, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (fixture) fs.cpSync(path.join(repoRoot, "fixtures", "projects", fixture), dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Runs a JavaScript file (a tool's bin or a built program) with this Node. */
export function node(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 170_000, env: { ...process.env, ...env } });
}

/** The JavaScript file behind an installed package's bin. */
export function bin(pkg: string, name = pkg): string {
  const manifest = path.join(project, "node_modules", pkg, "package.json");
  const json = JSON.parse(fs.readFileSync(manifest, "utf8")) as { bin: string | Record<string, string> };
  const file = typeof json.bin === "string" ? json.bin : json.bin[name]!;
  return path.join(path.dirname(manifest), file);
}

export const output = (result: SpawnSyncReturns<string>) => `exit ${result.status}\n${result.stdout}\n${result.stderr}`;

/** The verdict the sample app prints: every gradient within 1e-6 of finite differences. */
export function expectGradientsCheck(result: SpawnSyncReturns<string>): void {
  expect(result.status, output(result)).toBe(0);
  const verdict = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { ok: boolean; errors: number[] };
  expect(verdict.errors).toHaveLength(3);
  for (const error of verdict.errors) expect(error).toBeLessThan(1e-6);
  expect(verdict.ok).toBe(true);
}

/** Where app-error's bad transform call is, 1-based, as the tools print it: its line and columns. */
export function badCall(dir: string): { line: number; from: number; to: number } {
  const lines = fs.readFileSync(path.join(dir, "src", "main.ts"), "utf8").split("\n");
  const line = lines.findIndex((text) => text.includes("grad(cube)")) + 1;
  const from = lines[line - 1]!.indexOf("grad(cube)") + 1;
  return { line, from, to: from + "grad(cube)".length - 1 };
}

/** The tool's failure carries adgen's own error: its ADG code, at the bad call's line and within its columns. */
export function expectAdgError(text: string, dir: string): void {
  const { line, from, to } = badCall(dir);
  const found = new RegExp(`src/main\\.ts:${line}:(\\d+) - error ADG2002: .*cube`).exec(text);
  expect(found, text).not.toBeNull();
  expect(Number(found![1])).toBeGreaterThanOrEqual(from);
  expect(Number(found![1])).toBeLessThanOrEqual(to);
}

/** A tsconfig.json as a bundler project has one. */
export const bundlerTsconfig = JSON.stringify({
  compilerOptions: { target: "es2022", module: "esnext", moduleResolution: "bundler", strict: true, skipLibCheck: true, types: [] },
  include: ["src"],
});
