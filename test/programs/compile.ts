/**
 * Compiles modules of random programs with the real pipeline and loads the output.
 *
 * Input: module texts. Output: the diagnostics, or one loaded module per text. Invariant:
 * one ts-morph project is kept across calls (its lib files stay parsed); the files of the
 * previous call are removed first. Several files of ~50 programs compile much faster than
 * one large file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Project } from "ts-morph";
import { defaultCompilerOptions } from "../../compiler/project";
import type { AdgDiagnostic } from "../../compiler/diagnostics";
import { compileSources, repoRoot } from "../harness";
import type { Fn } from "./module";

const dir = "properties-control";
/** The path of the k-th module of a call, as diagnostics name it. */
export const modulePath = (k: number) => path.join(repoRoot, "fixtures", dir, `programs${k}.ts`);
let project: Project | undefined;

export interface Compiled {
  diagnostics: AdgDiagnostic[];
  modules?: Record<string, Fn>[];
}

/** `import` loads through vitest's module loader (fast, vitest only); `eval` anywhere. */
export async function compileModules(texts: readonly string[], loader: "import" | "eval" = "import"): Promise<Compiled> {
  project ??= new Project({ compilerOptions: defaultCompilerOptions });
  const names = texts.map((_, k) => `programs${k}.ts`);
  const compiled = compileSources(Object.fromEntries(names.map((name, k) => [name, texts[k]!])), dir, { project });
  if (compiled.diagnostics.length > 0) return { diagnostics: compiled.diagnostics };
  const modules = await Promise.all(names.map((name) => (loader === "import" ? load(compiled.texts[name]!) : (compiled.load(name) as Record<string, Fn>))));
  return { diagnostics: [], modules };
}

/**
 * Loads compiled TypeScript through vitest's own module loader, from a temporary file
 * (each under a new name: modules are cached by path). This is ~3× faster than
 * `ts.transpileModule` on these large outputs.
 */
let outDir: string | undefined;
let loaded = 0;
const runtimeEntry = JSON.stringify(path.join(repoRoot, "runtime", "index.ts"));

async function load(text: string): Promise<Record<string, Fn>> {
  outDir ??= mkdtempSync(path.join(tmpdir(), "adgen-properties-control-"));
  const file = path.join(outDir, `m${loaded++}.ts`);
  writeFileSync(file, text.replaceAll(`from "adgen"`, `from ${runtimeEntry}`));
  return (await import(file)) as Record<string, Fn>;
}

/** Removes the temporary files of the `import` loader. */
export function cleanUp(): void {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
}
