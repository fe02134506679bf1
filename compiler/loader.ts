/**
 * The module-customisation hooks behind `node --import adgen/register app.ts`.
 *
 * Input: Node's resolve and load requests. Output: `./x.js` resolved to `./x.ts` (and
 * `.mjs`/`.cjs` to `.mts`/`.cts`) when only the TypeScript file exists, as TypeScript
 * resolves it; each TypeScript module of the user's loaded as JavaScript — compiled by the
 * core first when it uses adgen, then stripped of its types — with an inline source map
 * back to the user's text (so `--enable-source-maps` puts stack traces on the user's
 * lines). Invariants: every module comes from the on-disk cache; on a miss a child
 * process (loader-compile.ts) compiles the module and all it imports into the cache, so a
 * run that finds everything there never loads the compiler (nor any library of its: this
 * module imports none); an ADG error stops the program with the diagnostics in the tsc
 * format.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isProjectModule } from "./candidates";
import { formatOf, loaderCache } from "./module-cache";

const run = promisify(execFile);

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

const cache = loaderCache();

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
  let source = cache.get(file, text, format);
  if (source === undefined) {
    await compileInChild(file);
    cache.forgetProjects();
    source = cache.get(file, text, format);
    if (source === undefined) throw new Error(`adgen: the compiled ${file} is missing from the cache`);
  }
  return { format, source, shortCircuit: true };
}

/**
 * Compiles `file` and every module it imports into the cache, in a child process: the
 * compiler runs with no hooks around it (a hooks thread cannot load ES modules through
 * `require` on every Node), and one run fills the cache for all the modules it will load.
 */
async function compileInChild(file: string): Promise<void> {
  const child = require.resolve("./loader-compile");
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no hooks in the compiler's own process
  const { stdout } = await run(process.execPath, [child, file], { env, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`adgen's compiler failed on ${file}: ${error.stderr || error.message}`);
    },
  );
  const diagnostics = (JSON.parse(stdout) as { diagnostics: string[] }).diagnostics;
  if (diagnostics.length > 0) throw adgenError(diagnostics.join("\n"));
}


/** An error whose printout is the diagnostics alone: the loader's stack would only distract. */
function adgenError(message: string): Error {
  const error = new Error(message);
  error.name = "AdgenError";
  error.stack = `AdgenError: ${message}`;
  return error;
}
