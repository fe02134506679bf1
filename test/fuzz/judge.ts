/**
 * The verdict on one mutant, reached in a worker thread.
 *
 * Input: a `Job` — a mutated module with the modules it imports, and the targets to check
 * (from the unmutated module's `points`, or new points for a deep-recursion mutant).
 * Output: a `Verdict`. Phases, each under its own time limit (./fuzz.ts):
 * - `compile`: the module and a driver applying vjp and grad to every target, by the real
 *   pipeline;
 * - `load`: the output run as a module (a mutant nested too deeply for TypeScript's own
 *   transpiler to take, on this stack, is left out);
 * - `primal`: each point evaluated on the uncompiled mutant, its decisions traced
 *   (./trace.ts); a point is left out where the function throws, gives a value beyond ±1e6
 *   or not finite (finite differences of such values are rounding noise), passes a huge or
 *   non-finite number on the way, indexes outside an array, uses a function where its
 *   derivative is infinite (`Math.sqrt(0)`), or is slow;
 * - `check`: the checks of ../gradients.ts at each remaining point, unless the decisions
 *   change on the finite-difference stencil (a kink); a point where finite differences
 *   disagree with themselves (a huge curvature) gives no verdict either.
 * Invariant: every outcome is one of `outcomes`; nothing here throws.
 */
import { Project, ts } from "ts-morph";
import { codes } from "../../compiler/diagnostics";
import { defaultCompilerOptions } from "../../compiler/project";
import { checkGradient, checkVjp, checkedOf, driverText, resolveTarget, stepOf, transformsOf, unstable, wrtOf, type Target } from "../gradients";
import { compileSources, moduleLoader, uncompiledRuntime } from "../harness";
import { copy, leafStencil, leaves } from "../tangents";
import type { DiskJob } from "./disk";
import { decisions, mishaps, traceTransformer } from "./trace";

export interface Job {
  /** relative path → text: the mutant and the modules it imports */
  sources: Record<string, string>;
  module: string;
  targets: Target[];
}

/** A source mutant's job, or a file-system mutant's (./disk.ts). */
export type AnyJob = Job | { disk: DiskJob };

/** What became of a mutant. The first group is fine, the second excluded from the gradient verdict, the third bugs. */
export const outcomes = {
  fine: ["rejected", "verified"],
  excluded: ["too-deep-for-typescript", "primal-throws", "primal-nonfinite", "primal-outside", "primal-singular", "primal-slow", "primal-hangs", "kinks-only", "fd-unstable", "no-points"],
  bugs: ["internal-error", "compile-crash", "compile-timeout", "load-error", "wrong-gradient", "gradient-throws", "gradient-hang", "worker-crash", "wrong-outcome", "disk-changed"],
} as const;
export type Outcome = (typeof outcomes)[keyof typeof outcomes][number];

export interface Verdict {
  outcome: Outcome;
  /** the diagnostic codes of a rejected mutant, the failure of a bug */
  detail: string;
  /** points checked, skipped as kinks or where finite differences are unstable, excluded for their primal */
  checked: number;
  kinks: number;
  unstable: number;
  excluded: number;
}

const driverFile = "fuzz-driver.ts";
/** One project per worker: its lib files are parsed once. */
let project: Project | undefined;
/** A primal evaluation slower than this is not checked: finite differences would call it hundreds of times. */
const slowMs = 50;
/** Mutants reach values and curvatures the fixtures' points were not chosen for: finite differences get 1e-5. */
const strictness = { tolerance: 1e-5 };

export function judge(job: Job, phase: (name: string) => void): Verdict {
  const verdict = (outcome: Outcome, detail = ""): Verdict => ({ outcome, detail, checked: 0, kinks: 0, unstable: 0, excluded: 0 });
  // valueAndGrad is left out: it is grad's code with the value kept, and compiling costs.
  const files = { ...job.sources, [driverFile]: driverText(job.targets, (m) => "./" + m.replace(/\.ts$/, ""), false, false) };

  phase("compile");
  let compiled: ReturnType<typeof compileSources>;
  try {
    project ??= new Project({ compilerOptions: defaultCompilerOptions });
    compiled = compileSources(files, "fuzz", { project });
  } catch (error) {
    return verdict("compile-crash", error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  const { diagnostics } = compiled;
  const internal = diagnostics.find((d) => d.code === codes.internal);
  if (internal) return verdict("internal-error", `line ${internal.line}: ${internal.message}`);
  if (diagnostics.length > 0) return verdict("rejected", [...new Set(diagnostics.map((d) => `ADG${d.code}`))].sort().join(" "));

  phase("load");
  let module: Record<string, any>, driver: Record<string, any>;
  try {
    module = compiled.load(job.module);
    driver = compiled.load(driverFile);
  } catch (error) {
    // Where TypeScript itself cannot transpile the mutant (nesting too deep for the stack), no output could load.
    const inputFails = (() => {
      try {
        ts.transpileModule(job.sources[job.module]!, { compilerOptions: { module: ts.ModuleKind.CommonJS } });
        return false;
      } catch {
        return true;
      }
    })();
    return verdict(inputFails ? "too-deep-for-typescript" : "load-error", error instanceof Error ? error.message : String(error));
  }

  phase("primal");
  const traced = moduleLoader(job.sources, { adgen: uncompiledRuntime, transformers: { before: [traceTransformer] } });
  const primal = new Map<Target, { args: unknown[]; kink: boolean }[]>();
  const excluded: Outcome[] = [];
  let reference: Record<string, any>;
  try {
    reference = traced(job.module);
  } catch (error) {
    return verdict("primal-throws", String(error));
  }
  for (const t of job.targets) {
    const { receiver, fn } = resolveTarget(reference, t.name);
    const good: { args: unknown[]; kink: boolean }[] = [];
    for (const args of t.points) {
      decisions();
      mishaps();
      const started = performance.now();
      let value: unknown;
      try {
        value = fn.apply(receiver, copy(args));
      } catch {
        excluded.push("primal-throws");
        continue;
      }
      const { outside, huge, singular } = mishaps();
      if (outside) excluded.push("primal-outside");
      else if (singular) excluded.push("primal-singular");
      else if (performance.now() - started > slowMs) excluded.push("primal-slow");
      else if (huge || !leaves(value).every((v) => Math.abs(v) <= 1e6)) excluded.push("primal-nonfinite");
      else {
        // A kink: the program decides otherwise somewhere on the finite-difference stencil.
        // Found here, as the primal's own work: a primal that hangs there is no gradient's fault.
        const trace = decisions();
        const kink = leafStencil(args, checkedOf(t), stepOf(t)).some((moved) => {
          decisions();
          try {
            fn.apply(receiver, moved);
          } catch {
            return true;
          }
          return decisions() !== trace;
        });
        good.push({ args, kink });
      }
    }
    primal.set(t, good);
  }

  phase("check");
  const result: Verdict = { ...verdict("verified"), excluded: excluded.length };
  for (const t of job.targets) {
    const fns = transformsOf(t, module, driver);
    for (const [p, { args, kink }] of primal.get(t)!.entries()) {
      if (kink) {
        result.kinks++;
        continue;
      }
      const scalar = t.scalar && wrtOf(t).length > 0;
      const failure =
        (scalar ? checkGradient(t, fns, args, strictness) : undefined) ?? (t.effects ? undefined : checkVjp(t, fns, args, p, strictness));
      if (failure?.startsWith(unstable)) {
        result.unstable++;
        continue;
      }
      result.checked++;
      if (failure) return { ...result, outcome: failure.startsWith("threw") ? "gradient-throws" : "wrong-gradient", detail: `${t.name}: ${failure}` };
    }
  }
  if (result.checked > 0) return result;
  const most = (list: Outcome[]) => [...list].sort((a, b) => list.filter((x) => x === b).length - list.filter((x) => x === a).length)[0];
  return { ...result, outcome: result.kinks > 0 ? "kinks-only" : result.unstable > 0 ? "fd-unstable" : (most(excluded) ?? "no-points") };
}
