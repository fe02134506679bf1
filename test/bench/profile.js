// @ts-check
/**
 * `node test/bench/profile.js <file.cpuprofile> [--top N]`: where a V8 CPU profile
 * (`node --cpu-prof`) spends its time.
 *
 * Input: a .cpuprofile. Output: the functions with the most self time, the functions with
 * the most total time (self and callees), and the total time per source file — for adgen's
 * compiler, per pass. Invariant: a function (or file) on a sample's stack several times, as
 * in recursion, counts that sample once in its total.
 */
const fs = require("node:fs");
const path = require("node:path");

/** A short, stable name for a profile node: function, file and line. */
function label(callFrame) {
  const file = callFrame.url ? path.basename(callFrame.url.replace(/^file:\/\//, "")) : "";
  const name = callFrame.functionName || "(anonymous)";
  return file ? `${name} ${file}:${callFrame.lineNumber + 1}` : name;
}

/** The file a profile node's code is in: a package name for dependencies, a path for adgen's own. */
function fileOf(callFrame) {
  const url = callFrame.url.replace(/^file:\/\//, "");
  if (!url) return callFrame.functionName.startsWith("(") ? callFrame.functionName : "(native)";
  const dependency = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (dependency) return dependency[1];
  if (url.startsWith("node:")) return "node internals";
  const distAt = url.lastIndexOf("/dist/");
  return distAt >= 0 ? url.slice(distAt + 1) : path.basename(url);
}

/**
 * Self and total milliseconds per function and per file.
 * @param {any} profile the parsed .cpuprofile
 */
function summarise(profile) {
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const total = new Map();
  const files = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the sample stands for the interval after it
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    elapsed += ms;
    add(self, label(nodes.get(id).callFrame), ms);
    const labels = new Set();
    const fileSet = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = nodes.get(at);
      if (callFrame.functionName === "(root)") continue;
      labels.add(label(callFrame));
      fileSet.add(fileOf(callFrame));
    }
    for (const key of labels) add(total, key, ms);
    for (const key of fileSet) add(files, key, ms);
  });
  return { elapsed, self, total, files };
}

/** The `top` largest entries of `map` as lines: milliseconds, share of `elapsed`, key. */
function topLines(map, elapsed, top) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(9)} ms ${((100 * ms) / elapsed).toFixed(1).padStart(5)} %  ${key}`);
}

/** The report of one profile file. */
function report(file, top = 20) {
  const { elapsed, self, total, files } = summarise(JSON.parse(fs.readFileSync(file, "utf8")));
  return [
    `${path.basename(file)}: ${(elapsed / 1000).toFixed(1)} s sampled`,
    "self time:",
    ...topLines(self, elapsed, top),
    "total time (self and callees):",
    ...topLines(total, elapsed, top),
    "total time per file:",
    ...topLines(files, elapsed, top),
  ].join("\n");
}

if (require.main === module) {
  const [file, flag, count] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node test/bench/profile.js <file.cpuprofile> [--top N]");
    process.exit(1);
  }
  console.log(report(file, flag === "--top" ? Number(count) : 20));
}

module.exports = { report };
