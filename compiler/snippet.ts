/**
 * The source under a diagnostic, as tsc's `--pretty` output shows it on a terminal.
 *
 * Input: a diagnostic with its place (start and length) and the text of its file. Output:
 * the lines the construct spans, each after its line number, with a line of `~` under the
 * construct; when it spans more than four lines, the first two and the last two, joined by
 * `...`. Invariant: the marks stand under the construct's own characters (a tab is shown as
 * one space, as tsc does, so columns stay aligned); the diagnostic's first line is not part
 * of this, so what editors and CI parse is the same with or without it.
 */
import type { AdgDiagnostic } from "./diagnostics";

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
