/**
 * Which constructs the random programs use.
 *
 * Input: the `ADGEN_FEATURES` environment variable. Output: `FEATURES`, one flag per
 * construct. Invariant: a flag is on in the default set exactly when its status below is
 * `true`; every other status says what today's compiler does with the construct (the
 * diagnostic it gives, or the wrong result and the regression program that shows it), or
 * what it would cost `npm test`.
 *
 * `ADGEN_FEATURES` is a comma-separated list applied in order to the default set: `all`
 * (every flag on), `none` (every flag off), `name` or `+name` (on), `-name` (off); e.g.
 * `ADGEN_FEATURES=all`, `ADGEN_FEATURES=copies,-kinkMath`, `ADGEN_FEATURES=none,+forLoops`.
 */

const status = {
  // ── control flow and scalars ──
  helperCalls: true, // calls to @differentiable helpers, one of which takes an array
  kinkMath: true, // Math.max / Math.min / Math.abs
  branches: true, // if/else on active values (and on passive ones: i % 2 === 0, n > 2)
  ternary: true, // c ? a : b on active values
  forLoops: true, // for loops with loop-carried state
  whileLoops: true, // while loops with a counter
  nestedLoops: true, // a loop inside a loop
  breakContinue: true, // `if (c) break;` / `if (c) continue;`
  earlyReturn: true, // `if (c) return e;` anywhere
  // ── arrays ──
  arrayParams: true, // x: Float64Array | number[], read at constant and computed indices
  localArrays: true, // a: Float64Array, b: number[], with element writes
  arrayResults: true, // returning the local Float64Array `a` (vjp)
  nestedParams: true, // m: number[][] | Float64Array[], read as m[i][j]
  aliases: true, // const c = a (or b): writes through one name, reads through the other
  rowStores: true, // rows: number[][]; rows.push(row), rows[i] = row, rows[rows.length] = row, a row built and then stored
  rowWrites: true, // row[j] = … on the named row (after it was stored, with rowStores)
  rebinds: true, // an array name rebound: row = [e1, e2]; cf / ca = a copy or a map of another array
  containerWrites: true, // rows[i][j] = … (a row that may also be named)
  growWrites: true, // g: number[] = [], written past its end: g.push(e) (and g[g.length] = e with growByIndex)
  growByIndex: true, // g[g.length] = e among pushes (lowered as a push: test/regressions/grown-then-pushed.ts)
  objectStores: true, // obj: { w: number[]; v: number }; obj.w = arr, obj.v = e, obj.w[j] = e
  destructuringDeclarations: true, // const [p, q] = [e1, e2], const { p: u, q: w } = { … }, const [p, q] = row
  destructuringAssignments: true, // [s, t] = [t, s], [s, t] = [e1, e2], ({ p: s, q: t } = { … })
  copies: true, // Float64Array.from(src), Array.from(src), src.slice(): cf and ca start as copies
  moreCopies: true, // new Float64Array(src), [...src], src.slice(0, 2), src.slice(-2)
  views: true, // a.subarray(0, 2): an aliasing view (of a local; one of a parameter, written, is ADG1003)
  fill: true, // arr.fill(e), arr.fill(e, 1)
  setMethod: true, // a.set([e], offset), a.set(row, 0)
  forOf: true, // for (const v of arr) { … }, for (const r of rows) …
  stacks: true, // stk.push(e); s = stk.pop() ?? e
  localFunctions: true, // const sq = (u: number): number => …; function cube(u) { … }
  arrayMethods: true, // arr.reduce(…), arr.forEach(…), arr.map(…) with arrows
  passiveCalls: true, // plain(i): an unmarked function given only a constant or a counter
  impureCalls: true, // tick(): an impure call that receives nothing active (no vjp: ADG2006), and `ticks`, the module variable it changes
  stopGradient: true, // stopGradient(e) on numbers (finite differences hold its values at the point's)
  tupleResults: true, // returning [s, a]
  objectResults: true, // returning { v: s, w: b }
  nestedResults: true, // returning rows: number[][]
  // ── recursion (the depth is `n`, which only decreases: `if (n > 0) … p(…, n - 1) …`) ──
  recursion: true, // the program calls itself once per level, code before and after the call, its result used in several ways
  recursionInLoops: true, // the call inside a for, while or for…of loop
  treeRecursion: true, // two calls per level (n - 1 and n - 2)
  mutualRecursion: true, // the call goes through partners that call the program back (cycles of two and three)
  // one program in three drawn recursive (one in eight left after the length filter) rather than one in nine (one in thirty)
  manyRecursive: "compiling recursive programs costs about three times as much: the fixed set of npm test keeps few; use it with npm run properties",
  // ── checks ──
  // also check jvp(p): against finite differences and u·(J v) = (uᵀJ)·v
  jvp: true,
};

export type Feature = keyof typeof status;
export const featureNames = Object.keys(status) as Feature[];

/** Why a feature is off by default, or undefined when it is on. */
export const offReason = (name: Feature): string | undefined => (status[name] === true ? undefined : String(status[name]));

function parse(spec: string | undefined): Record<Feature, boolean> {
  const flags = Object.fromEntries(featureNames.map((name) => [name, status[name] === true])) as Record<Feature, boolean>;
  for (const raw of (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (raw === "all" || raw === "none") {
      for (const name of featureNames) flags[name] = raw === "all";
      continue;
    }
    const name = raw.replace(/^[+-]/, "") as Feature;
    if (!(name in status)) throw new Error(`ADGEN_FEATURES: no feature "${name}"; the features are ${featureNames.join(", ")}`);
    flags[name] = !raw.startsWith("-");
  }
  return flags;
}

export const FEATURES: Readonly<Record<Feature, boolean>> = parse(process.env.ADGEN_FEATURES);
