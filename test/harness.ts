/**
 * Compiles fixture sources with the real pipeline and loads the output as modules, so
 * tests can call generated gradients. Sources live at virtual paths under fixtures/, where
 * `import … from "adgen"` resolves to this package.
 */
import * as path from "node:path";
import { ts } from "ts-morph";
import { compile } from "../compiler/pipeline";
import { projectFromTexts } from "../compiler/project";
import type { AdgDiagnostic } from "../compiler/diagnostics";
import type { CompiledFile, CompileOptions } from "../compiler/pipeline";
import * as runtime from "../runtime";

export const repoRoot = path.resolve(__dirname, "..");

export interface Compiled {
  diagnostics: AdgDiagnostic[];
  /** output text per relative path (generated code unformatted) */
  texts: Record<string, string>;
  /** the pipeline's result per relative path */
  files: Record<string, CompiledFile>;
  /** the loaded module of a relative path */
  load(relative: string): Record<string, any>;
}

/** Compile `sources` (relative path → text) placed under `fixtures/<dir>/`. */
export function compileSources(sources: Record<string, string>, dir = "virtual", options?: CompileOptions): Compiled {
  const base = path.join(repoRoot, "fixtures", dir);
  const texts = new Map(Object.entries(sources).map(([rel, text]) => [path.join(base, rel), text]));
  const project = projectFromTexts(texts);
  const result = compile(project, [...texts.keys()].map((p) => project.getSourceFileOrThrow(p)), options);
  const out: Record<string, string> = {};
  const files: Record<string, CompiledFile> = {};
  for (const file of result.files) {
    const relative = path.relative(base, file.path);
    files[relative] = file;
    out[relative] = file.generatedText ? `${file.userText}\n${file.generatedText}` : file.userText;
  }
  const load = moduleLoader(out, () => JSON.stringify(result.diagnostics));
  return { diagnostics: result.diagnostics, texts: out, files, load };
}

/**
 * Loads TypeScript texts (relative path → text) as CommonJS modules, transpiled on demand:
 * `import … from "adgen"` gets this package's runtime, relative imports the other texts.
 * `why` explains a missing text in the error.
 */
export function moduleLoader(texts: Record<string, string>, why = () => ""): (relative: string) => Record<string, any> {
  const cache = new Map<string, Record<string, any>>();
  const load = (relative: string): Record<string, any> => {
    const key = relative.replace(/\.(js|ts)$/, "") + ".ts";
    const hit = cache.get(key);
    if (hit) return hit;
    const text = texts[key];
    if (text === undefined) throw new Error(`no output for ${key}: ${why()}`);
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText.replace(/^#!.*/, ""); // a #! line is no JavaScript inside a function
    const module = { exports: {} as Record<string, any> };
    cache.set(key, module.exports);
    const require = (spec: string) => {
      if (spec === "adgen") return runtime;
      if (spec.startsWith(".")) return load(path.join(path.dirname(key), spec));
      throw new Error(`unexpected import ${spec}`);
    };
    new Function("exports", "require", "module", js)(module.exports, require, module);
    return module.exports;
  };
  return load;
}
