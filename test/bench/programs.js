// @ts-check
/**
 * The programs `npm run bench` measures, and the transform calls it builds with adgen.
 *
 * Input: nothing (a table). Output: per program, its differentiable function (module and
 * name), the parameters its gradient is taken with respect to, its hand-written gradient,
 * and whether the forward-mode columns apply; `transformCalls()` lists every transform the
 * benchmark needs and `driverText()` writes the small module that makes one of them.
 * Invariant: each transform call lives in its own driver module, so one the compiler rejects
 * (the LSTM's state copy, `jvp` and `hvp` today) costs only its own column. The fast test
 * (test/bench.test.ts) compiles the same drivers.
 */

/**
 * @typedef {{ module: string, fn: string, wrt: number | number[], hand: { module: string, fn: string },
 *   forward?: boolean }} Program
 * @typedef {{ id: string, program: string, transform: "grad" | "jvp" | "hvp", module: string, fn: string,
 *   options?: string }} TransformCall
 */

/** @type {Record<string, Program>} */
const programs = {
  gmm: {
    module: "fixtures/functions/gmm.ts",
    fn: "gmmObjective",
    wrt: [0, 1, 2],
    hand: { module: "test/bench/gmm-hand.ts", fn: "gmmObjectiveHand" },
    forward: true,
  },
  lstm: {
    module: "fixtures/functions/lstm.ts",
    fn: "lstmObjective",
    wrt: [0, 1],
    hand: { module: "test/bench/lstm-hand.ts", fn: "lstmObjectiveHand" },
  },
  rosenbrock: {
    module: "test/bench/scalar.ts",
    fn: "rosenbrock",
    wrt: [0, 1],
    hand: { module: "test/bench/micro-hand.ts", fn: "rosenbrockHand" },
  },
  neuron: {
    module: "test/bench/scalar.ts",
    fn: "neuron",
    wrt: [0, 1],
    hand: { module: "test/bench/micro-hand.ts", fn: "neuronHand" },
  },
  euler: {
    module: "fixtures/functions/realistic.ts",
    fn: "eulerOde",
    wrt: [0, 1, 2, 3, 4],
    hand: { module: "test/bench/micro-hand.ts", fn: "eulerOdeHand" },
  },
  mlp: {
    module: "fixtures/functions/realistic.ts",
    fn: "mlpLoss",
    wrt: [0, 1, 2, 3],
    hand: { module: "test/bench/micro-hand.ts", fn: "mlpLossHand" },
    forward: true,
  },
  logistic: {
    module: "fixtures/functions/realistic.ts",
    fn: "logisticLoss",
    wrt: [0, 1],
    hand: { module: "test/bench/micro-hand.ts", fn: "logisticLossHand" },
  },
  recursion: {
    module: "fixtures/functions/recursion.ts",
    fn: "tanApprox",
    wrt: 0,
    forward: true,
    hand: { module: "test/bench/micro-hand.ts", fn: "tanApproxHand" },
  },
};

/** Every transform call the benchmark uses: a gradient per program, jvp and hvp where `forward`. */
function transformCalls() {
  /** @type {TransformCall[]} */
  const calls = [];
  for (const [name, program] of Object.entries(programs)) {
    const wrt = `{ wrt: ${JSON.stringify(program.wrt).replace(/,/g, ", ")} }`;
    const base = { program: name, module: program.module, fn: program.fn };
    calls.push({ id: `${name}.grad`, transform: "grad", options: wrt, ...base });
    if (program.forward) {
      calls.push({ id: `${name}.jvp`, transform: "jvp", ...base });
      calls.push({ id: `${name}.hvp`, transform: "hvp", options: wrt, ...base });
    }
  }
  return calls;
}

/**
 * The driver module of one transform call: it imports the function from `specifier` and
 * exports the transformed function as `transformed`.
 * @param {TransformCall} call
 * @param {string} specifier
 */
function driverText(call, specifier) {
  const options = call.options ? `, ${call.options}` : "";
  return [
    `import { ${call.transform} } from "adgen";`,
    `import { ${call.fn} } from "${specifier}";`,
    `export const transformed = ${call.transform}(${call.fn}${options});`,
    "",
  ].join("\n");
}

module.exports = { programs, transformCalls, driverText };
