/**
 * `adgen build`: input paths in, a complete output tree out, or nothing at all.
 *
 * Input: files and directories, an out dir, optionally a tsconfig. Output: every input
 * `.ts`, `.mts` or `.cts` file at the same relative path under the out dir — rewritten by the core when it
 * uses adgen, copied byte for byte when it does not — or the diagnostics that prevented it.
 * Invariants: when any diagnostic is an error nothing is written; every check that could
 * stop the build (the inputs readable, the out dir apart from them, adgen's to replace and
 * writable) runs before the first byte is written, and the out dir is then replaced whole
 * or not at all (compiler/out-dir.ts); a file-system fault is an ADG4xxx diagnostic naming
 * the path, and no other exception escapes as a stack trace (it becomes ADG9001). The
 * differentiation itself is the core's; rendering (and source maps) is render.ts's, and
 * `--watch` (watch.ts) rebuilds through `build`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ts, type SourceFile } from "ts-morph";
import { type AdgDiagnostic, CompileError, codes, diagnosticAt, isStackOverflow, messages, positionIn } from "./diagnostics";
import { type Encoding, decode, encode } from "./encoding";
import { collectInputs, isDirectory, isFile, reason, unreadable } from "./inputs";
import { type OutputFile, checkOutDir, overlapping, realOutDir, replaceOutDir } from "./out-dir";
import { compile } from "./pipeline";
import { loadProjectLean } from "./libs";
import { renderForBuild } from "./render";

export interface BuildOptions {
  /** files and directories, relative to `cwd` or absolute */
  inputs: readonly string[];
  outDir: string;
  /** a tsconfig.json, or a directory holding one; supplies compiler options only */
  tsconfig?: string;
  /** base for relative paths; defaults to the process's working directory */
  cwd?: string;
  /** replace the out dir even when it holds files adgen did not write (they are deleted) */
  emptyOutDir?: boolean;
  /** write a source map beside each rewritten file */
  sourceMap?: boolean;
}

export interface BuildResult {
  diagnostics: AdgDiagnostic[];
  /** absolute paths of the files now in the out dir; empty when nothing was written */
  written: string[];
}

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

/** System calls that only read: a fault in one is the input's, in any other the output's. */
const readingCalls = new Set(["open", "read", "scandir", "opendir", "stat", "lstat", "readlink", "realpath", "access"]);

/**
 * An exception as a diagnostic. A pass's CompileError that escaped the pipeline keeps its
 * code and position; a file-system fault (from a read the build did not expect to fail,
 * such as one of TypeScript's own) names its path; anything else is a bug in adgen, never
 * the user's fault.
 */
export function diagnosticFromException(error: unknown): AdgDiagnostic {
  if (error instanceof CompileError) {
    return error.at
      ? diagnosticAt(error.at, error.code, error.message)
      : { code: error.code, message: error.message };
  }
  if (isStackOverflow(error)) return { code: codes.tooDeep, message: messages.tooDeep() };
  const fault = error as Partial<NodeJS.ErrnoException> | undefined;
  if (typeof fault?.code === "string" && /^E[A-Z]+$/.test(fault.code) && typeof fault.path === "string") {
    const reading = fault.syscall === undefined || readingCalls.has(fault.syscall);
    return {
      code: reading ? codes.unreadable : codes.unwritable,
      message: `cannot ${reading ? "read" : "write"} this path: ${reason(error)}`,
      file: fault.path,
    };
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
  return {
    code: codes.internal,
    message: `internal adgen error: ${message}. This is a bug in adgen; please report it with the input that triggers it.`,
  };
}

async function buildUnchecked(options: BuildOptions): Promise<BuildResult> {
  const { diagnostics, outDir, outputs } = await renderBuild(options);
  if (diagnostics.some(isError)) return { diagnostics, written: [] };
  const failed = replaceOutDir(outDir, outputs);
  if (failed.length > 0) return { diagnostics: failed, written: [] };
  const written = outputs.map((output) => path.join(outDir, output.relative)).sort();
  return { diagnostics, written };
}

/** A build's outcome before anything is written: the out dir and the files to put there. */
export interface RenderedBuild {
  diagnostics: AdgDiagnostic[];
  outDir: string;
  outputs: OutputFile[];
}

/** Everything `build` does but writing: inputs and out dir checked, compiled and rendered in memory. */
export async function renderBuild(options: BuildOptions): Promise<RenderedBuild> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const outDir = realOutDir(path.resolve(cwd, options.outDir));
  const inputs = options.inputs.map((input) => path.resolve(cwd, input));
  const nothing = (diagnostics: AdgDiagnostic[]): RenderedBuild => ({ diagnostics, outDir, outputs: [] });

  const checked = checkPaths(inputs, cwd, options.tsconfig);
  if (checked.diagnostics.length > 0) return nothing(checked.diagnostics);
  const guarded = { inputs, others: [cwd, ...(checked.tsconfig ? [checked.tsconfig] : [])], cwd };
  const placed = checkOutDir(outDir, guarded, options.emptyOutDir ?? false);
  if (placed.length > 0) return nothing(placed);

  const collected = collectInputs(inputs, cwd);
  if (collected.diagnostics.length > 0) return nothing(collected.diagnostics);
  const entries = collected.entries;
  // a symbolic link inside an input may still lead into the out dir
  const reached = [...collected.directories, ...entries.map((entry) => entry.source)];
  const swallowed = overlapping(outDir, { ...guarded, inputs: reached });
  if (swallowed) return nothing([swallowed]);

  const decoded = new Map(entries.map((entry) => [entry.source, decode(entry.bytes)]));
  const project = loadProjectLean(new Map([...decoded].map(([source, { text }]) => [source, text])), checked.tsconfig);
  const result = compile(project, entries.map((entry) => project.getSourceFileOrThrow(entry.source)));
  if (result.diagnostics.some(isError)) return nothing(result.diagnostics);

  // Everything is rendered (and formatted) before the first byte is written.
  const compiled = new Map(result.files.map((file) => [path.resolve(file.path), file]));
  const outputs: OutputFile[] = [];
  const problems: AdgDiagnostic[] = [];
  for (const entry of entries) {
    const file = compiled.get(entry.source);
    if (!file?.changed) {
      outputs.push({ relative: entry.relative, content: entry.bytes });
      continue;
    }
    const { text: original, encoding, invalid } = decoded.get(entry.source)!;
    if (invalid) problems.push(notEncoded(project.getSourceFileOrThrow(entry.source), encoding, invalid));
    const rendered = await renderForBuild(file, original, entry.relative, outDir, options.sourceMap ?? false);
    // the file itself keeps the user's encoding; its map is JSON, in UTF-8
    rendered.forEach((output, i) => outputs.push({ relative: output.relative, content: i === 0 ? encode(output.content, encoding) : output.content }));
  }
  if (problems.length > 0) return nothing(problems);
  return { diagnostics: result.diagnostics, outDir, outputs };
}

/**
 * A file adgen rewrites must decode exactly: TypeScript reads a source without a UTF-16
 * byte-order mark as UTF-8, so other bytes (a Latin-1 `é`) reach the rewritten text as
 * U+FFFD. Rather than change the user's bytes silently, such a file is refused at its
 * first byte that does not decode. (A file adgen only copies keeps its bytes as they are.)
 */
function notEncoded(file: SourceFile, encoding: Encoding, invalid: { byte: number; offset: number }): AdgDiagnostic {
  const byte = invalid.byte.toString(16).toUpperCase().padStart(2, "0");
  const name = encoding.startsWith("utf16") ? "UTF-16" : "UTF-8";
  return {
    code: codes.badEncoding,
    message: `this file is not valid ${name} (byte 0x${byte}), and adgen rewrites it: TypeScript reads it as ${name}, so the rewritten file would not keep your bytes; save it as UTF-8`,
    ...positionIn(file, invalid.offset, 1),
  };
}

/** The inputs exist and the tsconfig exists and parses. */
function checkPaths(
  inputs: readonly string[],
  cwd: string,
  tsconfigOption: string | undefined,
): { diagnostics: AdgDiagnostic[]; tsconfig?: string } {
  const diagnostics: AdgDiagnostic[] = [];
  if (inputs.length === 0) {
    diagnostics.push({ code: codes.usage, message: "no input files or directories given" });
  }
  for (const input of inputs) {
    try {
      fs.statSync(input);
    } catch (error) {
      diagnostics.push(
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? { code: codes.missingInput, message: "input path does not exist", file: input }
          : unreadable(input, error),
      );
    }
  }
  const { tsconfig, diagnostics: tsconfigDiagnostics } = resolveTsconfig(tsconfigOption, cwd);
  diagnostics.push(...tsconfigDiagnostics);
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
  const message = `invalid tsconfig: ${ts.flattenDiagnosticMessageText(error.messageText, " ").replace(/\.$/, "")}; correct it, or give another with -p`;
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
