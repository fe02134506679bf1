/**
 * Compiles fixture sources with the real pipeline and loads TypeScript texts as modules, so
 * tests can call generated gradients and the functions they differentiate. Sources live at
 * virtual paths under fixtures/, where `import … from "adgen"` resolves to this package.
 */
import * as path from "node:path";
import { ts, type Project } from "ts-morph";
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

/**
 * Compile `sources` (relative path → text) placed under `fixtures/<dir>/`, in a new project
 * or in `options.project`: one kept across calls parses the lib files once, and loses the
 * files of its previous call under `dir` before the next.
 */
export function compileSources(
  sources: Record<string, string>,
  dir = "virtual",
  { project, ...options }: CompileOptions & { project?: Project } = {},
): Compiled {
  const base = path.join(repoRoot, "fixtures", dir);
  const texts = new Map(Object.entries(sources).map(([rel, text]) => [path.join(base, rel), text]));
  if (project) {
    for (const old of project.getSourceFiles()) {
      if (old.getFilePath().startsWith(base + path.sep) && !texts.has(old.getFilePath())) project.removeSourceFile(old);
    }
    for (const [file, text] of texts) project.createSourceFile(file, text, { overwrite: true });
    project.resolveSourceFileDependencies();
  }
  const target = project ?? projectFromTexts(texts);
  const result = compile(target, [...texts.keys()].map((p) => target.getSourceFileOrThrow(p)), options);
  const out: Record<string, string> = {};
  const files: Record<string, CompiledFile> = {};
  for (const file of result.files) {
    const relative = path.relative(base, file.path);
    files[relative] = file;
    out[relative] = file.generatedText ? `${file.userText}\n${file.generatedText}` : file.userText;
  }
  const load = moduleLoader(out, { why: () => JSON.stringify(result.diagnostics) });
  return { diagnostics: result.diagnostics, texts: out, files, load };
}

export interface LoaderOptions {
  /** what `import … from "adgen"` gets: the runtime unless given */
  adgen?: object;
  /** rewrite the code on the way (the fuzzer's decision tracing) */
  transformers?: ts.CustomTransformers;
  /** explains a missing text in the error */
  why?: () => string;
}

/**
 * A loader of TypeScript modules given as texts (relative path → text), each transpiled to
 * CommonJS and run once; relative imports resolve among the texts (`./x`, `./x.js`,
 * `./x/index`).
 */
export function moduleLoader(
  texts: Record<string, string>,
  { adgen = runtime, transformers, why = () => "" }: LoaderOptions = {},
): (relative: string) => Record<string, any> {
  const cache = new Map<string, Record<string, any>>();
  const resolve = (from: string, spec: string): string | undefined => {
    const base = path.posix.join(path.posix.dirname(from), spec).replace(/\.(js|ts)$/, "");
    return [`${base}.ts`, `${base}/index.ts`].find((candidate) => candidate in texts);
  };
  const load = (relative: string): Record<string, any> => {
    const key = relative.replace(/\.(js|ts)$/, "") + ".ts";
    const hit = cache.get(key);
    if (hit) return hit;
    const text = texts[key];
    if (text === undefined) throw new Error(`no output for ${key}: ${why()}`);
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      transformers,
    }).outputText.replace(/^#!.*/, ""); // a #! line is no JavaScript inside a function
    const module = { exports: {} as Record<string, any> };
    cache.set(key, module.exports);
    const require = (spec: string) => {
      if (spec === "adgen") return adgen;
      const found = spec.startsWith(".") ? resolve(key, spec) : undefined;
      if (!found) throw new Error(`unexpected import ${spec} in ${key}`);
      return load(found);
    };
    new Function("exports", "require", "module", js)(module.exports, require, module);
    return module.exports;
  };
  return load;
}

/**
 * The runtime with its transforms replaced by stubs that throw when called: loads a module
 * as written, without compilation, so its points and primal functions can be used.
 */
export const uncompiledRuntime: object = (() => {
  const stub = (transform: string) => () => () => {
    throw new Error(`${transform}: uncompiled fixture`);
  };
  const transforms = ["grad", "valueAndGrad", "vjp", "jvp", "hvp", "hessian", "jacobian"];
  return { ...runtime, ...Object.fromEntries(transforms.map((name) => [name, stub(name)])) };
})();

/**
 * Empty tapes given buffers of room for one value: the next gradient must grow them, so a
 * push the generated code makes without reserving room (a typed array written past its end
 * drops the value silently) gives a wrong result instead of passing unnoticed.
 */
export function tinyTapes(): void {
  if (runtime.numberTape.top === 0) runtime.numberTape.data = new Float64Array(1);
  if (runtime.booleanTape.top === 0) runtime.booleanTape.data = new Uint8Array(1);
}
