// `npm run bench`: builds the cases with adgen, then times, in one process and side by
// side, the primal, the generated gradient and a hand-written gradient on the same inputs.
// It prints ratios, which stay meaningful on a busy machine where absolute times do not.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.resolve(__dirname, "../..");
const out = path.join(root, ".bench");
execFileSync(process.execPath, [path.join(root, "dist/cli.js"), "build", __dirname, "--out-dir", out], { stdio: "inherit" });
const source = fs.readFileSync(path.join(out, "cases.ts"), "utf8");
const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
fs.writeFileSync(path.join(out, "cases.js"), js);
const cases = require(path.join(out, "cases.js"));

/** Nanoseconds per call of `fn` over a fixed input set, best of several rounds. */
function time(fn, inputs) {
  let sink = 0;
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let rep = 0; rep < 200; rep++) {
      for (const args of inputs) {
        const r = fn(...args);
        sink += typeof r === "number" ? r : r[0];
      }
    }
    const ns = Number(process.hrtime.bigint() - start) / (200 * inputs.length);
    best = Math.min(best, ns);
  }
  if (Number.isNaN(sink)) console.log("(nan)");
  return best;
}

const random = (n, k) => Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => Math.sin(i * 7.1 + j * 3.3)));
const table = [
  { name: "rosenbrock", inputs: random(1000, 2) },
  { name: "neuron", inputs: random(1000, 4) },
];
console.log("case         primal ns   adgen grad ns   hand grad ns   grad/primal   grad/hand");
for (const { name, inputs } of table) {
  const primal = time(cases[name], inputs);
  const generated = time(cases[`${name}Grad`], inputs);
  const hand = time(cases[`${name}Hand`], inputs);
  console.log(
    `${name.padEnd(12)} ${primal.toFixed(1).padStart(9)} ${generated.toFixed(1).padStart(15)} ${hand.toFixed(1).padStart(14)} ${(generated / primal).toFixed(2).padStart(13)} ${(generated / hand).toFixed(2).padStart(11)}`,
  );
}
