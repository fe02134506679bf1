/**
 * The code cache of the CLI on Node versions without `module.enableCompileCache`
 * (compiler/code-cache.ts), run in child processes with a temporary directory of their own:
 * a large module compiles the same through it, its code is stored once and used after, a
 * module changed in place (same size) never runs its old code, and a cache directory others
 * may write is not used.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, inject, it } from "vitest";

const { root } = inject("adgenBuild");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-code-cache-test-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const large = path.join(work, "large.js");
const cache = path.join(work, "tmp", `adgen-code-cache-${process.getuid?.() ?? os.userInfo().username}`);
/** A module past the size the cache takes, whose `value()` is `value`. */
const write = (value: number, mtime: Date) => {
  const filler = Array.from({ length: 12_000 }, (_, k) => `function unused${k}() { return ${k % 10}; }`).join("\n");
  fs.writeFileSync(large, `exports.value = () => ${value} + require("node:path").sep.length - 1;\n${filler}\n`);
  fs.utimesSync(large, mtime, mtime);
};

/** Loads the module through the cache in a fresh process: what it returns, and the cache's entries with their times. */
function load(): { value: number; entries: Record<string, number> } {
  const script = `const cache = require(${JSON.stringify(path.join(root, "dist/compiler/code-cache.js"))});
    cache.cacheLargeModules();
    const value = require(${JSON.stringify(large)}).value();
    cache.saveCodeCache();
    console.log(value);`;
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TMPDIR: path.dirname(cache) } });
  expect(result.stderr).toBe("");
  const names = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
  return { value: Number(result.stdout), entries: Object.fromEntries(names.map((name) => [name, fs.statSync(path.join(cache, name)).mtimeMs])) };
}

it("compiles a large module through the cache, stores its code once, and never runs a changed module's old code", () => {
  write(1, new Date(2020, 0, 1));
  const first = load();
  expect(first.value).toBe(1);
  expect(Object.keys(first.entries)).toHaveLength(1);

  // the stored code is taken: nothing is written again
  const second = load();
  expect(second).toEqual(first);

  // the same size, other code, another time: a new entry, and the new code runs
  write(2, new Date(2021, 0, 1));
  const changed = load();
  expect(changed.value).toBe(2);
  expect(Object.keys(changed.entries)).toHaveLength(2);
});

it.skipIf(process.platform === "win32")("neither reads nor writes a cache directory others may write", () => {
  fs.chmodSync(cache, 0o777);
  const before = load().entries;
  write(3, new Date(2022, 0, 1));
  const open = load();
  expect(open.value).toBe(3);
  expect(open.entries).toEqual(before);
});
