/**
 * Diagnostics: every `ADG` code a source file can trigger, end to end through `adgen build`.
 *
 * Each fixture `fixtures/errors/ADG<code>-<name>.ts` is a small user file with one mistake
 * and, on the offending line, the expectation `// @expect ADG<code> "<name>"…`: the code,
 * and the names the message must mention. The fixture (with the files it imports, which
 * are copied but not built) is built alone in a temp dir, by the CLI's `run` in-process,
 * over an out dir holding a previous build. The build must exit 1, print exactly the
 * expected diagnostics in the tsc format at the expected lines, each a sentence rather
 * than a stack trace, and leave every byte on disk as it was. A code added to the
 * catalogue without a fixture fails here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { run } from "../compiler/commands";
import { codes } from "../compiler/diagnostics";
import type {} from "./global-setup";
import { previousBuild, tree } from "./fixtures";

const { root } = inject("adgenBuild");
const errorsDir = path.join(root, "fixtures", "errors");

/**
 * The codes no single source file can trigger — command-line mistakes, the file system and
 * the out dir, whose cases test/corpus.test.ts covers — and adgen's own bugs.
 */
const notFromSource: readonly (keyof typeof codes)[] = [
  "usage",
  "missingInput",
  "outDirOverlap",
  "outDirNotOwned",
  "unreadable",
  "unwritable",
  "badEncoding",
  "missingLibrary",
  "tooDeep",
  "internal",
];

const fixtureName = /^ADG(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/;

interface Expectation {
  code: number;
  /** 1-based, as printed */
  line: number;
  /** texts the message must contain: the names of the things at fault */
  names: string[];
}

/** The `// @expect ADG<code> "name"…` comments of a fixture, with their lines. */
function expectations(text: string): Expectation[] {
  const found: Expectation[] = [];
  text.split("\n").forEach((line, i) => {
    const match = /\/\/ @expect ADG(\d{4})((?:\s+"[^"]*")*)\s*$/.exec(line);
    if (!match) return;
    const names = [...match[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    found.push({ code: Number(match[1]), line: i + 1, names });
  });
  return found;
}

/** A fixture and the files it imports by relative path, transitively (relative to errorsDir). */
function withImports(fixture: string): string[] {
  const files = new Set<string>();
  const visit = (relative: string) => {
    if (files.has(relative)) return;
    files.add(relative);
    const text = fs.readFileSync(path.join(errorsDir, relative), "utf8");
    for (const [, spec] of text.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = path.join(path.dirname(relative), spec.replace(/\.js$/, ""));
      visit(`${target}.ts`);
    }
  };
  visit(fixture);
  return [...files];
}

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp dir holding the fixture and its imports, a previous build in out/, and `adgen`. */
function workDir(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-diagnostics-"));
  temps.push(dir);
  for (const relative of withImports(fixture)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.copyFileSync(path.join(errorsDir, relative), path.join(dir, relative));
  }
  previousBuild(path.join(dir, "out"), { "marker.txt": "previous build\n" });
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "adgen"), "dir");
  return dir;
}

const fixtures = fs
  .readdirSync(errorsDir)
  .filter((name) => name.endsWith(".ts"))
  .sort();

describe("error fixtures", () => {
  it("are named ADG<code>-<short-name>.ts after a code in the catalogue", () => {
    const known = new Set<number>(Object.values(codes));
    for (const name of fixtures) {
      const match = fixtureName.exec(name);
      expect(match, `${name} is not named ADG<code>-<short-name>.ts`).not.toBeNull();
      expect(known.has(Number(match![1])), `${name}: no such code in the catalogue`).toBe(true);
    }
  });

  it("cover every code a source file can trigger", () => {
    const covered = new Set(fixtures.map((name) => Number(fixtureName.exec(name)?.[1])));
    const missing = Object.entries(codes)
      .filter(([key, code]) => !notFromSource.includes(key as keyof typeof codes) && !covered.has(code))
      .map(([key, code]) => `ADG${code} (${key})`);
    expect(missing, "codes without a fixture in fixtures/errors/").toEqual([]);
  });
});

describe.each(fixtures)("%s", (fixture) => {
  const text = fs.readFileSync(path.join(errorsDir, fixture), "utf8");
  const expected = expectations(text);
  const code = Number(fixtureName.exec(fixture)?.[1]);

  it("states its expectation on the offending line", () => {
    expect(expected.length, "no `// @expect ADG<code> \"<name>\"` comment").toBeGreaterThan(0);
    for (const e of expected) {
      expect(e.code, `line ${e.line} expects another code than the file name says`).toBe(code);
      expect(e.names.length, `line ${e.line}: name what the message must mention`).toBeGreaterThan(0);
    }
  });

  it(`fails the build with ADG${code} at that line, and writes nothing`, async () => {
    const dir = workDir(fixture);
    const before = tree(dir);

    const result = await run(["build", fixture, "--out-dir", "out"], { cwd: dir });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines.filter((line) => /^\s+at /.test(line)), "stack trace in stderr").toEqual([]);
    const summary = lines.pop();
    expect(summary).toBe(
      `Found ${expected.length} error${expected.length === 1 ? "" : "s"}; nothing was written.`,
    );

    const escaped = fixture.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const format = new RegExp(`^${escaped}:(\\d+):(\\d+) - error ADG(\\d{4}): (.+)$`);
    const reported = lines.map((line) => {
      const match = format.exec(line);
      expect(match, `not a diagnostic of ${fixture} in the tsc format: ${line}`).not.toBeNull();
      return { line: Number(match![1]), code: Number(match![3]), message: match![4] };
    });
    reported.sort((a, b) => a.line - b.line || a.code - b.code);
    expect(reported.map(({ line, code }) => ({ line, code }))).toEqual(
      expected.map(({ line, code }) => ({ line, code })),
    );

    reported.forEach(({ message }, i) => {
      // a sentence for a person: several words, naming what is at fault
      expect(message.split(/\s+/).length, message).toBeGreaterThanOrEqual(5);
      expect(message).not.toMatch(/internal adgen error|\bat .+:\d+:\d+\)?$/);
      for (const name of expected[i].names) expect(message).toContain(name);
    });

    expect(tree(dir), "the build changed files on disk").toEqual(before);
  });
});
