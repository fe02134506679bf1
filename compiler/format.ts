/**
 * Prettier formatting of the TypeScript that adgen generates.
 *
 * Input: generated TypeScript text. Output: the same code, formatted. Invariant: the
 * result depends only on the text and on the prettier version adgen ships with — the
 * options are fixed here and no user configuration file is ever read, so output is
 * byte-stable from one machine to the next. Only generated code passes through here; the
 * user's own code is never reformatted.
 */
import { format } from "prettier";
import { assemble, type OutputParts } from "./sourcemap";

export type EndOfLine = "lf" | "crlf";

/** Every option that affects TypeScript output, spelled out so no default can drift. */
const options = {
  parser: "typescript",
  printWidth: 100,
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
 * endings of the user's file it is appended to. Throws if the text does not parse, which
 * for generated code means a bug in adgen: callers report it as an internal error.
 */
export async function formatGenerated(text: string, endOfLine: EndOfLine = "lf"): Promise<string> {
  return format(text, { ...options, endOfLine });
}

/**
 * The user's text untouched, a blank line, then the generated declarations formatted (with
 * the core's source-map markers still in: see sourcemap.ts). Only the generated part is
 * formatted, so every line of user code keeps its number.
 */
export async function formatParts(userText: string, generatedText: string): Promise<OutputParts> {
  if (generatedText.trim() === "") return { userText, separator: "", generated: "" };
  const endOfLine = userText.includes("\r\n") ? "crlf" : "lf";
  const eol = endOfLine === "crlf" ? "\r\n" : "\n";
  const generated = await formatGenerated(generatedText, endOfLine);
  const separator = userText === "" ? "" : userText.endsWith("\n") ? eol : eol + eol;
  return { userText, separator, generated };
}

/** The output file's text: user text, then the generated part formatted, without markers. */
export async function renderOutput(userText: string, generatedText: string): Promise<string> {
  return assemble(await formatParts(userText, generatedText));
}
