/**
 * The long property run's unit of work: one file of random programs, each given an outcome.
 *
 * Input: a `SurveyJob` (the run's seed, a file index, programs per file; optionally one
 * program alone, and whether to shrink failures). Output: per program, its outcome, what
 * it is (`detail`: diagnostic codes and the first message, or the failure), the constructs
 * it uses, and for a failure its source and the program it shrinks to. Invariant: the
 * programs are exactly those the property test samples for the same seed, file and
 * features (./generate.ts `fileCases`), so a count here names programs anyone can replay.
 *
 * A file is compiled in one call; programs with diagnostics are set aside (their outcome
 * is the diagnostic) and the rest compiled again, until none has any.
 */
import { codes, type AdgDiagnostic } from "../../compiler/diagnostics";
import type { Case, Expr, Stmt } from "./ast";
import { checkCase } from "./check";
import { compileModules } from "./compile";
import { fileCases } from "./generate";
import { moduleSource, programSource, reference } from "./module";
import { shrink } from "./shrink";

export interface SurveyJob {
  seed: number;
  file: number;
  perFile: number;
  /** one program of the file alone (after its file failed as a whole) */
  only?: number;
  shrink?: boolean;
}

export const programOutcomes = {
  fine: ["verified", "rejected", "kinks-only"],
  bugs: ["internal-error", "wrong", "threw", "compile-crash", "hang", "crash"],
} as const;
export type ProgramOutcome = (typeof programOutcomes)[keyof typeof programOutcomes][number];

export interface ProgramResult {
  file: number;
  index: number;
  outcome: ProgramOutcome;
  detail: string;
  constructs: string[];
  source?: string;
  shrunk?: string;
}

/** The constructs a program uses: its statement and expression kinds, copy kinds, destructuring forms and result kind. */
export function constructs(c: Case): string[] {
  const found = new Set<string>([`returns:${c.program.returns}`]);
  if (c.program.rowsInit === "named") found.add("rowsInit:named");
  for (const init of [c.program.cfInit, c.program.caInit]) if (init) found.add(`copyInit:${init.how}`);
  const expr = (e: Expr): void => {
    found.add(e.k === "math" || e.k === "kink" ? `${e.k}:${e.f}` : e.k === "read" || e.k === "read2" ? `${e.k}:${e.arr}` : e.k);
    for (const v of Object.values(e)) if (v && typeof v === "object" && "k" in v) (["cmp", "parity", "trips"].includes(v.k) ? cond(v) : expr(v as Expr));
  };
  const cond = (c: { k: string; a?: Expr; b?: Expr }) => [c.a, c.b].forEach((e) => e && expr(e));
  const stmt = (s: Stmt): void => {
    found.add(s.k === "copy" ? `copy:${s.how}` : s.k === "destructure" ? `destructure:${s.form}` : s.k === "pushRow" || s.k === "putRow" ? `${s.k}:${s.src.k}` : s.k === "buildRow" ? `buildRow:${s.fresh}` : s.k === "store" ? `store:${s.arr}` : s.k);
    for (const v of Object.values(s)) {
      if (Array.isArray(v)) v.forEach(stmt);
      else if (v && typeof v === "object" && "k" in v) (["cmp", "parity", "trips"].includes(v.k) ? cond(v) : ["literal", "row", "existing", "copy", "param", "name"].includes(v.k) ? undefined : expr(v as Expr));
    }
  };
  [c.program.s0, c.program.t0, c.program.result].forEach(expr);
  c.program.body.forEach(stmt);
  const r = c.program.recursion;
  if (r) {
    found.add("recursive");
    found.add(`recursion:${r.site}`);
    found.add(`recursion:cycle${r.partners.length + 1}`);
    for (const p of r.partners) found.add(`partner:${p.form}`);
    for (const call of r.calls) {
      found.add(`call:pass:${call.pass}`).add(`call:use:${call.use}`);
      expr(call.arg);
    }
    [...r.around, ...r.after].forEach(stmt);
  }
  return [...found].sort();
}

export async function surveyFile(job: SurveyJob, phase: (name: string) => void): Promise<ProgramResult[]> {
  const { seed: fileSeed, cases: all } = fileCases(job.seed, job.file, job.perFile);
  let pending = all.map((c, index) => ({ c, index })).filter(({ index }) => job.only === undefined || index === job.only);
  const results: ProgramResult[] = [];
  const result = (index: number, outcome: ProgramOutcome, detail: string): ProgramResult => {
    const r: ProgramResult = { file: job.file, index, outcome, detail, constructs: constructs(all[index]!) };
    if ((programOutcomes.bugs as readonly string[]).includes(outcome)) r.source = programSource(all[index]!, index);
    results.push(r);
    return r;
  };
  // The compiler may not report every program's diagnostics at once: rounds go on while some are reported.
  while (pending.length > 0) {
    phase("compile");
    const { text, firstLines } = moduleSource(pending.map((p) => p.c));
    const compiled = await compileModules([text], "eval").catch((error: unknown) => ({ crash: String(error instanceof Error ? error.stack : error) }));
    if ("crash" in compiled) {
      if (pending.length === 1) result(pending[0]!.index, "compile-crash", compiled.crash);
      else throw new Error(`the file's compilation threw: ${compiled.crash}`); // each program is then tried alone
      return results;
    }
    if (compiled.modules) {
      phase("check");
      const ref = reference(pending.map((p) => p.c));
      for (const [k, { c, index }] of pending.entries()) {
        const outcome = checkCase(c, k, compiled.modules[0]!, ref);
        if (outcome.failure) result(index, outcome.failure.includes(": threw ") ? "threw" : "wrong", outcome.failure);
        else result(index, outcome.checked > 0 ? "verified" : "kinks-only", `${outcome.checked} points checked`);
      }
      pending = [];
      break;
    }
    const byProgram = new Map<number, AdgDiagnostic[]>();
    for (const d of compiled.diagnostics) {
      const k = Math.max(0, firstLines.filter((line) => line <= (d.line ?? 0)).length - 1);
      byProgram.set(k, [...(byProgram.get(k) ?? []), d]);
    }
    for (const [k, list] of byProgram) {
      const internal = list.find((d) => d.code === codes.internal);
      const first = internal ?? list[0]!;
      const where = `line ${first.line! - firstLines[k]! + 1}: ADG${first.code} ${first.message}`;
      result(pending[k]!.index, internal ? "internal-error" : "rejected", `${[...new Set(list.map((d) => `ADG${d.code}`))].sort().join(" ")} — ${where}`);
    }
    pending = pending.filter((_, k) => !byProgram.has(k));
  }
  if (job.shrink) {
    for (const r of results.filter((r) => r.source)) {
      phase("shrink");
      r.shrunk = (await shrink(fileSeed, r.index, all[r.index]!, "eval", 90)).text;
    }
  }
  return results;
}
