// @ts-check
/**
 * `npm run bench:compiler [-- --quick] [-- --limit <s>] [-- --only <text>] [-- --profile]`:
 * the wall time and peak memory of `adgen build` (the built CLI, start-up included) on
 * generated projects of growing size, with the growth from each size to the next.
 *
 * Input: the project families of projects.js (`--only` keeps the cases whose label, e.g.
 * "loop-bearing 996", contains the text); dist/ as `npm run build` left it. Output: a table
 * on stdout, .bench/compiler.json; with `--profile`, a CPU profile (`node --cpu-prof`) of the
 * largest case of each family that built in time, in .bench/compiler-profiles/, and its
 * summary (profile.js). Invariant: no build runs longer than the limit (default 120 s; a
 * profiled one 3 times that): it is stopped and reported as "> limit", and the larger sizes
 * of its family are skipped; a build that fails is reported with its diagnostic.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { families } = require("./projects");
const { report } = require("../profile");
const { table } = require("../report");

const root = path.resolve(__dirname, "../../..");
const cli = path.join(root, "dist/cli.js");
const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    limit: { type: "string", default: "120" },
    profile: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string", default: path.join(root, ".bench/compiler.json") },
  },
});
const limitSeconds = Number(options.limit);

/** Writes `files` into a fresh temporary project, with adgen installed (linked); returns its directory. */
function writeProject(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-bench-compiler-"));
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(root, path.join(dir, "node_modules", "adgen"), "dir");
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  }
  return dir;
}

/**
 * `adgen build src --out-dir out` in `dir`, with `nodeFlags`: seconds, peak resident memory
 * (MiB, from the process's own rusage at exit) and the outcome.
 */
function timeBuild(dir, nodeFlags = [], seconds = limitSeconds) {
  const rssFile = path.join(dir, "maxrss");
  const start = process.hrtime.bigint();
  const loadavg = os.loadavg()[0];
  const result = spawnSync(process.execPath, [...nodeFlags, "-r", path.join(__dirname, "maxrss.js"), cli, "build", "src", "--out-dir", "out"], {
    cwd: dir,
    encoding: "utf8",
    timeout: seconds * 1000,
    killSignal: "SIGKILL",
    env: { ...process.env, ADGEN_BENCH_MAXRSS: rssFile },
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error && /** @type {any} */ (result.error).code === "ETIMEDOUT") return { outcome: "timeout", seconds: elapsed, loadavg };
  if (result.status !== 0) {
    const diagnostic = `${result.stdout}${result.stderr}`.split("\n").find((line) => line.includes("error")) ?? `exit ${result.status}`;
    return { outcome: "error", seconds: elapsed, loadavg, diagnostic };
  }
  const mib = Number(fs.readFileSync(rssFile, "utf8")) / 1024;
  return { outcome: "ok", seconds: elapsed, loadavg, mib };
}

/** log(b/a) / log(size b / size a): 1 when time grows linearly with size, 2 when quadratically. */
const exponent = (a, b, sizeA, sizeB) => Math.log(b / a) / Math.log(sizeB / sizeA);

function main() {
  const results = [];
  const rows = [];
  for (const family of families(options.quick)) {
    let previous;
    let stopped = false;
    for (const { size, files } of family.sizes) {
      if (options.only !== undefined && !`${family.name} ${size}`.includes(options.only)) continue;
      if (stopped) {
        results.push({ family: family.name, size, outcome: "skipped" });
        rows.push([family.name, `${size} ${family.unit}`, "skipped", "", "", "", "", ""]);
        continue;
      }
      process.stderr.write(`${family.name} ${size} ${family.unit}…`);
      const project = files();
      const dir = writeProject(project);
      const measured = timeBuild(dir);
      fs.rmSync(dir, { recursive: true, force: true });
      process.stderr.write(` ${measured.outcome} ${measured.seconds.toFixed(1)} s\n`);
      const result = { family: family.name, unit: family.unit, size, files: Object.keys(project).length, ...measured };
      results.push(result);
      if (measured.outcome !== "ok") {
        stopped = true;
        const shown = measured.outcome === "timeout" ? `> ${limitSeconds} s` : `error: ${measured.diagnostic}`;
        rows.push([family.name, `${size} ${family.unit}`, result.files, shown, "", "", "", measured.loadavg.toFixed(1)]);
        continue;
      }
      const growth = previous
        ? [`×${(measured.seconds / previous.seconds).toFixed(2)}`, exponent(previous.seconds, measured.seconds, previous.size, size).toFixed(2)]
        : ["", ""];
      rows.push([family.name, `${size} ${family.unit}`, result.files, measured.seconds.toFixed(1), ...growth, measured.mib.toFixed(0), measured.loadavg.toFixed(1)]);
      previous = result;
    }
  }
  console.log(table(["family", "size", "files", "build s", "growth", "exponent", "peak MiB", "load"], rows, 2));
  console.log(
    "\nbuild s: wall time of `node dist/cli.js build src --out-dir out`, start-up included; growth: time ÷ the previous size's;",
    "\nexponent: log(time ratio) / log(size ratio), 1 for linear growth, 2 for quadratic; peak MiB: the build's maximum resident set;",
    "\nload: the machine's 1-minute load average when the build started (above the core count, times are inflated).",
  );
  const environment = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, loadavg: os.loadavg() };
  fs.mkdirSync(path.dirname(options.json), { recursive: true });
  fs.writeFileSync(options.json, `${JSON.stringify({ ...environment, limitSeconds, results }, null, 2)}\n`);
  if (options.profile) profileLargest(results);
}

/** Profiles, per family, the largest size that built within the limit, and prints the summary. */
function profileLargest(results) {
  const profiles = path.join(root, ".bench/compiler-profiles");
  fs.mkdirSync(profiles, { recursive: true });
  for (const family of families(options.quick)) {
    const done = results.filter((r) => r.family === family.name && r.outcome === "ok").pop();
    if (!done) continue;
    const entry = family.sizes.find((s) => s.size === done.size);
    if (!entry) continue;
    const dir = writeProject(entry.files());
    const name = `${family.name}-${done.size}.cpuprofile`;
    const profiled = timeBuild(dir, ["--cpu-prof", `--cpu-prof-dir=${dir}/prof`, `--cpu-prof-name=${name}`], 3 * limitSeconds);
    if (profiled.outcome === "ok") fs.copyFileSync(path.join(dir, "prof", name), path.join(profiles, name));
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(profiled.outcome === "ok" ? `\n${report(path.join(profiles, name), 15)}` : `\n${name}: the profiled build ended with ${profiled.outcome}`);
  }
}

main();
