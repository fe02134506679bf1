// @ts-check
/**
 * The benchmark's cases: each program at the sizes it is measured at.
 *
 * Input: the seeded inputs module (test/bench/inputs.ts, transpiled) and whether the run is
 * `--quick`. Output: the list of cases, each with its program (a key of programs.js), the
 * argument lists of one measured call (several for the scalar functions, so one call is a
 * batch) at its size and at about half of it, and the unit the two sizes differ by — so
 * that memory per unit (per point, per step, per level) is the slope between them.
 * Invariant: a case's name is unique and stable; it keys the JSON results.
 */

/**
 * @typedef {{ suite: "gmm" | "lstm" | "micro", name: string, program: string, about: string,
 *   calls: () => unknown[][], halfCalls: () => unknown[][], unit: string, units: [number, number] }} Case
 */

/** ADBench's grid, d × K with n = 1000 points, and (64, 10), a row of the table. */
const gmmSizes = [
  ...[2, 10, 20, 64].flatMap((d) => [5, 25, 100].map((k) => [d, k])),
  [64, 10],
].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
const quickGmmSizes = [[2, 5], [10, 5]];

/**
 * @param {any} inputs the module test/bench/inputs.ts
 * @param {boolean} quick
 * @returns {Case[]}
 */
function benchCases(inputs, quick) {
  /** @type {Case[]} */
  const cases = [];
  const n = 1000;
  for (const [d, k] of quick ? quickGmmSizes : gmmSizes) {
    cases.push({
      suite: "gmm",
      name: `gmm d=${d} K=${k}`,
      program: "gmm",
      about: `ADBench GMM objective, d=${d}, K=${k}, n=${n}; grad w.r.t. alphas, means, icf`,
      calls: () => [inputs.gmmArgs(d, k, n)],
      halfCalls: () => [inputs.gmmFirstPoints(inputs.gmmArgs(d, k, n), n / 2)],
      unit: "point",
      units: [n, n / 2],
    });
  }
  const c = 1024;
  const b = 14;
  for (const layers of quick ? [2] : [2, 4]) {
    cases.push({
      suite: "lstm",
      name: `lstm l=${layers} c=${c}`,
      program: "lstm",
      about: `ADBench LSTM, ${layers} layers, hidden size ${b}, ${c} characters; grad w.r.t. main and extra params`,
      calls: () => [inputs.lstmArgs(layers, b, c)],
      halfCalls: () => [inputs.lstmArgs(layers, b, c / 2)],
      unit: "character",
      units: [c, c / 2],
    });
  }
  const micro = (name, program, about, make, unit, units) =>
    cases.push({ suite: "micro", name, program, about, calls: () => make(units[0]), halfCalls: () => make(units[1]), unit, units });
  const points = quick ? 200 : 1000;
  micro("rosenbrock", "rosenbrock", `(1−x)² + 100(y−x²)², grad w.r.t. x, y; a call is ${points} points`, (m) => inputs.scalarArgs(m, 2), "point", [points, points / 2]);
  micro("neuron", "neuron", `(σ(wx+b)·tanh(wx+b) − t)², grad w.r.t. w, b; a call is ${points} points`, (m) => inputs.scalarArgs(m, 4), "point", [points, points / 2]);
  const steps = quick ? 1e5 : 1e6;
  micro("euler ode", "euler", `explicit-Euler damped oscillator, ${steps} steps, grad w.r.t. k, c, x0, v0, dt`, (m) => [[2.0, 0.3, 1.0, 0.0, 1 / m, m]], "step", [steps, steps / 2]);
  micro("mlp", "mlp", "two-layer tanh MLP 100→50→10, squared error, grad w.r.t. w1, b1, w2, b2", (m) => [inputs.mlpArgs(100, m, 10)], "hidden unit", [50, 25]);
  micro("logistic", "logistic", "logistic regression, 1000 rows × 20 features (number[][]), grad w.r.t. w, bias", (m) => [inputs.logisticArgs(m, 20)], "row", [1000, 500]);
  micro("recursion", "recursion", "tan x by a continued fraction, recursion 1000 deep, grad w.r.t. x", (m) => [[0.7, m]], "level", [1000, 500]);
  return cases;
}

module.exports = { benchCases };
