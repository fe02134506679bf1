/**
 * Builds the ts-morph Project the pipeline reads: from a tsconfig on disk (the CLI), or
 * from source texts held in memory (the tsc transformer, tests).
 */
import { Project, ts } from "ts-morph";

/** Compiler options used when the user gives no tsconfig: strict, modern, Node-style. */
export const defaultCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
};

/**
 * A project over files on disk; `tsconfig` supplies compiler options only, `files` the
 * inputs: paths to read, or their texts already read (path → text), so that the project
 * sees the same snapshot of them as the caller. `adjust` may override options before any
 * file is read.
 */
export function loadProject(
  files: readonly string[] | ReadonlyMap<string, string>,
  tsconfig?: string,
  adjust?: (options: ts.CompilerOptions) => ts.CompilerOptions | undefined,
): Project {
  const project = tsconfig
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({ compilerOptions: defaultCompilerOptions });
  const overrides = adjust?.(project.compilerOptions.get());
  if (overrides) project.compilerOptions.set(overrides);
  if (isTexts(files)) for (const [path, text] of files) project.createSourceFile(path, text, { overwrite: true });
  else for (const file of files) project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  return project;
}

function isTexts(files: readonly string[] | ReadonlyMap<string, string>): files is ReadonlyMap<string, string> {
  return !Array.isArray(files);
}

/** A project over texts in memory, resolving anything else (node_modules, lib) from disk. */
export function projectFromTexts(
  texts: ReadonlyMap<string, string>,
  compilerOptions: ts.CompilerOptions = defaultCompilerOptions,
): Project {
  const project = new Project({ compilerOptions });
  for (const [path, text] of texts) project.createSourceFile(path, text, { overwrite: true });
  project.resolveSourceFileDependencies();
  return project;
}
