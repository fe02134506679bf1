/**
 * The shape of a corpus case and the snippets the cases share. A case is a small project
 * (files under a temporary directory, `src/` by default, with a previous adgen build in
 * `out/`), the build's arguments, and either the exact diagnostics the build must print
 * (`path:line:col ADG<code>`, `path ADG<code>` or `ADG<code>` for one without a position or
 * a path, in order) or that it builds: then its output type-checks under `strict`, and
 * every `checks` array a built file exports (`{ f, gradient, args, wrt? }`) holds gradients
 * that agree with finite differences (unless marked as past TypeScript's own limit). Links, FIFOs and file modes are made when the case
 * runs, never committed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface CorpusCase {
  name: string;
  /** what the input is, and why it belongs here */
  about: string;
  files: Record<string, string | Buffer>;
  /** after `adgen build`; default `src --out-dir out` */
  args?: string[];
  /** links and FIFOs, made after the files are written and before the snapshot */
  setup?: (dir: string) => void;
  /** file modes set just for the build (after the snapshot), run as a user root's override does not apply to */
  modes?: Record<string, number>;
  /** no previous adgen build in `out/` (one is there by default, and must survive a failure) */
  fresh?: boolean;
  expect: { errors: string[] } | { builds: Builds };
}

export interface Builds {
  /** how many gradients the built files' `checks` arrays hold */
  checks: number;
  /**
   * The output lies past TypeScript's own control-flow analysis (TS2563, about 2,000 steps
   * of flow): it is type-checked alone and must fail with that and nothing else.
   */
  pastTypeScriptFlowLimit?: true;
}

export const cube = ["/** @differentiable */", "export function cube(x: number): number {", "  return x * x * x;", "}"].join("\n");
export const plain = "export const answer: number = 42;\n";
export const lines = (...text: string[]) => text.join("\n") + "\n";
export const link = (target: string, at: string) => (dir: string) => fs.symlinkSync(target, path.join(dir, at));

/** A module whose `cube` gradient is built with `call` (e.g. `grad(cube)`) from the imports given. */
export const withCube = (imports: string, call: string) =>
  lines(imports, "", cube, "", `export const dCube = ${call};`, "export const checks = [{ f: cube, gradient: dCube, args: [1.3] }];");

/** A function not marked differentiable: `grad(n)` is ADG2002 at `n`. */
export const notMarked = "export function n(x: number): number { return x; }";

export const lib = lines("/** @differentiable */", "export function sq(x: number): number {", "  return 3 * x * x;", "}", "export const offset = 1;");
