// @ts-check
/**
 * `npm run bench [-- --quick] [-- --only <text>]`: builds the benchmark programs with adgen,
 * measures each case in processes of its own, prints the tables and writes them as JSON.
 *
 * Input: the cases of cases.js (`--only` keeps those whose name contains the text), dist/
 * as `npm run build` left it. Output: the tables on stdout, progress on stderr, and
 * .bench/results.json (or `--json <path>`): the environment, each transform call's status and
 * every number the tables show, so the README's figures can be refreshed from it.
 * Invariant: every case is timed in a fresh process and measured for memory in another
 * (with --expose-gc and a young generation large enough that a call triggers no
 * collection); a case that fails is reported and the rest go on.
 */
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { benchDir, buildBench, load } = require("./build");
const { benchCases } = require("./cases");
const { render } = require("./report");

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string", default: path.join(benchDir, "results.json") },
  },
});

const worker = path.join(__dirname, "worker.js");
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
    const timing = runWorker(c.name, [], []);
    process.stderr.write(" memory…");
    const memory = runWorker(c.name, memoryFlags, ["--memory"]);
    process.stderr.write(" done\n");
    const { calls, halfCalls, ...described } = c;
    const error = [timing.error && `timing failed: ${timing.error}`, memory.error && `memory failed: ${memory.error}`].filter(Boolean).join("; ");
    return { ...described, timing: timing.value, memory: memory.value, ...(error ? { error } : {}) };
  });
  console.log(render(results, status));
  const environment = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, commit: gitCommit() };
  const seconds = Math.round((Date.now() - started) / 1000);
  fs.mkdirSync(path.dirname(options.json), { recursive: true });
  fs.writeFileSync(options.json, `${JSON.stringify({ ...environment, quick: options.quick, seconds, status, cases: results }, null, 2)}\n`);
  console.log(`\n${cases.length} cases in ${seconds} s; results in ${path.relative(process.cwd(), options.json)}`);
}

main();
