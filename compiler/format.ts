/**
 * Prettier formatting of the TypeScript that adgen generates.
 *
 * Input: generated TypeScript text. Output: the same code, formatted. Invariant: the
 * result depends only on the text and on the prettier version adgen ships with — the
 * options are fixed here and no user configuration file is ever read, so output is
 * byte-stable from one machine to the next. Only generated code passes through here; the
 * user's own code is never reformatted.
 */
import { Worker } from "node:worker_threads";
import type * as Prettier from "prettier";
import { isSettled, printWidth } from "./settled";
import { assemble, type OutputParts } from "./sourcemap";

/** prettier, loaded by the first file to format: a build that formats nothing (or fails first) never loads it */
let prettier: typeof Prettier | undefined;
const format: typeof Prettier.format = (text, options) => (prettier ??= require("prettier") as typeof Prettier).format(text, options);

export type EndOfLine = "lf" | "crlf" | "cr";

const endings: Record<EndOfLine, string> = { lf: "\n", crlf: "\r\n", cr: "\r" };

/** Every option that affects TypeScript output, spelled out so no default can drift. */
export const options = {
  // Babel's TypeScript parser: the same AST for the code adgen generates, and several times faster to
  // load and run than prettier's "typescript" parser, which bundles the TypeScript compiler
  parser: "babel-ts",
  // a .ts name: the code is TypeScript, never JSX, whichever parser reads it
  filepath: "generated.ts",
  printWidth,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  quoteProps: "as-needed",
  trailingComma: "all",
  bracketSpacing: true,
  bracketSameLine: false,
  objectWrap: "preserve",
  arrowParens: "always",
  experimentalTernaries: false,
  experimentalOperatorPosition: "end",
} as const;

/**
 * Formats generated TypeScript. `endOfLine` lets the generated part match the line
 * endings of the user's file it is appended to. Top-level declarations that prettier would
 * print as they are (settled.ts) are kept as they are; the others, each run of them at once,
 * go through prettier: the same text as formatting the whole, for a fraction of the work.
 * Throws if the text does not parse, which for generated code means a bug in adgen: callers
 * report it as an internal error.
 */
export async function formatGenerated(text: string, endOfLine: EndOfLine = "lf"): Promise<string> {
  const eol = endings[endOfLine];
  // declarations are separated by one blank line, and start at column 0
  const runs: { settled: boolean; chunks: string[] }[] = [];
  for (const chunk of text.replace(/\n$/, "").split(/\n\n(?=\S)/)) {
    const settled = isSettled(chunk);
    const last = runs.at(-1);
    if (last?.settled === settled) last.chunks.push(chunk);
    else runs.push({ settled, chunks: [chunk] });
  }
  if (!runs.some((run) => run.settled)) return formatWithPrettier(text, endOfLine);
  const parts: string[] = [];
  try {
    for (const { settled, chunks } of runs) {
      const part = chunks.join("\n\n");
      const formatted = settled ? part.replaceAll("\n", eol) : (await formatWithPrettier(`${part}\n`, endOfLine)).slice(0, -eol.length);
      if (formatted.trim() === "") throw new Error("nothing to join");
      parts.push(formatted);
    }
  } catch {
    // a part that does not parse alone (a declaration cut where a string spans lines), or formats to nothing: the whole at once
    return formatWithPrettier(text, endOfLine);
  }
  return parts.join(eol + eol) + eol;
}

async function formatWithPrettier(text: string, endOfLine: EndOfLine): Promise<string> {
  try {
    return await format(text, { ...options, endOfLine });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return formatWithDeepStack(text, { ...options, endOfLine });
  }
}

/**
 * Prettier's printer recurses once per level of nesting, and the main thread's stack ends
 * near 300 nested blocks, where tsc goes on: code that deep (generated from a user's deep
 * `if`s) is formatted again in a worker thread with a stack of its own, large enough for
 * thousands of levels. Only such code pays for the worker.
 */
function formatWithDeepStack(text: string, formatOptions: object): Promise<string> {
  const script = `const { parentPort, workerData } = require("node:worker_threads");
    require(workerData.prettier).format(workerData.text, workerData.options).then(
      (formatted) => parentPort.postMessage({ formatted }),
      (error) => parentPort.postMessage({ error: String(error && error.message || error) }));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, {
      eval: true,
      workerData: { prettier: require.resolve("prettier"), text, options: formatOptions },
      resourceLimits: { stackSizeMb: 256 },
    });
    worker.once("message", (result: { formatted?: string; error?: string }) => {
      void worker.terminate();
      if (result.formatted !== undefined) resolve(result.formatted);
      else reject(new Error(result.error));
    });
    worker.once("error", reject);
  });
}

/**
 * The user's text untouched, a blank line, then the generated declarations formatted (with
 * the core's source-map markers still in: see sourcemap.ts). Only the generated part is
 * formatted, so every line of user code keeps its number.
 */
export async function formatParts(userText: string, generatedText: string): Promise<OutputParts> {
  if (generatedText.trim() === "") return { userText, separator: "", generated: "" };
  const endOfLine = lineEndingOf(userText);
  const eol = endings[endOfLine];
  const generated = await formatGenerated(generatedText, endOfLine);
  const separator = userText === "" ? "" : userText.endsWith(eol) ? eol : eol + eol;
  return { userText, separator, generated };
}

/** The output file's text: user text, then the generated part formatted, without markers. */
export async function renderOutput(userText: string, generatedText: string): Promise<string> {
  return assemble(await formatParts(userText, generatedText));
}

/** The line ending a file uses: its first one (CRLF, a lone CR as in classic Mac files, or LF). */
function lineEndingOf(text: string): EndOfLine {
  const first = /\r\n|\r|\n/.exec(text)?.[0];
  return first === "\r\n" ? "crlf" : first === "\r" ? "cr" : "lf";
}
