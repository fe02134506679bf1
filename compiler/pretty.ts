/**
 * Diagnostics as the CLI prints them: the tsc line, coloured on a terminal, and on a
 * terminal the source under it, as tsc's `--pretty` output shows it.
 *
 * Input: diagnostics, and how stderr takes them (colour; a terminal). Output: their text.
 * The source snippet: the lines the construct spans, each after its line number, with a line
 * of `~` under the construct; when it spans more than four lines, the first two and the last
 * two, joined by `...`. Invariants: the first line of each diagnostic is
 * `path:line:col - error ADG<code>: message` whatever the stream, so editors and CI link it;
 * the marks stand under the construct's own characters (a tab is shown as one space, as tsc
 * does, so columns stay aligned).
 */
import * as fs from "node:fs";
import { styleText } from "node:util";
import { decode } from "./encoding";
import { formatDiagnostic, type AdgDiagnostic } from "./diagnostics";

/** How stderr takes diagnostics: `color` when it carries colour, `pretty` when it is a terminal. */
export interface Stream {
  cwd: string;
  color: { stderr: boolean };
  pretty: boolean;
}

export function renderDiagnostics(diagnostics: readonly AdgDiagnostic[], stream: Stream): string {
  const texts = new Map<string, string | undefined>();
  return diagnostics.map((d) => `${renderDiagnostic(d, stream)}\n${stream.pretty ? sourceUnder(d, stream, texts) : ""}`).join("");
}

/** The tsc format; in a terminal, coloured as tsc colours it. */
export function renderDiagnostic(diagnostic: AdgDiagnostic, stream: Stream): string {
  const plain = formatDiagnostic(diagnostic, stream.cwd);
  if (!stream.color.stderr) return plain;
  const marker = `error ADG${diagnostic.code}: `;
  const at = plain.indexOf(marker);
  if (at === -1) return plain;
  const where = plain.slice(0, at);
  const location = where.endsWith(" - ") ? `${styleText("cyan", where.slice(0, -3))} - ` : where;
  return location + `${styleText("red", "error")} ${styleText("gray", `ADG${diagnostic.code}`)}: ` + plain.slice(at + marker.length);
}

/** The source line under a diagnostic, and the blank lines around it, as tsc prints them. */
function sourceUnder(d: AdgDiagnostic, stream: Stream, texts: Map<string, string | undefined>): string {
  if (!d.file) return "";
  if (!texts.has(d.file)) texts.set(d.file, readText(d.file));
  const text = texts.get(d.file);
  const color = stream.color.stderr;
  const style = { gutter: (s: string) => (color ? styleText("inverse", s) : s), marks: (s: string) => (color ? styleText("red", s) : s) };
  const lines = text === undefined ? [] : snippet(d, text, style);
  return lines.length > 0 ? `\n${lines.join("\n")}\n\n` : "";
}

/** A source's text as the compiler read it (the offsets of diagnostics are into this). */
function readText(file: string): string | undefined {
  try {
    return decode(fs.readFileSync(file)).text;
  } catch {
    return undefined;
  }
}

export interface SnippetStyle {
  /** the line numbers in the gutter */
  gutter(text: string): string;
  /** the `~` under the construct */
  marks(text: string): string;
}

const plain: SnippetStyle = { gutter: (text) => text, marks: (text) => text };

/** The snippet's lines, or none when the diagnostic has no place in `text`. */
export function snippet(diagnostic: AdgDiagnostic, text: string, style: SnippetStyle = plain): string[] {
  const { start, length } = diagnostic;
  if (start === undefined || start > text.length) return [];
  const end = Math.min(text.length, start + Math.max(length ?? 0, 0));
  // lines as the compiler counts them: CR, LF and CRLF each end one
  const breaks = [...text.matchAll(/\r\n?|\n/g)];
  const starts = [0, ...breaks.map((b) => b.index + b[0].length)];
  const lineAt = (offset: number) => starts.filter((s) => s <= offset).length - 1;
  const first = lineAt(start);
  const last = lineAt(Math.max(start, end - 1));
  const skips = last - first >= 4;
  const shown = skips ? [first, first + 1, -1, last - 1, last] : range(first, last);
  const width = Math.max(String(last + 1).length, skips ? 3 : 0);
  const out: string[] = [];
  for (const line of shown) {
    if (line === -1) {
      out.push(style.gutter("...".padStart(width)));
      continue;
    }
    const from = starts[line];
    const to = line < breaks.length ? breaks[line].index : text.length;
    const content = text.slice(from, to).replace(/\t/g, " ");
    const markFrom = line === first ? start - from : 0;
    const markTo = line === last ? Math.max(end - from, markFrom + 1) : content.length;
    out.push(`${style.gutter(String(line + 1).padStart(width))} ${content}`);
    out.push(`${style.gutter(" ".repeat(width))} ${" ".repeat(markFrom)}${style.marks("~".repeat(Math.max(1, Math.min(markTo, content.length + 1) - markFrom)))}`);
  }
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
