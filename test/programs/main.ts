/**
 * `npm run properties`: many more random programs than `npm test` runs, each given an
 * outcome, in worker threads.
 *
 *   [ADGEN_FEATURES=…] npm run properties -- [--seed <n>] [--files <n>] [--per-file <n>]
 *                                           [--workers <n>] [--shrink <n>] [--out <dir>]
 *
 * With `ADGEN_FEATURES=manyRecursive`, one program in eight recurses (one in thirty without).
 * Prints the counts per outcome (of all programs, and of the recursive ones), per
 * diagnostic code and per construct, and every program that fails (a wrong value or
 * derivative, a throw, ADG9001, a crash or a hang) with the program it shrinks to (the first `--shrink` failures, default 20). Failing programs are
 * written to `--out` (default `.fuzz/programs`). Exits 1 when a program failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { WorkerPool } from "../workers";
import { FEATURES, featureNames } from "./features";
import { programOutcomes, type ProgramOutcome, type ProgramResult, type SurveyJob } from "./survey";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "20261124" },
    files: { type: "string", default: "200" },
    "per-file": { type: "string", default: "50" },
    workers: { type: "string", default: "2" },
    shrink: { type: "string", default: "20" },
    out: { type: "string", default: ".fuzz/programs" },
  },
});
const seed = Number(values.seed);
const [files, perFile, shrinkCount] = [Number(values.files), Number(values["per-file"]), Number(values.shrink)];

void (async () => {
  const on = featureNames.filter((f) => FEATURES[f]);
  console.log(`adgen properties: seed ${seed}, ${files} files of ${perFile} programs; features: ${on.join(" ")}`);
  const pool = new WorkerPool<SurveyJob, ProgramResult[]>(path.join(__dirname, "worker.ts"), Number(values.workers), {
    limits: { default: 300_000, compile: 300_000, check: 120_000, shrink: 180_000 },
    jobsPerWorker: 20,
    stackMb: 4,
  });
  const results: ProgramResult[] = [];
  let shrinks = shrinkCount;
  const started = performance.now();
  const run = async (job: SurveyJob): Promise<void> => {
    const settled = await pool.run(job);
    if (settled.ok) {
      results.push(...settled.result);
      for (const r of settled.result.filter((r) => r.source)) report(r);
      return;
    }
    if (job.only === undefined) {
      // The file failed as a whole: each program alone says which.
      await Promise.all(Array.from({ length: perFile }, (_, only) => run({ ...job, only })));
      return;
    }
    const r: ProgramResult = { file: job.file, index: job.only, outcome: settled.reason === "timeout" ? "hang" : "crash", detail: `${settled.reason} in phase ${settled.phase}: ${settled.error ?? ""}`, constructs: [] };
    results.push(r);
    report(r);
  };
  const report = (r: ProgramResult) => {
    console.log(`[${r.outcome}] file ${r.file} program ${r.index}: ${r.detail.split("\n")[0]}${r.shrunk ? `\n${r.shrunk}` : ""}`);
    if (r.source || r.shrunk) {
      fs.mkdirSync(values.out, { recursive: true });
      fs.writeFileSync(path.join(values.out, `seed${seed}-file${r.file}-program${r.index}-${r.outcome}.ts`), `// ${r.detail.split("\n").join("\n// ")}\n${r.source ?? ""}\n${r.shrunk ? `/*\n${r.shrunk}\n*/\n` : ""}`);
    }
  };
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Number(values.workers) * 2 }, async () => {
      while (next < files) {
        const file = next++;
        await run({ seed, file, perFile, shrink: shrinks-- > 0 });
        if (++done % 10 === 0) console.log(`${done}/${files} files, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }),
  );
  await pool.close();

  const count = (list: ProgramResult[], o: ProgramOutcome) => list.filter((r) => r.outcome === o).length;
  const all = Object.values(programOutcomes).flat();
  console.log(`\n${results.length} programs in ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${seed}, ADGEN_FEATURES=${process.env.ADGEN_FEATURES ?? ""})`);
  console.log(`  ${all.map((o) => `${o} ${count(results, o)}`).join(", ")}`);
  const recursive = results.filter((r) => r.constructs.includes("recursive"));
  console.log(`  recursive programs ${recursive.length}: ${all.map((o) => `${o} ${count(recursive, o)}`).join(", ")}`);
  const codes = new Map<string, { n: number; example: string }>();
  for (const r of results.filter((r) => r.outcome === "rejected")) {
    const code = r.detail.split(" — ")[0]!;
    codes.set(code, { n: (codes.get(code)?.n ?? 0) + 1, example: codes.get(code)?.example ?? r.detail.split(" — ")[1]! });
  }
  console.log(`  rejections:`);
  for (const [code, { n, example }] of [...codes].sort((a, b) => b[1].n - a[1].n)) console.log(`    ${code}: ${n} (e.g. ${example.slice(0, 160)})`);
  console.log(`  per construct (programs using it):`);
  const names = [...new Set(results.flatMap((r) => r.constructs))].sort();
  for (const name of names) {
    const using = results.filter((r) => r.constructs.includes(name));
    console.log(`    ${name}: ${all.filter((o) => count(using, o) > 0).map((o) => `${o} ${count(using, o)}`).join(", ")}`);
  }
  const failed = results.filter((r) => (programOutcomes.bugs as readonly string[]).includes(r.outcome));
  process.exit(failed.length > 0 ? 1 : 0);
})();
