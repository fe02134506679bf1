/**
 * `adgen/transformer`: the ts-patch program transformer, so `tspc` builds a project with
 * its gradients compiled.
 *
 *   tsconfig.json: "plugins": [{ "transform": "adgen/transformer", "transformProgram": true }]
 *
 * Input: the program tsc created from the user's tsconfig. Output: a program over the same
 * root names and options whose source files hold the core's rewritten texts (user code kept
 * line for line, generated functions appended), so the generated code is type-checked and
 * emitted like the user's own; `ADG` diagnostics are reported by that program as errors, so
 * tspc prints them and exits non-zero.
 *
 * Invariant: only text crosses between the two TypeScript copies. The core reads the
 * sources with ts-morph's bundled TypeScript; the new program is built with the `ts` that
 * ts-patch hands to the plugin (the user's `typescript`), from the rewritten texts.
 * No differentiation logic lives here: this is an adapter over `compile`.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import type * as ts from "typescript";
import { codes, type AdgDiagnostic } from "./diagnostics";
import { compile, type CompileResult } from "./pipeline";
import { projectFromTexts } from "./project";
import { stripMarkers } from "./sourcemap";

/** The plugin entry of the tsconfig `plugins` list, as ts-patch passes it. */
export interface TransformerConfig {
  transform?: string;
  transformProgram?: boolean;
  [option: string]: unknown;
}

/** What ts-patch passes a program transformer besides the program: the user's TypeScript. */
export interface ProgramTransformerExtras {
  ts: typeof ts;
}

/** Programs this transformer built; handed one again, it returns it as it is. */
const rewrittenPrograms = new WeakSet<ts.Program>();

/** Message prefix: tsc prints every code as `TS<code>`, which alone would read as a TypeScript error. */
const adgPrefix = (code: number): string => `ADG${code}: `;

/**
 * The program transformer. Rewrites the program's own TypeScript sources with the adgen
 * core and returns a new program over the rewritten texts, carrying the core's diagnostics.
 */
export default function transformProgram(
  program: ts.Program,
  host: ts.CompilerHost | undefined,
  _config: TransformerConfig,
  extras: ProgramTransformerExtras,
): ts.Program {
  if (rewrittenPrograms.has(program)) return program;
  const tsApi = extras.ts;

  // Fast path: a program that never mentions adgen has nothing to compile.
  const sources = userSourceFiles(program);
  if (!sources.some((sf) => /adgen|differentiable/.test(sf.text))) return program;

  let result: CompileResult;
  try {
    const texts = new Map(sources.map((sf) => [sf.fileName, sf.text]));
    const project = projectFromTexts(texts, coreOptions(program.getCompilerOptions()));
    const files = sources.map((sf) => project.getSourceFileOrThrow(sf.fileName));
    result = compile(project, files);
  } catch (error) {
    // The core reports what it cannot do as diagnostics; anything thrown is a bug in adgen.
    const message = error instanceof Error ? error.message : String(error);
    const internal: AdgDiagnostic = {
      code: codes.internal,
      message: `adgen failed while compiling this program: ${message}. Please report this as a bug in adgen.`,
    };
    return withDiagnostics(program, [toTsDiagnostic(tsApi, program, internal)]);
  }

  const rewritten = new Map<string, string>();
  for (const file of result.files) {
    if (!file.changed) continue;
    const text = file.generatedText ? `${file.userText}\n${stripMarkers(file.generatedText)}` : file.userText;
    rewritten.set(key(file.path), text);
  }

  // Diagnostics point into the user's text as written, so they attach to the original files.
  const diagnostics = result.diagnostics.map((d) => toTsDiagnostic(tsApi, program, d));

  let next = program;
  if (rewritten.size > 0) {
    const options = program.getCompilerOptions();
    const baseHost = host ?? tsApi.createCompilerHost(options);
    next = tsApi.createProgram({
      rootNames: program.getRootFileNames(),
      options,
      host: rewritingHost(tsApi, baseHost, program, rewritten),
      oldProgram: program,
      configFileParsingDiagnostics: program.getConfigFileParsingDiagnostics(),
      projectReferences: program.getProjectReferences(),
    });
  }
  rewrittenPrograms.add(next);
  return diagnostics.length > 0 ? withDiagnostics(next, diagnostics) : next;
}

/** The program's own TypeScript sources: no declaration files, nothing from node_modules. */
function userSourceFiles(program: ts.Program): ts.SourceFile[] {
  return program
    .getSourceFiles()
    .filter(
      (sf) =>
        !sf.isDeclarationFile &&
        !program.isSourceFileFromExternalLibrary(sf) &&
        !sf.fileName.split(/[\\/]/).includes("node_modules") &&
        /\.(ts|tsx|mts|cts)$/.test(sf.fileName),
    );
}

/**
 * The user's compiler options, for the core's own type checker. Enum values are the same
 * numbers in both TypeScript copies; what only matters to tsc's build is dropped.
 */
function coreOptions(options: ts.CompilerOptions): Parameters<typeof projectFromTexts>[1] {
  const {
    plugins: _plugins,
    configFilePath: _configFilePath,
    incremental: _incremental,
    tsBuildInfoFile: _tsBuildInfoFile,
    composite: _composite,
    ...rest
  } = options;
  return { ...rest, noEmit: true } as unknown as Parameters<typeof projectFromTexts>[1];
}

/** One spelling per file, whichever front end produced the path. */
function key(fileName: string): string {
  return path.resolve(fileName).split(path.sep).join("/");
}

/**
 * A compiler host that serves the rewritten texts and, for every other file, the source
 * file the old program already parsed (so tsc reuses them instead of reading them again).
 */
function rewritingHost(
  tsApi: typeof ts,
  host: ts.CompilerHost,
  oldProgram: ts.Program,
  rewritten: ReadonlyMap<string, string>,
): ts.CompilerHost {
  const parsed = new Map<string, ts.SourceFile>();

  const rewrittenSourceFile = (
    fileName: string,
    languageVersionOrOptions: ts.ScriptTarget | ts.CreateSourceFileOptions,
  ): ts.SourceFile | undefined => {
    const k = key(fileName);
    const text = rewritten.get(k);
    if (text === undefined) return undefined;
    let sf = parsed.get(k);
    if (!sf) {
      sf = tsApi.createSourceFile(fileName, text, languageVersionOrOptions);
      // Builder programs (incremental, watch) need a version on every source file.
      const old = oldProgram.getSourceFile(fileName) as (ts.SourceFile & { version?: string }) | undefined;
      if (old?.version !== undefined) {
        (sf as ts.SourceFile & { version?: string }).version = createHash("sha256").update(text).digest("hex");
      }
      parsed.set(k, sf);
    }
    return sf;
  };

  const wrapped: ts.CompilerHost = Object.create(host);
  wrapped.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
    rewrittenSourceFile(fileName, languageVersionOrOptions) ??
    (!shouldCreateNewSourceFile ? oldProgram.getSourceFile(fileName) : undefined) ??
    host.getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  if (host.getSourceFileByPath) {
    const byPath = host.getSourceFileByPath.bind(host);
    wrapped.getSourceFileByPath = (fileName, filePath, languageVersionOrOptions, onError, shouldCreateNewSourceFile) =>
      rewrittenSourceFile(fileName, languageVersionOrOptions) ??
      (!shouldCreateNewSourceFile ? oldProgram.getSourceFileByPath(filePath) : undefined) ??
      byPath(fileName, filePath, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
  }
  wrapped.readFile = (fileName) => rewritten.get(key(fileName)) ?? host.readFile(fileName);
  wrapped.fileExists = (fileName) => rewritten.has(key(fileName)) || host.fileExists(fileName);
  return wrapped;
}

/**
 * An adgen diagnostic as a tsc error: code = the ADG number, message prefixed `ADG<code>:`
 * (tsc prints `error TS<code>`), position in the file as the user wrote it.
 */
function toTsDiagnostic(tsApi: typeof ts, program: ts.Program, d: AdgDiagnostic): ts.Diagnostic {
  const source = d.file !== undefined ? program.getSourceFile(d.file) : undefined;
  let start = d.start;
  if (source && start === undefined && d.line !== undefined) {
    start = tsApi.getPositionOfLineAndCharacter(source, d.line - 1, Math.max(0, (d.column ?? 1) - 1));
  }
  const file = start !== undefined ? source : undefined;
  // Without a position tsc can print (a file outside the program, rare), name the place instead.
  const where =
    d.file !== undefined && !file
      ? `${d.file}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ""}: `
      : "";
  return {
    category: tsApi.DiagnosticCategory.Error,
    code: d.code,
    source: "adgen",
    file,
    start: file ? start : undefined,
    length: file ? (d.length ?? 0) : undefined,
    messageText: `${adgPrefix(d.code)}${where}${d.message}`,
  };
}

/**
 * The program, reporting `extra` among its diagnostics: file diagnostics with the semantic
 * ones of their file, the rest with the global ones. tsc reads diagnostics through these
 * methods of the program object (`tsc -p`, `noEmitOnError`), and builder programs
 * (`incremental`, `--watch`) through `getProgramDiagnostics`, which they never cache, so
 * the errors are printed on every build and make tspc exit non-zero.
 */
function withDiagnostics(program: ts.Program, extra: readonly ts.Diagnostic[]): ts.Program {
  const global = extra.filter((d) => !d.file);
  const byFile = new Map<string, ts.Diagnostic[]>();
  for (const d of extra) {
    if (!d.file) continue;
    const k = key(d.file.fileName);
    byFile.set(k, [...(byFile.get(k) ?? []), d]);
  }
  const ofFile = (sourceFile: ts.SourceFile | undefined): ts.Diagnostic[] =>
    sourceFile ? (byFile.get(key(sourceFile.fileName)) ?? []) : [...byFile.values()].flat();
  const prepend = (ours: readonly ts.Diagnostic[], own: readonly ts.Diagnostic[]) =>
    ours.length > 0 ? [...ours, ...own] : own;

  const getSemanticDiagnostics = program.getSemanticDiagnostics.bind(program);
  program.getSemanticDiagnostics = (sourceFile, cancellationToken) =>
    prepend(ofFile(sourceFile), getSemanticDiagnostics(sourceFile, cancellationToken));

  const getGlobalDiagnostics = program.getGlobalDiagnostics.bind(program);
  program.getGlobalDiagnostics = (cancellationToken) =>
    prepend(global, getGlobalDiagnostics(cancellationToken));

  // Internal in TypeScript's API: what builder programs add to a file's semantic diagnostics.
  const internal = program as ts.Program & {
    getProgramDiagnostics?: (sourceFile: ts.SourceFile) => readonly ts.Diagnostic[];
  };
  const getProgramDiagnostics = internal.getProgramDiagnostics?.bind(program);
  if (getProgramDiagnostics) {
    internal.getProgramDiagnostics = (sourceFile) =>
      prepend(ofFile(sourceFile), getProgramDiagnostics(sourceFile));
  }
  return program;
}
