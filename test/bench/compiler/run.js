// @ts-check
/**
 * `npm run bench:compiler [-- --quick] [-- --limit <s>] [-- --only <text>] [-- --profile]`:
 * the wall time, CPU time and peak memory of `adgen build` (the built CLI, start-up included)
 * on generated projects of growing size, with the growth from each size to the next.
 *
 * Input: the project families of projects.js (`--only` keeps the cases whose label, e.g.
 * "loop-bearing 996", contains the text); dist/ as `npm run build` left it. Output: a table
 * on stdout, .bench/compiler.json; with `--profile`, CPU profiles (`node --cpu-prof`, one per
 * thread: the build runs in a worker) of the largest case of each family that built in time,
 * in .bench/compiler-profiles/, and the summary (profile.js) of each busy thread's. Invariant:
 * no build uses more CPU time than the limit (default 120 s; a profiled one 3 times that), so
 * the limit means the same on a loaded machine, nor more than ten times that in wall time: it
 * is stopped and reported as "> limit", and the larger sizes of its family are skipped; a
 * build that fails is reported with its diagnostic.
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
 * `adgen build src --out-dir out` in `dir`, with `nodeFlags`: seconds, CPU seconds and peak
 * resident memory (MiB), both from the process's own rusage at exit, and the outcome. The
 * CPU limit is the shell's `ulimit -t` (the kernel stops the build with SIGXCPU).
 */
function timeBuild(dir, nodeFlags = [], seconds = limitSeconds) {
  const usageFile = path.join(dir, "usage.json");
  const start = process.hrtime.bigint();
  const loadavg = os.loadavg()[0];
  const command = [process.execPath, ...nodeFlags, "-r", path.join(__dirname, "usage.js"), cli, "build", "src", "--out-dir", "out"];
  const result = spawnSync("/bin/sh", ["-c", `ulimit -S -t ${Math.ceil(seconds)} && exec "$@"`, "sh", ...command], {
    cwd: dir,
    encoding: "utf8",
    timeout: 10 * seconds * 1000,
    killSignal: "SIGKILL",
    env: { ...process.env, ADGEN_BENCH_USAGE: usageFile },
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const timedOut = (result.error && /** @type {any} */ (result.error).code === "ETIMEDOUT") || result.signal === "SIGXCPU";
  if (timedOut) return { outcome: "timeout", seconds: elapsed, loadavg };
  if (result.status !== 0) {
    const diagnostic = `${result.stdout}${result.stderr}`.split("\n").find((line) => line.includes("error")) ?? `exit ${result.status ?? result.signal}`;
    return { outcome: "error", seconds: elapsed, loadavg, diagnostic };
  }
  const { maxRSS, cpuSeconds } = JSON.parse(fs.readFileSync(usageFile, "utf8"));
  return { outcome: "ok", seconds: elapsed, cpuSeconds, loadavg, mib: maxRSS / 1024 };
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
        rows.push([family.name, `${size} ${family.unit}`, "", "skipped", "", "", "", "", ""]);
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
        rows.push([family.name, `${size} ${family.unit}`, result.files, ...(measured.outcome === "timeout" ? ["", shown] : [shown, ""]), "", "", "", measured.loadavg.toFixed(1)]);
        continue;
      }
      const growth = previous
        ? [`×${(measured.cpuSeconds / previous.cpuSeconds).toFixed(2)}`, exponent(previous.cpuSeconds, measured.cpuSeconds, previous.size, size).toFixed(2)]
        : ["", ""];
      const row = [measured.seconds.toFixed(1), measured.cpuSeconds.toFixed(1), ...growth, measured.mib.toFixed(0), measured.loadavg.toFixed(1)];
      rows.push([family.name, `${size} ${family.unit}`, result.files, ...row]);
      previous = result;
    }
  }
  console.log(table(["family", "size", "files", "build s", "cpu s", "growth", "exponent", "peak MiB", "load"], rows, 2));
  console.log(
    "\nbuild s: wall time of `node dist/cli.js build src --out-dir out`, start-up included; cpu s: the CPU time of all its threads,",
    "\nthe steadier figure on a shared machine; growth: CPU time ÷ the previous size's; exponent: log(CPU time ratio) /",
    "\nlog(size ratio), 1 for linear growth, 2 for quadratic; peak MiB: the build's maximum resident set;",
    "\nload: the machine's 1-minute load average when the build started (above the core count, times are inflated);",
    `\n> ${limitSeconds} s: the build used more than ${limitSeconds} CPU seconds (--limit) and was stopped.`,
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
    const name = `${family.name}-${done.size}`;
    const profiled = timeBuild(dir, ["--cpu-prof", `--cpu-prof-dir=${dir}/prof`], 3 * limitSeconds);
    if (profiled.outcome !== "ok") console.log(`\n${name}: the profiled build ended with ${profiled.outcome}`);
    else {
      // one profile per thread, largest (busiest) first: the build's worker, prettier's, the idle main thread
      const threads = fs.readdirSync(path.join(dir, "prof")).map((file) => path.join(dir, "prof", file));
      threads.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
      threads.forEach((file, k) => {
        const kept = path.join(profiles, `${name}-thread${k + 1}.cpuprofile`);
        fs.copyFileSync(file, kept);
        if (k < 2) console.log(`\n${report(kept, 15)}`);
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
