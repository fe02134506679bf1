// @ts-check
/**
 * The benchmark's tables: what the workers measured, as plain text.
 *
 * Input: per case, its timing and memory results (worker.js) and the status of each
 * transform call (build.js). Output: per suite a time table (milliseconds and the medians of
 * per-round ratios) and a memory table (tape peak, bytes allocated per call, and both per
 * unit of size), then a summary of adgen ÷ hand-written against the goals. Invariant: a
 * transform that did not compile shows as "n/a" with its diagnostic below the table, and a
 * gradient that disagrees with the hand-written one is marked, never shown as a plain number.
 */

/** @typedef {{ name: string, suite: string, program: string, about: string, unit: string, units: number[],
 *   timing?: any, memory?: any, error?: string }} Result */

const fixed = (value, digits) => (value === undefined ? "n/a" : value.toFixed(digits));

function milliseconds(value) {
  if (value === undefined) return "n/a";
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

/** Bytes in B, KiB or MiB. */
function bytes(value) {
  if (value === undefined) return "n/a";
  const size = Math.abs(value);
  if (size < 1024) return `${Math.round(value)} B`;
  if (size < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${(value / 1024 / 1024).toFixed(1)} MiB`;
}

/** Columns padded to their widest cell; the first `left` columns left-aligned, the rest right-aligned. */
function table(header, rows, left = 1) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i < left ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A transform's column: its ratio, "n/a" when it did not compile, "WRONG" when it disagrees. */
function ratioCell(result, ratio, transform, tolerance) {
  const timing = result.timing;
  if (!timing) return "error";
  const off = timing.agreement[transform];
  if (off !== undefined && !(off <= tolerance)) return `WRONG (${off.toExponential(1)})`;
  return fixed(timing.ratios[ratio], 2);
}

const gradTolerance = 1e-8;
// hvp is compared with a central difference of the hand gradient, good to about 1e-7
const hvpTolerance = 1e-5;

function timeTable(results) {
  const header = ["case", "primal ms", "adgen ms", "hand ms", "adgen÷primal", "hand÷primal", "adgen÷hand", "(processes)", "jvp÷primal", "hvp÷adgen"];
  const rows = results.map((r) => {
    const ms = r.timing?.ms ?? {};
    const spread = r.timing?.spread?.["adgen/hand"];
    return [
      r.name,
      milliseconds(ms.primal),
      milliseconds(ms.adgen),
      milliseconds(ms.hand),
      ratioCell(r, "adgen/primal", "grad", gradTolerance),
      fixed(r.timing?.ratios["hand/primal"], 2),
      ratioCell(r, "adgen/hand", "grad", gradTolerance),
      spread && r.timing.processes.length > 1 ? `${spread[0].toFixed(2)}–${spread[1].toFixed(2)}` : "",
      ratioCell(r, "jvp/primal", "jvp", gradTolerance),
      ratioCell(r, "hvp/adgen", "hvp", hvpTolerance),
    ];
  });
  return table(header, rows);
}

/** Bytes per unit of size: the slope between the full and the half size. */
function perUnit(result, name, field) {
  const values = result.memory?.[name]?.[field];
  if (!values) return undefined;
  return (values[0] - values[1]) / (result.units[0] - result.units[1]);
}

function memoryTable(results) {
  const header = ["case", "unit", "tape peak", "tape/unit", "adgen alloc/call", "adgen alloc/unit", "hand alloc/call", "hand alloc/unit", "extra ≤"];
  const rows = results.map((r) => {
    const adgen = r.memory?.adgen;
    const hand = r.memory?.hand;
    const approximate = (entry) => (entry?.approximate ? " ~" : "");
    return [
      r.name,
      r.unit,
      bytes(adgen?.tape[0]),
      bytes(perUnit(r, "adgen", "tape")),
      bytes(adgen?.alloc[0]) + approximate(adgen),
      bytes(perUnit(r, "adgen", "alloc")),
      bytes(hand?.alloc[0]) + approximate(hand),
      bytes(perUnit(r, "hand", "alloc")),
      bytes(adgen ? adgen.tape[0] + adgen.alloc[0] : undefined),
    ];
  });
  return table(header, rows);
}

const geometricMean = (values) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

/** adgen ÷ hand-written over each suite, against the goals of the speed issue. */
function summary(results) {
  const lines = [];
  const of = (suite) => results.filter((r) => r.suite === suite).map((r) => r.timing?.ratios["adgen/hand"]).filter((v) => v !== undefined);
  const gmm = of("gmm");
  if (gmm.length > 0) {
    lines.push(`GMM adgen÷hand: geometric mean ${geometricMean(gmm).toFixed(2)} (goal ≤ 1.10), worst ${Math.max(...gmm).toFixed(2)} (goal ≤ 1.25 at every size)`);
  }
  const lstm = of("lstm");
  if (lstm.length > 0) lines.push(`LSTM adgen÷hand: worst ${Math.max(...lstm).toFixed(2)} (goal ≤ 1.15)`);
  else if (results.some((r) => r.suite === "lstm")) lines.push("LSTM adgen÷hand: n/a, the gradient was not timed (goal ≤ 1.15)");
  return lines.join("\n");
}

/**
 * The whole report.
 * @param {Result[]} results
 * @param {Record<string, string>} status
 */
function render(results, status) {
  const suites = [
    ["gmm", "GMM — ADBench Gaussian mixture objective, n = 1000 points"],
    ["lstm", "LSTM — ADBench diagonal LSTM character model, hidden size 14"],
    ["micro", "Micro — scalar-, loop-heavy and recursive functions"],
  ];
  const parts = [];
  for (const [suite, title] of suites) {
    const rows = results.filter((r) => r.suite === suite);
    if (rows.length === 0) continue;
    parts.push(`${title}\n\n${timeTable(rows)}\n\n${memoryTable(rows)}`);
    const notes = suite === "micro" ? rows.map((r) => `${r.name}: ${r.about}`) : [];
    notes.push(...rows.flatMap((r) => (r.error ? [`${r.name}: ${r.error}`] : [])));
    const programs = [...new Set(rows.map((r) => r.program))];
    for (const [id, state] of Object.entries(status)) {
      if (state !== "ok" && programs.includes(id.split(".")[0])) notes.push(`${id}: does not compile: ${state}`);
    }
    if (notes.length > 0) parts.push(notes.join("\n"));
  }
  parts.push(
    [
      "ms: CPU milliseconds of one call (a micro scalar call is a batch of points), median over rounds; ratios: median",
      "over rounds of the ratio of two functions timed in the same round; both then the median over the timing processes,",
      "and (processes) the lowest and highest adgen÷hand of one process. tape peak: most bytes on adgen's tapes at once",
      "during one call; alloc/call: bytes one steady-state call allocates (heap and array buffers; ~ where a collection",
      "ran during it); …/unit: the growth per unit of size (point, character, step, …) between the case and its half;",
      "extra ≤: tape peak + adgen's alloc/call, an upper bound of the memory the gradient needs beyond the primal's.",
    ].join("\n"),
  );
  parts.push(summary(results));
  return parts.join("\n\n");
}

module.exports = { render, table };
