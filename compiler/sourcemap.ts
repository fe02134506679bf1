/**
 * Source-map markers and source maps: how generated code points back at the user's lines.
 *
 * Input: one compiled file as its parts — the user's original text, the line-stable user
 * text (transform calls replaced within their lines, imports added on existing lines), and
 * the generated part in its final, formatted form, still carrying the core's markers.
 * Output: the text users see (markers gone) and, when asked, a standard v3 source map of it
 * back to the original.
 *
 * The marker contract: in generated code a block comment `/*@adgen:<offset>*\/` — on a line
 * of its own, before a line comment, or leading a statement — names the 0-based offset, in
 * the same user file, of the user statement the following code differentiates. Every
 * generated line from a marker up to the next marker, or to the end of its top-level
 * declaration, maps to that position; generated lines before any marker map to nothing.
 * User lines map to themselves, column for column outside the replaced transform calls.
 *
 * Invariant: no output leaves adgen with a marker in it; every front end strips them here,
 * after prettier (which keeps comments where they are), so a map describes the final text.
 */
import { GenMapping, addSegment, setSourceContent, toEncodedMap, type EncodedSourceMap } from "@jridgewell/gen-mapping";
import { MagicString } from "magic-string";

export type { EncodedSourceMap };

const marker = /\/\*@adgen:(\d+)\*\/[ \t]*/g;

/** One line of generated code with its markers removed, and the user offset it maps to. */
interface GeneratedLine {
  text: string;
  /** offset in the user's file, or undefined when the line maps to nothing */
  origin?: number;
}

/**
 * Reads the markers of a generated part, line by line. A line left empty by removing its
 * markers is dropped; a line at column 0 (a new top-level declaration, or the `}` closing
 * one) ends the current marker's reach.
 */
function scan(generated: string): GeneratedLine[] {
  const lines: GeneratedLine[] = [];
  let origin: number | undefined;
  for (const line of generated.split("\n")) {
    if (/^[^\s]/.test(line)) origin = undefined;
    let found = false;
    const text = line.replace(marker, (_match, offset: string) => {
      origin = Number(offset);
      found = true;
      return "";
    });
    if (found && text.trim() === "") continue;
    lines.push({ text, origin });
  }
  return lines;
}

/** The text without adgen's source-map markers: what every output shows users. */
export function stripMarkers(text: string): string {
  if (!text.includes("/*@adgen:")) return text;
  return scan(text)
    .map((line) => line.text)
    .join("\n");
}

export interface MapRequest {
  /** the map's `file`: the output's name, as seen from the map */
  file: string;
  /** the map's one source: the original file's path, as seen from the map */
  source: string;
}

export interface OutputParts {
  /** the user's text, line for line, with transform calls replaced */
  userText: string;
  /** what separates the user's text from the generated part */
  separator: string;
  /** the generated part as it will be shown (formatted), markers still in */
  generated: string;
}

/** The final text of a compiled file: user text, separator, generated part without markers. */
export function assemble(parts: OutputParts): string {
  return parts.userText + parts.separator + stripMarkers(parts.generated);
}

/** The final text of a compiled file and its source map back to the original. */
export function assembleWithMap(
  original: string,
  parts: OutputParts,
  request: MapRequest,
): { text: string; map: EncodedSourceMap } {
  const lines = scan(parts.generated);
  const text = parts.userText + parts.separator + lines.map((line) => line.text).join("\n");
  const map = new GenMapping({ file: request.file });
  setSourceContent(map, request.source, original);

  // User lines: magic-string replays the in-line edits on the original and maps every column.
  const user = userEdits(original, parts.userText).generateDecodedMap({ hires: true, source: request.source });
  user.mappings.forEach((segments, line) => {
    for (const [column, , sourceLine, sourceColumn] of segments) {
      if (sourceLine !== undefined && sourceColumn !== undefined) {
        addSegment(map, line, column, request.source, sourceLine, sourceColumn);
      }
    }
  });

  // Generated lines: each maps, from its first column, to the statement its marker names.
  const starts = lineStarts(original);
  const first = lineCount(parts.userText + parts.separator) - 1;
  lines.forEach((line, index) => {
    if (line.origin === undefined || line.origin > original.length) return;
    const position = positionOf(starts, line.origin);
    const indent = /^\s*/.exec(line.text)![0].length;
    addSegment(map, first + index, indent, request.source, position.line, position.column);
  });
  return { text, map: toEncodedMap(map) };
}

/**
 * The original with the user text's edits applied, as magic-string edits. Both texts have
 * the same lines; where a line differs, its common start and end stay mapped and the part
 * between is the edit.
 */
function userEdits(original: string, userText: string): MagicString {
  const edited = new MagicString(original);
  const before = original.split("\n");
  const after = userText.split("\n");
  if (before.length !== after.length) {
    throw new Error(`adgen changed the number of lines of user code (${before.length} → ${after.length})`);
  }
  let start = 0;
  before.forEach((line, index) => {
    const next = after[index]!;
    if (line !== next) {
      let prefix = 0;
      while (prefix < line.length && prefix < next.length && line[prefix] === next[prefix]) prefix++;
      let suffix = 0;
      while (
        suffix < line.length - prefix &&
        suffix < next.length - prefix &&
        line[line.length - 1 - suffix] === next[next.length - 1 - suffix]
      ) {
        suffix++;
      }
      const from = start + prefix;
      const to = start + line.length - suffix;
      const replacement = next.slice(prefix, next.length - suffix);
      if (from === to) edited.appendLeft(from, replacement);
      else edited.overwrite(from, to, replacement);
    }
    start += line.length + 1;
  });
  return edited;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineCount(text: string): number {
  return lineStarts(text).length;
}

/** 0-based line and column of an offset. */
function positionOf(starts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low, column: offset - starts[low]! };
}
