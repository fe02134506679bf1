// @ts-check
/**
 * Builds what `npm run bench` runs: the transform calls with the built adgen CLI, and the
 * programs, hand-written gradients and inputs straight from their TypeScript.
 *
 * Input: the table of test/bench/programs.js; dist/cli.js (built by `npm run build`).
 * Output, under .bench/: `build/` (adgen's output, transpiled to CommonJS beside it),
 * `source/` (every program module, hand gradient and inputs module, transpiled as written),
 * and `status.json`: per transform call, "ok" or the diagnostic that rejected it.
 * Invariant: a call the compiler rejects is reported and left out, and the others are
 * rebuilt without it, so one rejection never hides the rest.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");
const { programs, transformCalls, driverText } = require("./programs");

const root = path.resolve(__dirname, "../..");
const benchDir = path.join(root, ".bench");
const driversDir = path.join(benchDir, "drivers");
const buildDir = path.join(benchDir, "build");
const sourceDir = path.join(benchDir, "source");

/** Where the transpiled module of a repository-relative `.ts` path lies under `dir`. */
function compiledPath(dir, relative) {
  return path.join(dir, relative.replace(/\.ts$/, ".js"));
}

/** Transpiles `from` (TypeScript) to CommonJS at `to`. */
function transpile(from, to) {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  const { outputText } = ts.transpileModule(fs.readFileSync(from, "utf8"), { compilerOptions: options });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, outputText);
}

/** The driver's path relative to the repository. */
const driverPath = (call) => path.relative(root, path.join(driversDir, `${call.id}.ts`));

function writeDrivers(calls) {
  fs.rmSync(driversDir, { recursive: true, force: true });
  fs.mkdirSync(driversDir, { recursive: true });
  for (const call of calls) {
    let specifier = path.relative(driversDir, path.join(root, call.module)).replace(/\.ts$/, "");
    if (!specifier.startsWith(".")) specifier = `./${specifier}`;
    fs.writeFileSync(path.join(root, driverPath(call)), driverText(call, specifier.split(path.sep).join("/")));
  }
}

/**
 * One `adgen build` of `calls` with the modules they import: the error lines it printed
 * (`path:line:col - error ADG…: …`), empty when it succeeded.
 */
function runBuild(calls) {
  const inputs = [...new Set(calls.flatMap((call) => [driverPath(call), call.module]))];
  const result = spawnSync(process.execPath, [path.join(root, "dist/cli.js"), "build", ...inputs, "--out-dir", buildDir], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status === 0) return [];
  const lines = `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => / error ADG\d+/.test(line));
  return lines.length > 0 ? lines : [`adgen build exited with ${result.status}: ${result.stderr.trim()}`];
}

/**
 * Builds every call it can. Returns the status of each: "ok", or the first diagnostic of
 * its driver or of the module it imports.
 * @returns {Record<string, string>}
 */
function buildTransforms() {
  const calls = transformCalls();
  writeDrivers(calls);
  /** @type {Record<string, string>} */
  const status = {};
  let remaining = calls;
  while (remaining.length > 0) {
    const errors = runBuild(remaining);
    if (errors.length === 0) break;
    const blame = (call) => errors.find((line) => line.startsWith(`${driverPath(call)}:`) || line.startsWith(`${call.module}:`));
    const rejected = remaining.filter((call) => blame(call) !== undefined);
    // A diagnostic that names none of the calls' files stops them all.
    for (const call of rejected.length > 0 ? rejected : remaining) status[call.id] = blame(call) ?? errors[0];
    remaining = rejected.length > 0 ? remaining.filter((call) => !rejected.includes(call)) : [];
  }
  for (const call of remaining) status[call.id] = "ok";
  if (remaining.length === 0) fs.rmSync(buildDir, { recursive: true, force: true });
  else for (const file of walk(buildDir)) if (file.endsWith(".ts")) transpile(file, file.replace(/\.ts$/, ".js"));
  return status;
}

/** Every file under `dir`. */
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** Transpiles the programs, and every module of test/bench/ (hand-written gradients, inputs), as written. */
function buildSources() {
  fs.rmSync(sourceDir, { recursive: true, force: true });
  const modules = new Set(fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts")).map((f) => `test/bench/${f}`));
  for (const program of Object.values(programs)) modules.add(program.module);
  for (const module of modules) transpile(path.join(root, module), compiledPath(sourceDir, module));
}

/** Builds everything; returns each transform call's status and writes it to .bench/status.json. */
function buildBench() {
  buildSources();
  const status = buildTransforms();
  fs.writeFileSync(path.join(benchDir, "status.json"), `${JSON.stringify(status, null, 2)}\n`);
  return status;
}

/** The module of a built transform call, or of a program or hand gradient as written. */
const load = {
  transform: (id) => require(compiledPath(buildDir, driverPath({ id }))).transformed,
  source: (relative) => require(compiledPath(sourceDir, relative)),
  status: () => JSON.parse(fs.readFileSync(path.join(benchDir, "status.json"), "utf8")),
};

module.exports = { buildBench, load, benchDir };
