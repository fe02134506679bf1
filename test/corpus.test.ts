/**
 * The corpus (test/corpus/) end to end through `adgen build`: every bad, odd or
 * large input gets its expected outcome and nothing else.
 *
 * A failing case must exit 1, print exactly its diagnostics in the tsc format (sentences,
 * no stack trace, never ADG9001, never an empty path) and leave every byte on disk as it
 * was: the inputs and the previous out dir. A building case must exit 0, leave the inputs
 * as they were and no scratch directory behind; its output type-checks under `strict`
 * (one program over every case's output, at the end) and the gradients it exports check
 * against finite differences. Cases that set file modes run the built CLI as a user the
 * modes bind (root is not bound by them); the others run `run` in-process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type CommandResult, run } from "../compiler/commands";
import { decode } from "../compiler/encoding";
import { checkGrad } from "../runtime";
import type {} from "./global-setup";
import { corpus, type CorpusCase } from "./corpus";
import { previousBuild, tree } from "./fixtures";
import { moduleLoader } from "./harness";

/**
 * Cases whose right outcome is the compiler core's to give, and which it does not give on
 * this branch yet: skipped here, each with the reason; enable them as the core gets them.
 */
const knownCoreFailures: Record<string, string> = {};

const { root, cli } = inject("adgenBuild");
/** Permission cases run as `nobody` under root, whom file modes do not stop. */
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const scratch = /\.adgen-(tmp|old)-/;

const temps: string[] = [];
const builtOutDirs: { name: string; outDir: string }[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the corpus", () => {
  it("has unique names and covers every code of the command line and the file system", () => {
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
    const expected = corpus.flatMap((c) => ("errors" in c.expect ? c.expect.errors : []));
    for (const code of [2005, 4001, 4002, 4003, 4004, 4005, 4006, 4007]) {
      expect(expected.some((e) => e.endsWith(`ADG${code}`)), `ADG${code}`).toBe(true);
    }
    for (const name of Object.keys(knownCoreFailures)) expect(corpus.some((c) => c.name === name), name).toBe(true);
  });
});

describe.each(corpus)("$name", (c) => {
  it.skipIf(c.name in knownCoreFailures)(c.about, async () => {
    const dir = workDir(c);
    const before = tree(dir);
    const result = await build(c, dir);
    const after = tree(dir);
    expect(Object.keys(after).filter((file) => scratch.test(file)), "scratch directories left").toEqual([]);
    expect(result.stderr).not.toMatch(/ADG9001|^\s+at /m);

    if ("errors" in c.expect) {
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stdout).toBe("");
      const printed = result.stderr.split("\n").filter((line) => line !== "");
      const summary = printed.pop();
      expect(printed.map(reported)).toEqual(c.expect.errors);
      const count = c.expect.errors.length;
      expect(summary).toBe(`Found ${count} error${count === 1 ? "" : "s"}; nothing was written.`);
      expect(after, "the build changed files on disk").toEqual(before);
      return;
    }

    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const outArg = outDirOf(c);
    const outDir = fs.realpathSync(path.join(dir, outArg));
    const outside = (file: string) => !within(file, outArg) && !within(file, path.relative(dir, outDir));
    const kept = (snapshot: Record<string, string>) => Object.entries(snapshot).filter(([file]) => outside(file));
    expect(kept(after), "the build changed an input").toEqual(kept(before));
    if (c.expect.builds.pastTypeScriptFlowLimit) {
      expect(typeErrors(sources(outDir)).map((e) => e.code)).toEqual([2563]);
    } else builtOutDirs.push({ name: c.name, outDir });
    expect(runChecks(outDir)).toBe(c.expect.builds.checks);
  });
});

describe("every build's output", () => {
  it("type-checks under strict, as one program", () => {
    const files = builtOutDirs.flatMap(({ outDir }) => sources(outDir));
    expect(files.length).toBeGreaterThan(0);
    expect(typeErrors(files).map(({ where, text }) => `${where} ${text}`)).toEqual([]);
  });
});

/** TypeScript's diagnostics on the files, under `strict`. */
function typeErrors(files: string[]): { code: number; where: string; text: string }[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: [],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    code: d.code,
    where: d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "",
    text: ts.flattenDiagnosticMessageText(d.messageText, " "),
  }));
}

/** A fresh directory with the case's files, adgen linked in, a previous build and its set-up. */
function workDir(c: CorpusCase): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-corpus-"));
  temps.push(dir);
  for (const [file, content] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "adgen"), "dir");
  if (!c.fresh) previousBuild(path.join(dir, "out"), { "marker.txt": "previous build\n", "old.ts": "export const old = 1;\n" });
  c.setup?.(dir);
  return dir;
}

/** Runs the case's build: in-process, or as an unprivileged user when it sets file modes. */
async function build(c: CorpusCase, dir: string): Promise<CommandResult> {
  const args = ["build", ...(c.args ?? ["src", "--out-dir", "out"])];
  if (!c.modes) return run(args, { cwd: dir });
  openUp(dir);
  const modes = Object.entries(c.modes).map(([file, mode]) => {
    const full = path.join(dir, file);
    const original = fs.statSync(full).mode & 0o7777;
    fs.chmodSync(full, mode);
    return { full, original };
  });
  try {
    const spawned = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", ...unprivileged });
    if (spawned.error) throw spawned.error;
    return { exitCode: spawned.status ?? -1, stdout: spawned.stdout, stderr: spawned.stderr };
  } finally {
    for (const { full, original } of modes) fs.chmodSync(full, original);
  }
}

/** Everything in the work dir readable and writable by all, so that only the case's modes bind. */
function openUp(dir: string): void {
  fs.chmodSync(dir, 0o777);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink() || entry.parentPath.includes("node_modules")) continue;
    fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o777 : 0o666);
  }
}

/** A printed diagnostic as the corpus writes it: `path:line:col ADG<code>`, `path ADG<code>` or `ADG<code>`. */
function reported(line: string): string {
  const match = /^(?:(.+?)(?::(\d+):(\d+))? - )?error ADG(\d{4}): (.+)$/.exec(line);
  expect(match, `not a diagnostic in the tsc format: ${line}`).not.toBeNull();
  const [, file, row, column, code, message] = match!;
  expect(file, `a diagnostic with an empty path: ${line}`).not.toBe("");
  expect(message.split(/\s+/).length, message).toBeGreaterThanOrEqual(5);
  return `${file ? `${file}${row ? `:${row}:${column}` : ""} ` : ""}ADG${code}`;
}

function outDirOf(c: CorpusCase): string {
  const args = c.args ?? [];
  const at = args.indexOf("--out-dir");
  return at === -1 ? "out" : args[at + 1]!;
}

function within(file: string, directory: string): boolean {
  return file === directory || file.startsWith(`${directory}/`);
}

function sources(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Loads every file of a built out dir and checks each gradient listed in an exported
 * `checks` against central finite differences; returns how many there were.
 */
function runChecks(outDir: string): number {
  const texts = Object.fromEntries(sources(outDir).map((file) => [path.relative(outDir, file), decode(fs.readFileSync(file)).text]));
  const load = moduleLoader(texts);
  let count = 0;
  for (const file of Object.keys(texts)) {
    const checks = load(file).checks as { f: any; gradient: any; args: unknown[]; wrt?: number }[] | undefined;
    for (const { f, gradient, args, wrt } of checks ?? []) {
      const result = checkGrad(f, gradient, args, { wrt: wrt ?? 0 });
      expect(result.ok, `${file}: gradient off at ${result.where}: ${result.analytic} vs ${result.numeric}`).toBe(true);
      count++;
    }
  }
  return count;
}
