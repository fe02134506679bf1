// @ts-check
/**
 * One benchmark case in a process of its own, so that V8's type feedback from one size never
 * shapes the code timed at another (the GMM gradient first optimised at d = 2 runs 8 % slower
 * at d = 64, K = 10: adgen ÷ hand-written 1.37 instead of 1.26).
 *
 * Input: `--case <name>` (see cases.js), `--quick`, `--no-check` to skip comparing the
 * transforms with the hand-written gradient; `--memory` to measure bytes instead of
 * time (run with `--expose-gc` and a large young generation: run.js does); `--only
 * primal|adgen|hand|jvp|hvp --seconds <s>` to run one function in a loop, for
 * `node --cpu-prof` or `--trace-deopt`. Reads what build.js built. Output: one JSON object
 * on stdout. Invariant: the generated transforms are checked against the hand-written
 * gradient before anything is timed, and a disagreement is reported, never hidden.
 */
const { parseArgs } = require("node:util");
const { load } = require("./build");
const { benchCases } = require("./cases");
const { checkAgainstHand, tangentsFor, directionFor } = require("./checks");
const { allocatedBytes, medianRatio, median, tapePeakBytes, timeInterleaved } = require("./measure");
const { programs } = require("./programs");

const { values: options } = parseArgs({
  options: {
    case: { type: "string" },
    quick: { type: "boolean", default: false },
    memory: { type: "boolean", default: false },
    only: { type: "string" },
    "no-check": { type: "boolean", default: false },
    seconds: { type: "string", default: "10" },
  },
});

const inputs = load.source("test/bench/inputs.ts");
const benchCase = benchCases(inputs, options.quick).find((c) => c.name === options.case);
if (!benchCase) throw new Error(`no benchmark case named ${JSON.stringify(options.case)}`);
const program = programs[benchCase.program];
const status = load.status();
/** The generated transform `id` ("gmm.grad"), when it compiled. */
const transform = (kind) => (status[`${benchCase.program}.${kind}`] === "ok" ? load.transform(`${benchCase.program}.${kind}`) : undefined);
const primal = load.source(program.module)[program.fn];
const hand = load.source(program.hand.module)[program.hand.fn];
const generated = { grad: transform("grad"), jvp: program.forward ? transform("jvp") : undefined, hvp: program.forward ? transform("hvp") : undefined };

/** The functions to measure, each with the argument lists of one call, built from `calls`. */
function timedFunctions(calls) {
  const timed = [
    { name: "primal", fn: primal, calls },
    { name: "adgen", fn: generated.grad, calls },
    { name: "hand", fn: hand, calls },
    { name: "jvp", fn: generated.jvp, calls: calls.map((args) => [args, tangentsFor(args, program.wrt, inputs.seeded)]) },
    { name: "hvp", fn: generated.hvp, calls: calls.map((args) => [...args, directionFor(args, program.wrt, inputs.seeded)]) },
  ];
  return /** @type {import("./measure").Timed[]} */ (timed.filter((entry) => entry.fn !== undefined));
}

/** Milliseconds per call, and the medians of the per-round ratios the tables show. */
function timing() {
  const calls = benchCase.calls();
  const agreement = options["no-check"] ? {} : checkAgainstHand(generated, hand, calls[0], program.wrt, inputs.seeded);
  const timed = timedFunctions(calls);
  const plan = options.quick
    ? { warmMs: 100, targetMs: 20, minRounds: 3, maxRounds: 9, seconds: 1.5 }
    : { warmMs: 300, targetMs: 50, minRounds: 4, maxRounds: 15, seconds: 4 };
  const rounds = timeInterleaved(timed, plan);
  const of = (clock) => Object.fromEntries(timed.map((entry, i) => [entry.name, rounds[i][clock]]));
  /** Medians of the per-round ratios the tables show, for one clock. */
  const ratiosOf = (times) => {
    /** @type {Record<string, number>} */
    const ratios = {};
    for (const [numerator, denominator] of [["adgen", "primal"], ["hand", "primal"], ["adgen", "hand"], ["jvp", "primal"], ["hvp", "adgen"]]) {
      if (times[numerator] && times[denominator]) ratios[`${numerator}/${denominator}`] = medianRatio(times[numerator], times[denominator]);
    }
    return ratios;
  };
  const medians = (times) => Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
  const [cpu, wall] = [of("cpu"), of("wall")];
  return { agreement, ms: medians(cpu), ratios: ratiosOf(cpu), wallMs: medians(wall), wallRatios: ratiosOf(wall), rounds: rounds[0].cpu.length };
}

/**
 * Bytes allocated per call and tape peak, at the case's size and at about half of it. The
 * tapes are measured last: intercepting their pushes changes the tape objects' shape, which
 * would slow (and box values in) every later call.
 */
async function memory() {
  const sizes = [timedFunctions(benchCase.calls()), timedFunctions(benchCase.halfCalls())];
  /** @type {Record<string, { alloc: number[], approximate: boolean, tape: number[] }>} */
  const result = {};
  for (const entries of sizes) {
    for (const entry of entries) {
      const measured = await allocatedBytes(entry);
      const record = (result[entry.name] ??= { alloc: [], approximate: false, tape: [] });
      record.alloc.push(measured.bytes);
      record.approximate ||= measured.approximate;
    }
  }
  const runtime = require("adgen");
  for (const entries of sizes) for (const entry of entries) result[entry.name].tape.push(tapePeakBytes(entry, runtime));
  return result;
}

/** Runs one function for `--seconds`, for a profiler attached to this process. */
function only(name) {
  const entry = timedFunctions(benchCase.calls()).find((timed) => timed.name === name);
  if (!entry) throw new Error(`${name} is not available for ${benchCase.name} (did it compile?)`);
  const [rounds] = timeInterleaved([entry], { warmMs: 0, targetMs: 1, minRounds: 1, maxRounds: Infinity, seconds: Number(options.seconds) });
  return { only: name, calls: rounds.cpu.length, ms: median(rounds.cpu), wallMs: median(rounds.wall) };
}

(async () => {
  const result = options.only ? only(options.only) : options.memory ? await memory() : timing();
  process.stdout.write(`${JSON.stringify(result)}\n`);
})();
