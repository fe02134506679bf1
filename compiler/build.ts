/**
 * `adgen build`: input paths in, a complete output tree out, or nothing at all.
 *
 * Input: files and directories, an out dir, optionally a tsconfig. Output: every input
 * `.ts`, `.mts` or `.cts` file at the same relative path under the out dir — rewritten by
 * the core when it uses adgen, copied byte for byte when it does not — or the diagnostics
 * that prevented it.
 * Invariants: when any diagnostic is an error nothing is written; the new tree is written
 * in full to a temporary directory beside the out dir and only then swapped into place, so
 * a previous good out dir is never replaced by a partial one; no exception escapes as a
 * stack trace (it becomes an ADG9001 diagnostic). The differentiation itself is the core's;
 * rendering (and source maps) is render.ts's; `--watch` reuses `renderBuild` (watch.ts).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ts } from "ts-morph";
import { type AdgDiagnostic, CompileError, codes, diagnosticAt } from "./diagnostics";
import { compile } from "./pipeline";
import { loadProject } from "./project";
import { renderForBuild } from "./render";

export interface BuildOptions {
  /** files and directories, relative to `cwd` or absolute */
  inputs: readonly string[];
  outDir: string;
  /** a tsconfig.json, or a directory holding one; supplies compiler options only */
  tsconfig?: string;
  /** base for relative paths; defaults to the process's working directory */
  cwd?: string;
  /** write a source map beside each rewritten file */
  sourceMap?: boolean;
}

export interface BuildResult {
  diagnostics: AdgDiagnostic[];
  /** absolute paths of the files now in the out dir; empty when nothing was written */
  written: string[];
}

/** One input source file and where it lands, relative to the out dir. */
interface Entry {
  source: string;
  relative: string;
}

/** Names of the temporary and set-aside directories build creates beside the out dir. */
const scratchName = /\.adgen-(tmp|old)-/;

/** Every adgen diagnostic is an error for now; the catalogue has no warnings. */
export function isError(_diagnostic: AdgDiagnostic): boolean {
  return true;
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  try {
    return await buildUnchecked(options);
  } catch (error) {
    return { diagnostics: [diagnosticFromException(error)], written: [] };
  }
}

/**
 * An exception as a diagnostic. A pass's CompileError that escaped the pipeline keeps its
 * code and position; anything else is a bug in adgen, never the user's fault.
 */
export function diagnosticFromException(error: unknown): AdgDiagnostic {
  if (error instanceof CompileError) {
    return error.at
      ? diagnosticAt(error.at, error.code, error.message)
      : { code: error.code, message: error.message };
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
  return {
    code: codes.internal,
    message: `internal adgen error: ${message}. This is a bug in adgen; please report it with the input that triggers it.`,
  };
}

/** A build's outcome before anything is written: the out dir and the files to put there. */
export interface RenderedBuild {
  diagnostics: AdgDiagnostic[];
  outDir: string;
  outputs: { relative: string; content: string | Buffer }[];
}

async function buildUnchecked(options: BuildOptions): Promise<BuildResult> {
  const { diagnostics, outDir, outputs } = await renderBuild(options);
  if (diagnostics.some(isError)) return { diagnostics, written: [] };
  writeTreeAtomically(outDir, outputs);
  const written = outputs.map((output) => path.join(outDir, output.relative)).sort();
  return { diagnostics, written };
}

/** Everything `build` does but writing: checked inputs, compiled and rendered in memory. */
export async function renderBuild(options: BuildOptions): Promise<RenderedBuild> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const outDir = path.resolve(cwd, options.outDir);
  const inputs = options.inputs.map((input) => path.resolve(cwd, input));

  const checked = checkPaths(inputs, outDir, cwd, options.tsconfig);
  if (checked.diagnostics.length > 0) return { diagnostics: checked.diagnostics, outDir, outputs: [] };

  const collected = collectInputs(inputs, outDir, cwd);
  if (collected.diagnostics.length > 0) return { diagnostics: collected.diagnostics, outDir, outputs: [] };
  const entries = collected.entries;

  const project = loadProject(
    entries.map((entry) => entry.source),
    checked.tsconfig,
  );
  const sourceFiles = entries.map((entry) => project.getSourceFileOrThrow(entry.source));
  const result = compile(project, sourceFiles);
  if (result.diagnostics.some(isError)) return { diagnostics: result.diagnostics, outDir, outputs: [] };

  // Everything is rendered (and formatted) before the first byte is written.
  const compiled = new Map(result.files.map((file) => [path.resolve(file.path), file]));
  const outputs: { relative: string; content: string | Buffer }[] = [];
  for (const [index, entry] of entries.entries()) {
    const file = compiled.get(entry.source);
    if (file?.changed) {
      const original = sourceFiles[index]!.getFullText();
      outputs.push(...(await renderForBuild(file, original, entry.relative, outDir, options.sourceMap ?? false)));
    } else {
      outputs.push({ relative: entry.relative, content: fs.readFileSync(entry.source) });
    }
  }
  return { diagnostics: result.diagnostics, outDir, outputs };
}

/** Inputs exist, the tsconfig exists, and the out dir is a place we may replace. */
function checkPaths(
  inputs: readonly string[],
  outDir: string,
  cwd: string,
  tsconfigOption: string | undefined,
): { diagnostics: AdgDiagnostic[]; tsconfig?: string } {
  const diagnostics: AdgDiagnostic[] = [];
  if (inputs.length === 0) {
    diagnostics.push({ code: codes.usage, message: "no input files or directories given" });
  }
  for (const input of inputs) {
    if (!fs.existsSync(input)) {
      diagnostics.push({
        code: codes.missingInput,
        message: "input path does not exist",
        file: input,
      });
    }
  }

  const { tsconfig, diagnostics: tsconfigDiagnostics } = resolveTsconfig(tsconfigOption, cwd);
  diagnostics.push(...tsconfigDiagnostics);

  // The whole out dir is replaced, so it must not hold anything build reads or runs in.
  if (fs.existsSync(outDir) && !isDirectory(outDir)) {
    diagnostics.push({
      code: codes.usage,
      message: "--out-dir names a file, not a directory",
      file: outDir,
    });
  }
  if (path.dirname(outDir) === outDir) {
    diagnostics.push({ code: codes.usage, message: "--out-dir cannot be the root directory" });
  }
  const guarded = [...inputs, cwd, ...(tsconfig ? [tsconfig] : [])];
  const inside = guarded.find((guardedPath) => isWithin(guardedPath, outDir));
  if (inside !== undefined) {
    diagnostics.push({
      code: codes.usage,
      message:
        inside === cwd
          ? "--out-dir contains the current directory; build replaces the out dir as a whole, so choose a directory of its own"
          : `--out-dir contains '${shown(inside, cwd)}'; build replaces the out dir as a whole, so choose a directory apart from the inputs`,
      file: outDir,
    });
  }
  return { diagnostics, tsconfig };
}

/**
 * The tsconfig given with `-p` (a file, or a directory holding tsconfig.json): its path,
 * or a diagnostic when it is missing or does not parse. Its `files`/`include` are not
 * used; it supplies compiler options only.
 */
export function resolveTsconfig(
  option: string | undefined,
  cwd: string,
): { tsconfig?: string; diagnostics: AdgDiagnostic[] } {
  if (option === undefined) return { diagnostics: [] };
  let tsconfig = path.resolve(cwd, option);
  if (isDirectory(tsconfig)) tsconfig = path.join(tsconfig, "tsconfig.json");
  if (!isFile(tsconfig)) {
    return {
      tsconfig,
      diagnostics: [
        { code: codes.missingInput, message: "tsconfig file does not exist", file: tsconfig },
      ],
    };
  }
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const errors = read.error
    ? [read.error]
    : ts
        .parseJsonConfigFileContent(
          read.config,
          ts.sys,
          path.dirname(tsconfig),
          undefined,
          tsconfig,
        )
        .errors.filter((error) => error.code !== noInputsFound);
  return { tsconfig, diagnostics: errors.map((error) => tsconfigDiagnostic(error, tsconfig)) };
}

/** TS18003 "No inputs were found": irrelevant, the inputs come from the command line. */
const noInputsFound = 18003;

function tsconfigDiagnostic(error: ts.Diagnostic, tsconfig: string): AdgDiagnostic {
  const message = `invalid tsconfig: ${ts.flattenDiagnosticMessageText(error.messageText, " ")}`;
  if (error.file === undefined || error.start === undefined) {
    return { code: codes.usage, message, file: tsconfig };
  }
  const { line, character } = ts.getLineAndCharacterOfPosition(error.file, error.start);
  return {
    code: codes.usage,
    message,
    file: error.file.fileName,
    line: line + 1,
    column: character + 1,
    start: error.start,
    length: error.length,
  };
}

/**
 * The input `.ts` files and their paths under the out dir. A directory input maps its
 * files relative to itself; file inputs map relative to the common root directory of all
 * inputs (as tsc's rootDir does). Directories are walked in sorted order, skipping
 * declaration files, `node_modules`, the out dir and build's own scratch directories.
 */
function collectInputs(
  inputs: readonly string[],
  outDir: string,
  cwd: string,
): { entries: Entry[]; diagnostics: AdgDiagnostic[] } {
  const diagnostics: AdgDiagnostic[] = [];
  const root = commonRoot(
    inputs.map((input) => (isDirectory(input) ? input : path.dirname(input))),
  );
  const bySource = new Map<string, Entry>();
  const byRelative = new Map<string, Entry>();

  const add = (source: string, relative: string) => {
    if (bySource.has(source)) return;
    const clash = byRelative.get(relative);
    if (clash) {
      diagnostics.push({
        code: codes.usage,
        message: `'${shown(clash.source, cwd)}' and '${shown(source, cwd)}' would both be written to '${relative}' under the out dir`,
      });
      return;
    }
    const entry = { source, relative };
    bySource.set(source, entry);
    byRelative.set(relative, entry);
  };

  for (const input of inputs) {
    if (isDirectory(input)) {
      for (const file of walk(input, outDir)) add(file, path.relative(input, file));
    } else if (isTypeScriptSource(input)) {
      add(input, path.relative(root, input));
    } else {
      diagnostics.push({
        code: codes.usage,
        message: "not a TypeScript source file; build takes .ts, .mts and .cts files (not declaration files) and directories",
        file: input,
      });
    }
  }

  if (diagnostics.length === 0 && bySource.size === 0) {
    diagnostics.push({ code: codes.missingInput, message: "no .ts files found in the inputs" });
  }
  return { entries: [...bySource.values()], diagnostics };
}

function* walk(directory: string, outDir: string): Generator<string> {
  const children = fs
    .readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const full = path.join(directory, child.name);
    if (child.isDirectory()) {
      if (child.name === "node_modules" || scratchName.test(child.name) || full === outDir)
        continue;
      yield* walk(full, outDir);
    } else if (isTypeScriptSource(full) && (child.isFile() || isFile(full))) {
      yield full;
    }
  }
}

/**
 * Writes the tree into a fresh directory beside the out dir (same parent, so renames stay
 * on one file system and are atomic), then swaps it in: the old out dir is renamed aside,
 * the new one renamed into place, and the old one deleted. If the swap fails, the old out
 * dir is put back.
 */
function writeTreeAtomically(
  outDir: string,
  outputs: readonly { relative: string; content: string | Buffer }[],
): void {
  const parent = path.dirname(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const temporary = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.adgen-tmp-`));
  try {
    for (const output of outputs) {
      const target = path.join(temporary, output.relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, output.content);
    }
    swapIntoPlace(temporary, outDir);
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
}

function swapIntoPlace(temporary: string, outDir: string): void {
  let aside: string | undefined;
  if (fs.existsSync(outDir)) {
    aside = path.join(
      path.dirname(outDir),
      `.${path.basename(outDir)}.adgen-old-${randomBytes(6).toString("hex")}`,
    );
    fs.renameSync(outDir, aside);
  }
  try {
    fs.renameSync(temporary, outDir);
  } catch (error) {
    if (aside !== undefined) {
      try {
        fs.renameSync(aside, outDir);
      } catch {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(
          `${message}; the previous out dir could not be restored and is kept at ${aside}`,
        );
      }
    }
    throw error;
  }
  // The new tree is in place; a leftover old tree is only clutter, and the walk skips it.
  if (aside !== undefined) {
    try {
      fs.rmSync(aside, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

/** `.ts`, `.mts` and `.cts` files, not declaration files (`.d.ts`, `.d.mts`, `.d.cts`). */
function isTypeScriptSource(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file);
}

function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** A path as the user would type it: relative to `cwd` when beneath it. */
function shown(file: string, cwd: string): string {
  return isWithin(file, cwd) ? path.relative(cwd, file) || "." : file;
}

/** Whether `file` is `directory` or lies beneath it. */
function isWithin(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  if (relative === "") return true;
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** The deepest directory that contains every one of `directories`. */
function commonRoot(directories: readonly string[]): string {
  if (directories.length === 0) return process.cwd();
  let root = directories[0]!;
  for (const directory of directories.slice(1)) {
    while (!isWithin(directory, root)) root = path.dirname(root);
  }
  return root;
}
