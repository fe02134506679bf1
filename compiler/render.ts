/**
 * One compiled file to the text a front end hands on: formatted, markers stripped, and when
 * asked with its source map.
 *
 * Input: the core's CompiledFile and the user's original text. Output: the final text, and
 * a v3 map from it back to the original (for `build --source-map` a `.map` beside the
 * output; for the plugins and the loader a map object to chain or inline). Invariant: the
 * same text with or without a map; the map describes exactly that text.
 */
import * as path from "node:path";
import type { CompiledFile } from "./pipeline";
import { formatParts } from "./format";
import { assemble, assembleWithMap, type EncodedSourceMap } from "./sourcemap";

export interface Rendered {
  text: string;
  map?: EncodedSourceMap;
}

/** The final text of `file` and, when `map` names the output and source, its map. */
export async function renderCompiled(
  file: CompiledFile,
  original: string,
  map?: { file: string; source: string },
): Promise<Rendered> {
  const parts = await formatParts(file.userText, file.generatedText);
  if (!map) return { text: assemble(parts) };
  return assembleWithMap(original, parts, map);
}

/**
 * What `adgen build` writes for a rewritten file at `relative` under `outDir`: its text,
 * and with `sourceMap` a `<name>.map` beside it that the text points at.
 */
export async function renderForBuild(
  file: CompiledFile,
  original: string,
  relative: string,
  outDir: string,
  sourceMap: boolean,
): Promise<{ relative: string; content: string }[]> {
  if (!sourceMap) return [{ relative, content: (await renderCompiled(file, original)).text }];
  const output = path.join(outDir, relative);
  const mapName = `${path.basename(relative)}.map`;
  const source = path.relative(path.dirname(output), file.path).split(path.sep).join("/");
  const { text, map } = await renderCompiled(file, original, { file: path.basename(relative), source });
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const ending = text === "" || text.endsWith("\n") ? "" : eol;
  return [
    { relative, content: `${text}${ending}//# sourceMappingURL=${mapName}${eol}` },
    { relative: `${relative}.map`, content: `${JSON.stringify(map)}\n` },
  ];
}
