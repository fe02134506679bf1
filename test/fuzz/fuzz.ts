/**
 * The mutation fuzzer: seeded mutants of the fixture modules, judged in worker threads.
 *
 * Input: `FuzzOptions` (a seed, which mutants, which operators, workers, time limits).
 * Output: a `Report` — counts per outcome and per operator, the diagnostic codes of the
 * rejected mutants, and every mutant whose outcome is a bug, with its label and the
 * failure; each such mutant is also written to `failuresDir` when given. Invariants:
 * File-system mutants (./disk.ts) are built by the real CLI in a temporary project.
 * mutant `i` of seed `s` is the same mutant on every run (it depends on nothing but `s`,
 * `i` and the fixtures), so any one can be replayed alone; a mutant's verdict never depends
 * on another's (each compiles in a fresh project; a worker that timed out or crashed is
 * replaced).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixtureSources, importClosure } from "../fixtures";
import { targetsOf, type Target } from "../gradients";
import { moduleLoader, uncompiledRuntime } from "../harness";
import { describe, uniform } from "../tangents";
import { WorkerPool } from "../workers";
import { diskMutant } from "./disk";
import { outcomes, type AnyJob, type Outcome, type Verdict } from "./judge";
import { callersOf, choose, mutate, operators, type Mutation, type Operator } from "./mutate";

export interface FuzzOptions {
  seed: number;
  /** mutants start … start + count − 1 */
  start?: number;
  count: number;
  operators?: readonly Operator[];
  workers?: number;
  /** time limits per phase, in ms */
  limits?: Partial<Record<"compile" | "load" | "primal" | "check", number>>;
  failuresDir?: string;
  /** the built CLI the file-system mutants run; default dist/cli.js */
  cli?: string;
  /** progress and failures, as they happen */
  log?: (line: string) => void;
}

export interface Failure {
  index: number;
  label: string;
  outcome: Outcome;
  detail: string;
}

export interface Report {
  counts: Partial<Record<Outcome, number>>;
  byOperator: Partial<Record<Operator, Partial<Record<Outcome, number>>>>;
  rejected: Record<string, number>;
  failures: Failure[];
  points: { checked: number; kinks: number; unstable: number; excluded: number };
  seconds: number;
}

/**
 * How often each operator is chosen, relative to the others: the size operators, whose
 * mutants take up to a minute to compile, forty times less often than the rest (a run of
 * them alone: `--operators sizeSum,sizeStatements,sizeNestedIfs`); deep recursion, which
 * has few sites, and the file-system faults, each a build in a new process, five times less.
 */
const weights = (list: readonly Operator[]) =>
  list.flatMap((op) => Array<Operator>(op.startsWith("size") ? 1 : op === "deepRecursion" || op === "fileSystem" ? 8 : 40).fill(op));
const defaultCli = path.resolve(__dirname, "../../dist/cli.js");
const isBug = (o: Outcome) => (outcomes.bugs as readonly Outcome[]).includes(o);

/** The fixtures, their targets and integer parameters, read once. */
function corpus() {
  const sources = fixtureSources();
  const uncompiled = moduleLoader(sources, { adgen: uncompiledRuntime });
  let ids = 0;
  return Object.keys(sources)
    .sort()
    .map((module) => {
      const exports = uncompiled(module);
      return {
        module,
        closure: importClosure(sources, module),
        targets: targetsOf(module, exports, () => ids++),
        points: (exports.points ?? {}) as Record<string, unknown[][]>,
        integerArgs: (exports.integerArgs ?? {}) as Record<string, number[]>,
        sources,
      };
    })
    .filter((m) => m.targets.length > 0);
}

/** Mutant `index` of `seed`: a module, an operator and a site, all from one seeded sequence. */
export function mutant(seed: number, index: number, ops: readonly Operator[], fixtures = corpus(), cli = defaultCli): { mutation: Mutation; job: AnyJob } | undefined {
  const random = uniform(`${seed}:${index}`);
  const pool = weights(ops);
  for (let attempt = 0; attempt < 50; attempt++) {
    const m = choose(random, fixtures);
    const operator = choose(random, pool);
    if (operator === "fileSystem") {
      const { mutation, job } = diskMutant(m.module, m.closure, m.sources, m.targets, random, cli);
      return { mutation, job: { disk: job } };
    }
    const mutation = mutate(m.module, m.sources[m.module]!, operator, random, m.points, m.integerArgs);
    if (!mutation) continue;
    const sources = Object.fromEntries(m.closure.map((rel) => [rel, rel === m.module ? mutation.text : m.sources[rel]!]));
    // The targets the change can reach: the mutated function and its callers in the module
    // as written (by name; a method `receiver.name` by its name). Not the mutant's text: a
    // size mutant is too deep for a recursive walk.
    const reached = mutation.fn ? callersOf(m.module, m.sources[m.module]!, mutation.fn) : undefined;
    const targets: Target[] = mutation.points
      ? m.targets.filter((t) => t.name in mutation.points!).map((t) => ({ ...t, points: mutation.points![t.name]! }))
      : m.targets.filter((t) => !reached || reached.has(t.name.split(".").pop()!));
    if (targets.length === 0) continue;
    return { mutation, job: { sources, module: m.module, targets } };
  }
  return undefined;
}

export async function fuzz(options: FuzzOptions): Promise<Report> {
  const { seed, count, start = 0, log = () => {} } = options;
  const ops = options.operators ?? operators;
  const fixtures = corpus();
  const limits = { compile: 60_000, load: 20_000, primal: 5_000, check: 60_000, ...options.limits };
  const pool = new WorkerPool<AnyJob, Verdict>(path.join(__dirname, "worker.ts"), options.workers ?? 2, {
    limits: { ...limits, default: 120_000 },
    jobsPerWorker: 200,
    stackMb: 2,
  });
  const report: Report = { counts: {}, byOperator: {}, rejected: {}, failures: [], points: { checked: 0, kinks: 0, unstable: 0, excluded: 0 }, seconds: 0 };
  const started = performance.now();
  let done = 0;
  const judgeOne = async (index: number) => {
    let made: ReturnType<typeof mutant>;
    try {
      made = mutant(seed, index, ops, fixtures, options.cli);
    } catch (error) {
      // A fault of the fuzzer's own, not of adgen: said, and the run goes on.
      log(`mutant ${index} could not be made: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!made) return;
    const { mutation, job } = made;
    const settled = await pool.run(job);
    const verdict: Verdict = settled.ok
      ? settled.result
      : {
          outcome: settled.reason === "crash" ? (settled.phase === "compile" ? "compile-crash" : "worker-crash") : timeoutOutcome(settled.phase),
          detail: `${settled.reason} in phase ${settled.phase}${settled.error ? `: ${settled.error}` : ""}`,
          checked: 0,
          kinks: 0,
          unstable: 0,
          excluded: 0,
        };
    record(report, mutation, verdict);
    if (isBug(verdict.outcome)) {
      const failure = { index, label: mutation.label, outcome: verdict.outcome, detail: verdict.detail };
      report.failures.push(failure);
      log(`[${verdict.outcome}] seed ${seed} mutant ${index}: ${mutation.label}\n    ${verdict.detail.split("\n").slice(0, 6).join("\n    ")}`);
      if (options.failuresDir) writeFailure(options.failuresDir, seed, failure, mutation);
    }
    if (++done % 100 === 0) log(`${done}/${count} mutants, ${((performance.now() - started) / 1000).toFixed(0)} s: ${summary(report.counts)}`);
  };
  // Jobs go to the workers as they free up; the queue holds at most a few, so a long run keeps little in memory.
  let next = start;
  const lanes = Array.from({ length: (options.workers ?? 2) * 2 }, async () => {
    while (next < start + count) await judgeOne(next++);
  });
  await Promise.all(lanes);
  await pool.close();
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

const timeoutOutcome = (phase: string): Outcome =>
  phase === "primal" ? "primal-hangs" : phase === "check" ? "gradient-hang" : phase === "load" ? "load-error" : "compile-timeout";

function record(report: Report, mutation: Mutation, verdict: Verdict): void {
  const o = verdict.outcome;
  report.counts[o] = (report.counts[o] ?? 0) + 1;
  const byOp = (report.byOperator[mutation.operator] ??= {});
  byOp[o] = (byOp[o] ?? 0) + 1;
  if (o === "rejected") for (const code of verdict.detail.split(" ")) report.rejected[code] = (report.rejected[code] ?? 0) + 1;
  report.points.checked += verdict.checked;
  report.points.kinks += verdict.kinks;
  report.points.unstable += verdict.unstable;
  report.points.excluded += verdict.excluded;
}

/** `verified 120, rejected 40, …`, in the order of `outcomes`. */
export function summary(counts: Partial<Record<Outcome, number>>): string {
  return Object.values(outcomes)
    .flat()
    .filter((o) => counts[o])
    .map((o) => `${o} ${counts[o]}`)
    .join(", ");
}

function writeFailure(dir: string, seed: number, failure: Failure, mutation: Mutation): void {
  fs.mkdirSync(dir, { recursive: true });
  const comment = [
    `// adgen fuzz: seed ${seed}, mutant ${failure.index}: ${failure.outcome}`,
    `// ${mutation.label}`,
    ...(mutation.points ? [`// points: ${describe(mutation.points)}`] : []),
    `// replay: npm run fuzz -- --seed ${seed} --start ${failure.index} --count 1`,
    ...failure.detail.split("\n").slice(0, 20).map((line) => `// ${line}`),
  ].join("\n");
  fs.writeFileSync(path.join(dir, `seed${seed}-mutant${failure.index}-${failure.outcome}.ts`), `${comment}\n${mutation.text}`);
}
