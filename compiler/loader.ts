/**
 * The module-customisation hooks behind `node --import adgen/register app.ts`.
 *
 * Input: Node's resolve and load requests. Output: `./x.js` resolved to `./x.ts` (and
 * `.mjs`/`.cjs` to `.mts`/`.cts`) when only the TypeScript file exists, as TypeScript
 * resolves it; each TypeScript module of the user's loaded as JavaScript — compiled by the
 * core first when it uses adgen, then stripped of its types — with an inline source map
 * back to the user's text (so `--enable-source-maps` puts stack traces on the user's
 * lines). Invariants: an adapter over the core through IncrementalCompiler; a module
 * compiled once is kept in the on-disk cache and a run that finds everything there never
 * loads the compiler (nor any library of its: this module imports none); an ADG error
 * stops the program with the diagnostics in the tsc format.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isProjectModule, mentionsAdgen } from "./candidates";
import { formatDiagnostic } from "./diagnostics";
import type { IncrementalCompiler } from "./incremental";
import { ModuleCache, projectRoot } from "./module-cache";
import { loadFrontEnd } from "./requirements";
import type { EncodedSourceMap } from "./sourcemap";
import { adgenVersion } from "./version";

type Format = "module" | "commonjs";

interface ResolveContext {
  conditions: string[];
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
  conditions: string[];
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

/** The build of adgen running: its version, and its own files' age (a rebuilt checkout differs). */
const cache = new ModuleCache(`${adgenVersion()}:${fs.statSync(__filename).mtimeMs}`);

/** `./x.js` → `./x.ts` when only the TypeScript file is there. */
export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const typeScript = /^\.{0,2}\//.test(specifier) || specifier.startsWith("file:") ? toTypeScript(specifier) : undefined;
    if (typeScript && (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") {
      return nextResolve(typeScript, context);
    }
    throw error;
  }
}

function toTypeScript(specifier: string): string | undefined {
  const match = /\.([cm]?)js$/.exec(specifier);
  return match ? `${specifier.slice(0, -match[0].length)}.${match[1]}ts` : undefined;
}

/** A user's TypeScript module as JavaScript, compiled by adgen when it uses adgen. */
export async function load(
  url: string,
  context: LoadContext,
  nextLoad: (url: string, context: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (!isProjectModule(file)) return nextLoad(url, context);
  const format = formatOf(file);
  const text = fs.readFileSync(file, "utf8");
  const source = cache.get(file, text, format) ?? (await compileModule(file, text, format));
  return { format, source, shortCircuit: true };
}

/** `.mts` is an ES module, `.cts` CommonJS, `.ts` whatever its package.json says. */
function formatOf(file: string): Format {
  if (file.endsWith(".mts")) return "module";
  if (file.endsWith(".cts")) return "commonjs";
  for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, "package.json");
    if (fs.existsSync(manifest)) {
      return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { type?: string }).type === "module" ? "module" : "commonjs";
    }
    if (path.dirname(directory) === directory) return "commonjs";
  }
}

/** One compiler per project root, created on the first cache miss of a module that uses adgen. */
const compilers = new Map<string, IncrementalCompiler>();

async function compileModule(file: string, text: string, format: Format): Promise<string> {
  let typeScript = text;
  let adgenMap: EncodedSourceMap | undefined;
  if (mentionsAdgen(text)) {
    const { IncrementalCompiler } = loadFrontEnd([], () => require("./incremental") as typeof import("./incremental"));
    const root = projectRoot(file);
    let compiler = compilers.get(root);
    if (!compiler) compilers.set(root, (compiler = new IncrementalCompiler({ root })));
    compiler.refresh();
    compiler.update(file, text);
    const result = await compiler.module(file);
    if (result.kind === "failed") throw adgenError(result.diagnostics.map((d) => formatDiagnostic(d)).join("\n"));
    if (result.kind === "compiled") {
      typeScript = result.output.text;
      adgenMap = result.output.map;
    }
  }
  const code = javaScript(file, typeScript, format, adgenMap, text);
  cache.set(file, text, format, code);
  return code;
}

/** TypeScript to JavaScript, with one inline map from the JavaScript to the user's text. */
function javaScript(file: string, typeScript: string, format: Format, adgenMap: EncodedSourceMap | undefined, original: string): string {
  const { ts } = require("ts-morph") as typeof import("ts-morph");
  // (its published types do not parse under TypeScript 6, so its one function is typed here)
  const remapping = require("@jridgewell/remapping") as (
    map: object,
    loader: (source: string, context: { depth: number }) => object | null,
  ) => object;
  const output = ts.transpileModule(typeScript, {
    fileName: file,
    compilerOptions: {
      module: format === "module" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: true,
      inlineSources: false,
    },
  });
  const code = output.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const transpiled = JSON.parse(output.sourceMapText!) as object;
  // The transpiler's map names the file it read: adgen's output, whose own map leads to the user's text.
  const merged = remapping(transpiled, (_source, { depth }) => (depth === 1 && adgenMap ? adgenMap : null));
  const map = { ...(merged as EncodedSourceMap), sources: [pathToFileURL(file).href], sourcesContent: [original] };
  const inline = Buffer.from(JSON.stringify(map)).toString("base64");
  return `${code}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}\n`;
}

/** An error whose printout is the diagnostics alone: the loader's stack would only distract. */
function adgenError(message: string): Error {
  const error = new Error(message);
  error.name = "AdgenError";
  error.stack = `AdgenError: ${message}`;
  return error;
}
