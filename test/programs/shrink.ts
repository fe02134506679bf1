/**
 * Shrinking a failing random program to a small one.
 *
 * Input: the seed of a file of programs (./generate.ts `fileCases`) and a program's index
 * in it. Output: the program fast-check shrinks it to, compiling ONE program per run, with
 * its points and what fails (a diagnostic, or the checker's failure). Invariant: a shrunk
 * program fails the same way as far as fast-check can tell (any failure counts); at most
 * `seconds` are spent.
 */
import fc from "fast-check";
import { describe as show } from "../tangents";
import type { Case } from "./ast";
import { checkCase } from "./check";
import { compileModules } from "./compile";
import { caseArb } from "./generate";
import { moduleSource, reference } from "./module";
import { programSource } from "./module";

export interface Shrunk {
  /** the shrunk program's TypeScript, its points and its failure, as text */
  text: string;
  /** the shrunk case itself */
  small?: Case;
}

/** What is wrong with one case compiled alone, or undefined when it passes. */
export async function failureOf(c: Case, loader: "import" | "eval"): Promise<string | undefined> {
  const { diagnostics, modules } = await compileModules([moduleSource([c]).text], loader);
  if (!modules) return diagnostics.map((d) => `ADG${d.code} at line ${d.line}: ${d.message}`).join("\n");
  return checkCase(c, 0, modules[0]!, reference([c])).failure;
}

export async function shrink(seed: number, index: number, original: Case, loader: "import" | "eval", seconds = 60): Promise<Shrunk> {
  const started = performance.now();
  const result = await fc.check(
    fc.asyncProperty(caseArb, async (c) => (await failureOf(c, loader)) === undefined),
    { seed, path: String(index), interruptAfterTimeLimit: seconds * 1000 },
  );
  if (!result.failed || !result.counterexample) {
    return { text: `not shrunk: the failure does not reproduce when the program is compiled alone:\n\n${programSource(original, index)}` };
  }
  const [small] = result.counterexample;
  const failure = await failureOf(small, loader); // again, to describe the shrunk case
  const time = ((performance.now() - started) / 1000).toFixed(0);
  return {
    small,
    text: [
      `shrunk in ${result.numShrinks} steps (${time} s${result.interrupted ? ", interrupted" : ""}) to:`,
      ``,
      programSource(small, 0),
      ``,
      `points: ${small.points.map((pt) => show(pt)).join("; ")}`,
      failure ?? "",
    ].join("\n"),
  };
}
