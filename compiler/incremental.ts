/**
 * A project held in memory, for front ends that see one module at a time: the bundler
 * plugins and the Node loader.
 *
 * Input: a project root (its tsconfig.json, when there is one, gives the compiler options)
 * and, one call at a time, a module's path and current text. Output: that module's
 * compiled text and source map, or the ADG diagnostics, or nothing for a module adgen
 * leaves alone. Invariants: the core sees every module asked for so far with everything
 * they import — a bundler or Node asks for an entry before what it imports, so a module's
 * output already counts what its importers ask of it — each at its latest text (the text a
 * bundler hands over, else the file on disk); that set is compiled once per state of its
 * texts, and every output rendered from that one compilation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Project, type SourceFile } from "ts-morph";
import { isProjectModule, mentionsAdgen } from "./candidates";
import type { AdgDiagnostic } from "./diagnostics";
import { bringDomBack, type LeanLibraries, leaveDomOut } from "./libs";
import { compile, type CompileResult } from "./pipeline";
import { defaultCompilerOptions } from "./project";
import { renderCompiled, type Rendered } from "./render";

export type ModuleResult =
  | { kind: "unchanged" }
  | { kind: "compiled"; output: Rendered }
  | { kind: "failed"; diagnostics: AdgDiagnostic[] };

export interface IncrementalOptions {
  /** the project's directory: its tsconfig.json is read, or its TypeScript files are */
  root: string;
  /** a tsconfig.json to use instead of `<root>/tsconfig.json` */
  tsconfig?: string;
}

interface Compilation {
  version: number;
  result: CompileResult;
  rendered: Map<string, Promise<Rendered>>;
}

export class IncrementalCompiler {
  private readonly project: Project;
  /** the modules compiled: those asked for, and what they import */
  private readonly memberSet = new Set<string>();
  /** the modification time each file had when its text was last read from disk */
  private readonly readAt = new Map<string, number>();
  /** bumped on every change of any text */
  private version = 0;
  private compilation?: Compilation;
  /** the libraries tried without the DOM's, until a compilation needs them (compiler/libs.ts) */
  private lean?: LeanLibraries;

  constructor(options: IncrementalOptions) {
    const root = path.resolve(options.root);
    const tsconfig = path.resolve(root, options.tsconfig ?? "tsconfig.json");
    this.project = fs.existsSync(tsconfig)
      ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
      : new Project({ compilerOptions: defaultCompilerOptions });
    this.lean = leaveDomOut(this.project);
  }

  /** The modules asked for and what they import. */
  members(): string[] {
    return [...this.memberSet].sort();
  }

  /** The files the core compiles: the modules asked for and what they import, if they may use adgen. */
  inputs(): string[] {
    return [...this.memberSet].filter((file) => mentionsAdgen(this.project.getSourceFileOrThrow(file).getFullText())).sort();
  }

  /** Sets a module's text (as a bundler hands it over); a new module joins with what it imports. */
  update(file: string, text: string): void {
    const resolved = path.resolve(file);
    const known = this.project.getSourceFile(resolved);
    if (known?.getFullText() !== text) {
      this.project.createSourceFile(resolved, text, { overwrite: true });
      this.readAt.set(resolved, mtime(resolved));
      this.version++;
      this.join(resolved);
    } else if (!this.memberSet.has(resolved)) {
      this.join(resolved);
    }
  }

  /** Adds a module (or rereads its imports) and, transitively, the project modules it imports. */
  private join(file: string): void {
    const pending = [file];
    const visited = new Set<string>();
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (visited.has(next) || (this.memberSet.has(next) && next !== file)) continue;
      visited.add(next);
      if (!this.memberSet.has(next)) this.version++;
      this.memberSet.add(next);
      const source = this.project.getSourceFile(next) ?? this.project.addSourceFileAtPath(next);
      this.readAt.set(next, mtime(next));
      this.project.resolveSourceFileDependencies();
      for (const declaration of [...source.getImportDeclarations(), ...source.getExportDeclarations()]) {
        const imported = declaration.getModuleSpecifierSourceFile()?.getFilePath();
        if (imported && isProjectModule(imported)) pending.push(path.resolve(imported));
      }
    }
  }

  /** Rereads the files changed on disk since they were read (a module handed over by `update` too). */
  refresh(): void {
    for (const file of this.sources()) {
      const at = mtime(file.getFilePath());
      if (at === this.readAt.get(file.getFilePath())) continue;
      this.readAt.set(file.getFilePath(), at);
      if (at === -1) continue;
      if (file.refreshFromFileSystemSync() !== 0 /* NoChange */) this.version++;
    }
  }

  /** The module at `file`, compiled with the project as it stands. */
  async module(file: string): Promise<ModuleResult> {
    const resolved = path.resolve(file);
    const source = this.project.getSourceFile(resolved);
    if (!source || !mentionsAdgen(source.getFullText())) return { kind: "unchanged" };
    if (!this.memberSet.has(resolved)) this.join(resolved);
    const compilation = this.compile();
    if (compilation.result.diagnostics.length > 0) return { kind: "failed", diagnostics: compilation.result.diagnostics };
    const compiled = compilation.result.files.find((f) => path.resolve(f.path) === resolved);
    if (!compiled?.changed) return { kind: "unchanged" };
    let rendered = compilation.rendered.get(resolved);
    if (!rendered) {
      rendered = renderCompiled(compiled, source.getFullText(), { file: path.basename(resolved), source: resolved });
      compilation.rendered.set(resolved, rendered);
    }
    return { kind: "compiled", output: await rendered };
  }

  /**
   * The modules whose output differs between the last compilation and one with the texts
   * as they are now: what a dev server must send again after a change.
   */
  async changedModules(): Promise<string[]> {
    const before = this.compilation;
    const after = this.compile();
    if (!before || before === after) return [];
    const texts = (result: CompileResult) =>
      new Map(result.files.map((f) => [path.resolve(f.path), f.changed ? f.userText + f.generatedText : ""]));
    const old = texts(before.result);
    const now = texts(after.result);
    return [...new Set([...old.keys(), ...now.keys()])].filter((file) => old.get(file) !== now.get(file));
  }

  private compile(): Compilation {
    if (this.compilation?.version === this.version) return this.compilation;
    const inputFiles = () => this.inputs().map((file) => this.project.getSourceFileOrThrow(file));
    if (this.lean && bringDomBack(this.project, inputFiles(), this.lean)) this.lean = undefined;
    const result = compile(this.project, inputFiles());
    this.compilation = { version: this.version, result, rendered: new Map() };
    return this.compilation;
  }

  private sources(): SourceFile[] {
    return [...this.memberSet].map((file) => this.project.getSourceFileOrThrow(file));
  }
}

function mtime(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}
