// `npm run bench`: builds the cases with adgen, then times, in one process and side by
// side, the primal, the generated gradient and a hand-written gradient on the same inputs.
// It prints ratios, which stay meaningful on a busy machine where absolute times do not.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.resolve(__dirname, "../..");
const out = path.join(root, ".bench");
// The bench files and the fixtures they import, given one by one so that they keep their
// paths relative to the repository (and their relative imports) under .bench.
const inputs = [
  ...fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts")).map((f) => path.join(__dirname, f)),
  path.join(root, "fixtures/functions/gmm.ts"),
  path.join(root, "fixtures/functions/realistic.ts"),
];
execFileSync(process.execPath, [path.join(root, "dist/cli.js"), "build", ...inputs, "--out-dir", out], { stdio: "inherit" });
for (const file of inputs) {
  const built = path.join(out, path.relative(root, file));
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  fs.writeFileSync(built.replace(/\.ts$/, ".js"), ts.transpileModule(fs.readFileSync(built, "utf8"), { compilerOptions: options }).outputText);
}
const cases = require(path.join(out, "test/bench/cases.js"));

/** A number from any result (a number, or a tuple of numbers and arrays), so nothing is dead code. */
const first = (r) => (typeof r === "number" ? r : typeof r[0] === "number" ? r[0] : r[0][0]);

/**
 * Nanoseconds per call of each of `fns` over a fixed input set: the best of many short rounds
 * (~10 ms, or one call), which the functions take in turns so that a change in machine load
 * hits them alike. Up to 30 rounds or ~3 s, whichever comes first (at least 5 rounds).
 */
function time(fns, inputs) {
  let sink = 0;
  const pass = (fn) => {
    for (const args of inputs) sink += first(fn(...args));
  };
  const now = () => Number(process.hrtime.bigint());
  const reps = fns.map((fn) => {
    // warm up for ~40 ms (at least 3 passes), and size the rounds from it
    let passes = 0;
    const warm = now();
    while (passes < 3 || now() - warm < 40e6) {
      pass(fn);
      passes++;
    }
    return Math.max(1, Math.round((10e6 * passes) / (now() - warm)));
  });
  const best = fns.map(() => Infinity);
  const begin = now();
  for (let round = 0; round < 30 && (round < 5 || now() - begin < 3e9); round++) {
    fns.forEach((fn, f) => {
      const start = now();
      for (let rep = 0; rep < reps[f]; rep++) pass(fn);
      best[f] = Math.min(best[f], (now() - start) / (reps[f] * inputs.length));
    });
  }
  if (Number.isNaN(sink)) console.log("(nan)");
  return best;
}

/** Largest difference between the generated and the hand gradient, relative to the largest entry. */
function disagreement(a, b) {
  const flat = (g) => (typeof g === "number" ? [g] : g.flatMap((p) => (typeof p === "number" ? [p] : Array.from(p))));
  const [x, y] = [flat(a), flat(b)];
  if (x.length !== y.length) return Infinity;
  const scale = Math.max(1e-300, ...x.map(Math.abs));
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]) / scale));
}

const wave = (i) => Math.sin(i * 7.1 + 0.3) * Math.cos(i * 1.3);
const array = (n, f = wave, offset = 0) => Float64Array.from({ length: n }, (_, i) => f(i + offset));
const random = (n, k) => Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => Math.sin(i * 7.1 + j * 3.3)));

/** ADBench GMM inputs: k components in d dimensions, n points. */
function gmm(d, k, n) {
  const icfSize = (d * (d + 1)) / 2;
  return [[array(k, wave, 1), array(k * d, wave, 100), array(k * icfSize, (i) => 0.3 * wave(i), 1000), array(n * d, wave, 5000), 1.0, 0]];
}

function logistic(rows, features) {
  const xs = random(rows, features);
  const ys = xs.map((_, i) => (wave(i) > 0 ? 1 : 0));
  return [[array(features, (i) => 0.3 * wave(i)), 0.1, xs, ys]];
}

function mlp(nIn, nHidden, nOut) {
  const scale = (f) => (i) => f * wave(i);
  return [[array(nHidden * nIn, scale(1 / Math.sqrt(nIn)), 1), array(nHidden, wave, 2), array(nOut * nHidden, scale(1 / Math.sqrt(nHidden)), 3), array(nOut, wave, 4), array(nIn, wave, 5), array(nOut, wave, 6)]];
}

const table = [
  { name: "rosenbrock", fn: "rosenbrock", inputs: random(1000, 2), about: "(x−1)² + 100(y−x²)², grad w.r.t. x, y; 1000 points" },
  { name: "neuron", fn: "neuron", inputs: random(1000, 4), about: "(σ(wx+b)·tanh(wx+b) − t)², grad w.r.t. w, b; 1000 points" },
  { name: "gmm d2 k5", fn: "gmmObjective", inputs: gmm(2, 5, 1000), about: "ADBench GMM objective (fixture), grad w.r.t. alphas, means, icf; d=2, k=5, n=1000" },
  { name: "gmm d10 k5", fn: "gmmObjective", inputs: gmm(10, 5, 1000), about: "the same, d=10, k=5, n=1000" },
  { name: "gmm d10 k25", fn: "gmmObjective", inputs: gmm(10, 25, 1000), about: "the same, d=10, k=25, n=1000" },
  { name: "euler 1e3", fn: "eulerOde", inputs: [[2.0, 0.3, 1.0, 0.0, 1e-3, 1000]], about: "explicit-Euler damped oscillator (fixture), grad w.r.t. k, c, x0, v0, dt; 1000 steps; hand: discrete adjoint over the stored trajectory" },
  { name: "euler 1e5", fn: "eulerOde", inputs: [[2.0, 0.3, 1.0, 0.0, 1e-4, 100000]], about: "the same, 100000 steps" },
  { name: "mlp", fn: "mlpLoss", inputs: mlp(100, 50, 10), about: "two-layer tanh MLP, squared error (fixture), grad w.r.t. w1, b1, w2, b2; 100→50→10, one sample" },
  { name: "logistic", fn: "logisticLoss", inputs: logistic(1000, 20), about: "logistic regression, mean BCE (fixture), grad w.r.t. w, bias; 1000 rows × 20 features" },
];

console.log("case          primal ns   adgen grad ns   hand grad ns   grad/primal   grad/hand");
const ns = (t) => (t >= 1e5 ? t.toExponential(2) : t.toFixed(1));
for (const { name, fn, inputs } of table) {
  const generated = cases[`${fn}Grad`];
  const handFn = cases[`${fn}Hand`];
  if (handFn) {
    const off = disagreement(generated(...inputs[0]), handFn(...inputs[0]));
    if (!(off < 1e-8)) throw new Error(`${name}: the generated and the hand gradient differ (relative ${off})`);
  }
  const [primal, gradient, hand] = time(handFn ? [cases[fn], generated, handFn] : [cases[fn], generated], inputs);
  console.log(
    `${name.padEnd(13)} ${ns(primal).padStart(9)} ${ns(gradient).padStart(15)} ${(hand === undefined ? "—" : ns(hand)).padStart(14)} ${(gradient / primal).toFixed(2).padStart(13)} ${(hand === undefined ? "—" : (gradient / hand).toFixed(2)).padStart(11)}`,
  );
}
console.log();
for (const { name, about } of table) console.log(`${name.padEnd(13)} ${about}`);
