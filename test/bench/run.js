// @ts-check
/**
 * `npm run bench [-- --quick] [-- --only <text>] [-- --processes <n>]`: builds the benchmark
 * programs with adgen, measures each case in processes of its own, prints the tables and
 * writes them as JSON.
 *
 * Input: the cases of cases.js (`--only` keeps those whose name contains the text), dist/
 * as `npm run build` left it. Output: the tables on stdout, progress on stderr, and
 * .bench/results.json (or `--json <path>`): the environment, each transform call's status and
 * every number the tables show, per timing process too, so the README's figures can be
 * refreshed from it. Invariant: every case is timed in `--processes` fresh processes (3, or
 * 1 with `--quick`) — V8 compiles a generated gradient differently from one process to the
 * next, so one process is one sample — and the tables show the median over them; its memory
 * is measured in another (with --expose-gc and a young generation large enough that a call
 * triggers no collection). A case that fails is reported and the rest go on.
 */
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { benchDir, buildBench, load } = require("./build");
const { benchCases } = require("./cases");
const { median } = require("./measure");
const { render } = require("./report");

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string", default: path.join(benchDir, "results.json") },
    processes: { type: "string" },
  },
});

const worker = path.join(__dirname, "worker.js");
const processes = Number(options.processes ?? (options.quick ? 1 : 3));
const memoryFlags = ["--expose-gc", "--min-semi-space-size=64", "--max-semi-space-size=64"];

/** Runs the worker on one case; its JSON result, or the error it printed. */
function runWorker(name, nodeFlags, workerFlags) {
  const args = [...nodeFlags, worker, "--case", name, ...workerFlags, ...(options.quick ? ["--quick"] : [])];
  const result = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const last = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status === 0 && last.startsWith("{")) return { value: JSON.parse(last) };
  const reason = result.stderr.trim().split("\n").find((line) => /Error|error/.test(line)) ?? `exit ${result.status}`;
  return { error: reason };
}

/**
 * One timing from several processes': the median of each time and ratio over them, the
 * first process's agreement check, and each process's own figures.
 */
function combine(timings) {
  const medianOf = (field) => {
    const names = Object.keys(timings[0][field]);
    return Object.fromEntries(names.map((name) => [name, median(timings.map((t) => t[field][name]))]));
  };
  const spread = (ratio) => {
    const values = timings.map((t) => t.ratios[ratio]).filter((v) => v !== undefined);
    return values.length > 0 ? [Math.min(...values), Math.max(...values)] : undefined;
  };
  return {
    agreement: timings[0].agreement,
    ms: medianOf("ms"),
    ratios: medianOf("ratios"),
    wallMs: medianOf("wallMs"),
    wallRatios: medianOf("wallRatios"),
    spread: { "adgen/primal": spread("adgen/primal"), "adgen/hand": spread("adgen/hand") },
    processes: timings,
  };
}

function gitCommit() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return "unknown";
  }
}

function main() {
  const started = Date.now();
  process.stderr.write("building the benchmark programs with adgen…\n");
  const status = buildBench();
  const cases = benchCases(load.source("test/bench/inputs.ts"), options.quick).filter(
    (c) => options.only === undefined || c.name.includes(options.only),
  );
  const results = cases.map((c) => {
    process.stderr.write(`${c.name}: timing…`);
    const loadavg = os.loadavg()[0];
    const timings = Array.from({ length: processes }, (_, i) => runWorker(c.name, [], i === 0 ? [] : ["--no-check"]));
    process.stderr.write(" memory…");
    const memory = runWorker(c.name, memoryFlags, ["--memory"]);
    process.stderr.write(" done\n");
    const { calls, halfCalls, ...described } = c;
    const failed = timings.find((t) => t.error);
    const error = [failed && `timing failed: ${failed.error}`, memory.error && `memory failed: ${memory.error}`].filter(Boolean).join("; ");
    const timing = failed ? undefined : combine(timings.map((t) => t.value));
    return { ...described, loadavg, timing, memory: memory.value, ...(error ? { error } : {}) };
  });
  console.log(render(results, status));
  const loads = results.map((r) => r.loadavg);
  console.log(`\nload average (1 min) when the cases started: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, on ${os.cpus().length} cores`);
  const environment = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, commit: gitCommit() };
  const seconds = Math.round((Date.now() - started) / 1000);
  fs.mkdirSync(path.dirname(options.json), { recursive: true });
  fs.writeFileSync(options.json, `${JSON.stringify({ ...environment, quick: options.quick, seconds, status, cases: results }, null, 2)}\n`);
  console.log(`\n${cases.length} cases in ${seconds} s; results in ${path.relative(process.cwd(), options.json)}`);
}

main();
