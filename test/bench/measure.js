// @ts-check
/**
 * How the benchmark measures: time in interleaved rounds, bytes allocated per call, and the
 * most bytes adgen's tapes hold at once.
 *
 * Input: functions, each with the argument lists of one measured call. Output: per function
 * the CPU and the wall-clock milliseconds per call of every round; bytes. Invariant: the
 * functions take turns within each round, so a change of machine load hits them alike and
 * the ratio of their times in one round stays meaningful when the absolute times do not;
 * callers take medians of those per-round ratios. CPU time (user + system, of the whole
 * process) leaves out the time the process waits for a core, which on a shared machine
 * makes wall time vary by 2–3× from run to run; on an idle machine the two agree.
 */
const v8 = require("node:v8");

/** @typedef {{ name: string, fn: (...args: any[]) => unknown, calls: unknown[][] }} Timed */

const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
};

/** A number from any result (a number, an array, a tuple of them), so no call is dead code. */
function firstNumber(result) {
  let value = result;
  while (typeof value === "object" && value !== null) value = /** @type {any} */ (value)[0];
  return typeof value === "number" ? value : 0;
}

let sink = 0;
/** One measured call: `fn` over each argument list of `calls`. */
function run({ fn, calls }) {
  for (const args of calls) sink += firstNumber(fn(...args));
}

/** Calls `entry` at least twice and for at least `ms` (V8 optimises it); returns how often. */
function warm(entry, ms) {
  const start = now();
  let count = 0;
  while (count < 2 || now() - start < ms) {
    run(entry);
    count++;
  }
  return count;
}

/**
 * Milliseconds per call of each function in each round. Each function first runs for at
 * least `warmMs` and twice (V8 optimises it), and each measurement repeats the call until it
 * takes `targetMs`; then rounds follow, each timing every function once in turn, until there
 * are `minRounds` and `seconds` have passed, or `maxRounds`.
 * @param {Timed[]} timed
 * @param {{ warmMs: number, targetMs: number, minRounds: number, maxRounds: number, seconds: number }} plan
 * @returns {{ cpu: number[], wall: number[] }[]} per function, ms per call of each round
 */
function timeInterleaved(timed, plan) {
  const reps = timed.map((entry) => {
    const start = cpuNow();
    const count = warm(entry, plan.warmMs);
    return Math.max(1, Math.round((plan.targetMs * count) / Math.max(cpuNow() - start, 1e-3)));
  });
  const rounds = timed.map(() => ({ cpu: /** @type {number[]} */ ([]), wall: /** @type {number[]} */ ([]) }));
  const begin = now();
  for (let round = 0; round < plan.maxRounds && (round < plan.minRounds || now() - begin < plan.seconds * 1000); round++) {
    timed.forEach((entry, i) => {
      const [cpuStart, wallStart] = [cpuNow(), now()];
      for (let rep = 0; rep < reps[i]; rep++) run(entry);
      rounds[i].wall.push((now() - wallStart) / reps[i]);
      rounds[i].cpu.push((cpuNow() - cpuStart) / reps[i]);
    });
  }
  if (Number.isNaN(sink)) console.error("(a measured function returned NaN)");
  return rounds;
}

/** The median of `values`. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median over rounds of the ratio of two functions' times in the same round. */
function medianRatio(numerator, denominator) {
  return median(numerator.map((time, round) => time / denominator[round]));
}

/** Lets V8 finish freeing what the last collection found (array buffers are freed concurrently). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Bytes one call allocates (V8 heap and array buffers), the least of three tries, less what
 * measuring costs. Run with `--expose-gc` and a young generation large enough that a call
 * triggers no collection; if one happens anyway the bytes it freed are added back and the
 * result is marked approximate.
 * @param {Timed} entry
 * @returns {Promise<{ bytes: number, approximate: boolean }>}
 */
async function allocatedBytes(entry) {
  const gc = /** @type {() => void} */ (globalThis.gc);
  const once = async (/** @type {Timed} */ measured) => {
    gc();
    gc();
    await settle();
    const profiler = new v8.GCProfiler();
    const before = v8.getHeapStatistics();
    profiler.start();
    run(measured);
    const after = v8.getHeapStatistics();
    const { statistics } = profiler.stop();
    let bytes = after.used_heap_size - before.used_heap_size + after.external_memory - before.external_memory;
    for (const { beforeGC, afterGC } of statistics) {
      bytes += beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize;
      bytes += beforeGC.heapStatistics.externalMemory - afterGC.heapStatistics.externalMemory;
    }
    return { bytes, approximate: statistics.length > 0 };
  };
  const nothing = { name: "nothing", fn: () => 0, calls: entry.calls };
  warm(entry, 200);
  warm(nothing, 20);
  let best = { bytes: Infinity, approximate: false };
  let overhead = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const measured = await once(entry);
    if (measured.bytes < best.bytes) best = measured;
    overhead = Math.min(overhead, (await once(nothing)).bytes);
  }
  return { bytes: Math.max(0, best.bytes - overhead), approximate: best.approximate };
}

/**
 * The most bytes the tapes of `runtime` (adgen's root module, as the generated code sees it)
 * hold at once during one call: each push is intercepted, as test/tape.test.ts does.
 * @param {Timed} entry
 * @param {any} runtime
 */
function tapePeakBytes(entry, runtime) {
  const tapes = [runtime.numberTape, runtime.booleanTape, runtime.referenceTape];
  let peak = 0;
  const total = () => tapes[0].bytes + tapes[1].bytes + tapes[2].bytes;
  for (const tape of tapes) {
    const push = tape.push.bind(tape);
    tape.push = (value) => {
      push(value);
      peak = Math.max(peak, total());
    };
  }
  try {
    run(entry);
  } finally {
    for (const tape of tapes) delete tape.push;
  }
  return peak;
}

module.exports = { timeInterleaved, median, medianRatio, allocatedBytes, tapePeakBytes, firstNumber };
