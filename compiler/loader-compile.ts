/**
 * The loader's compiler, run as a child process of the program being loaded: given a
 * module, compiles it and every project module it imports (adgen's rewrite where a module
 * uses adgen, then TypeScript to JavaScript) into the loader's cache.
 *
 * Input: the module's path (argv). Output: the cache filled; on stdout, JSON with the ADG
 * diagnostics in the tsc format (none when all went well). Invariants: an adapter over the
 * core through IncrementalCompiler; each cached module carries one inline source map from
 * its JavaScript back to the user's text, so `--enable-source-maps` puts stack traces on
 * the user's lines; nothing is cached from a compilation with errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { formatDiagnostic } from "./diagnostics";
import { formatOf, loaderCache, projectRoot } from "./module-cache";
import { loadFrontEnd } from "./requirements";
import type { EncodedSourceMap } from "./sourcemap";

type Format = "module" | "commonjs";

async function main(entry: string): Promise<string[]> {
  const { IncrementalCompiler } = loadFrontEnd([], () => require("./incremental") as typeof import("./incremental"));
  const compiler = new IncrementalCompiler({ root: projectRoot(entry) });
  compiler.update(entry, fs.readFileSync(entry, "utf8"));
  const cache = loaderCache();
  const compiled: { file: string; text: string; format: Format; code: string }[] = [];
  for (const file of compiler.members()) {
    const text = fs.readFileSync(file, "utf8");
    const result = await compiler.module(file);
    if (result.kind === "failed") return result.diagnostics.map((d) => formatDiagnostic(d));
    const format = formatOf(file);
    const code =
      result.kind === "compiled"
        ? javaScript(file, result.output.text, format, result.output.map, text)
        : javaScript(file, text, format, undefined, text);
    compiled.push({ file, text, format, code });
  }
  for (const { file, text, format, code } of compiled) cache.set(file, text, format, code);
  return [];
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

if (require.main === module) {
  main(path.resolve(process.argv[2]!)).then(
    (diagnostics) => process.stdout.write(JSON.stringify({ diagnostics })),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
