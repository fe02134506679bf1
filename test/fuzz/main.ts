/**
 * `npm run fuzz`: the mutation fuzzer from the command line.
 *
 *   npm run fuzz -- [--seed <n>] [--count <n>] [--start <n>] [--workers <n>]
 *                   [--operators a,b,…] [--out <dir>] [--json <file>]
 *
 * Prints the seed first, each bug as it is found (with the command that replays it), and
 * at the end the counts per outcome, per operator and per diagnostic code. Failing mutants
 * are written to `--out` (default `.fuzz/failures`). Exits 1 when a bug was found.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { outcomes } from "./judge";
import { fuzz, summary } from "./fuzz";
import { operators, type Operator } from "./mutate";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    count: { type: "string", default: "20000" },
    start: { type: "string", default: "0" },
    workers: { type: "string", default: "2" },
    operators: { type: "string" },
    out: { type: "string", default: ".fuzz/failures" },
    json: { type: "string" },
  },
});
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const ops = values.operators ? (values.operators.split(",") as Operator[]) : [...operators];
const unknown = ops.filter((op) => !operators.includes(op));
if (unknown.length > 0) {
  console.error(`unknown operators: ${unknown.join(", ")}; the operators are ${operators.join(", ")}`);
  process.exit(2);
}

void (async () => {
  const count = Number(values.count);
  const start = Number(values.start);
  console.log(`adgen fuzz: seed ${seed}, mutants ${start}…${start + count - 1}, ${values.workers} workers, operators ${ops.join(" ")}`);
  const report = await fuzz({ seed, count, start, operators: ops, workers: Number(values.workers), failuresDir: values.out, log: (line) => console.log(line) });
  const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
  console.log(`\n${total} mutants in ${report.seconds.toFixed(0)} s (seed ${seed})`);
  for (const [group, list] of Object.entries(outcomes)) {
    console.log(`  ${group}: ${list.map((o) => `${o} ${report.counts[o] ?? 0}`).join(", ")}`);
  }
  const { checked, kinks, unstable, excluded } = report.points;
  console.log(`  points: ${checked} checked, ${kinks} at kinks, ${unstable} where finite differences are unstable, ${excluded} excluded for their primal`);
  console.log(`  rejections: ${Object.entries(report.rejected).sort().map(([code, n]) => `${code} ${n}`).join(", ")}`);
  console.log(`  per operator:`);
  for (const op of ops) console.log(`    ${op}: ${summary(report.byOperator[op] ?? {})}`);
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ seed, start, count, ...report }, null, 2));
  if (report.failures.length > 0) console.log(`\n${report.failures.length} bugs; failing mutants written to ${values.out}`);
  process.exit(report.failures.length > 0 ? 1 : 0);
})();
