/**
 * End to end through the CLI: `adgen build` on a copy of a sample project, the output
 * compiled by plain `tsc` under `strict`, and the built program run: it checks its own
 * gradients against central finite differences and exits non-zero if one is off.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, inject, it } from "vitest";

const { root } = inject("adgenBuild");
const tsc = path.join(path.dirname(require.resolve("typescript/package.json", { paths: [root] })), "bin", "tsc");
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const node = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 });

it("adgen build output type-checks under strict, runs, and its gradients check", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-cli-project-"));
  temps.push(dir);
  fs.cpSync(path.join(root, "fixtures", "projects", "tspc-sample", "src"), path.join(dir, "src"), { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, type: "commonjs" }));
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "adgen"), "dir");

  const build = node([path.join(root, "dist", "cli.js"), "build", "src", "--out-dir", "gen"], dir);
  expect(build.status, build.stderr).toBe(0);
  expect(fs.readdirSync(path.join(dir, "gen")).sort()).toEqual([".adgen-manifest.json", "main.ts", "model.ts"]);

  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "es2022", module: "nodenext", strict: true, types: [], skipLibCheck: true, outDir: "js", rootDir: "gen" },
      include: ["gen"],
    }),
  );
  const compiled = node([tsc, "-p", "tsconfig.json", "--pretty", "false"], dir);
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);

  const run = node([path.join(dir, "js", "main.js")], dir);
  expect(run.status, run.stdout + run.stderr).toBe(0);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { ok: boolean; checks: { relError: number }[] };
  expect(result.ok).toBe(true);
  expect(result.checks.length).toBeGreaterThan(5);
  for (const check of result.checks) expect(check.relError).toBeLessThan(1e-6);
});
