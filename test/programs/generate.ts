/**
 * The random programs' generator: fast-check arbitraries of `Case`s (a program and its
 * points), using the constructs that ./features.ts switches on.
 *
 * Input: `FEATURES`. Output: `caseArb`. Invariants: programs terminate (loop counters are
 * never written; bounds are `n`, a constant or the length of an array whose length never
 * changes; `for…of` runs over such arrays only), stay finite (updates in loops are squashed
 * or contractive: `s = s * 0.9 + Math.sin(…)`, `s *= Math.cos(…)`; divisions are by
 * `1.5 + Math.sin(…)`), read only non-empty arrays at indices reduced modulo their length,
 * and are well-typed under `strict` (./render.ts relies on all of this). Recursive programs
 * stay small: depth at most `n` (≤ 4 at the points), at most two calls per level or one per
 * iteration of a loop of at most four trips.
 */
import fc from "fast-check";
import type { ArraySource, Bound, Call, CallUse, Case, Cond, CopyInit, CopyKind, Destructure, Expr, Grid, Index, MathFn, Partner, Point, Recursion, RowSource, Scalar, Stmt, Target, Update, Vec } from "./ast";
import { FEATURES } from "./features";
import { programSource } from "./module";

export const F = FEATURES;
const anyRows = F.rowStores || F.rowWrites || F.rebinds || F.containerWrites;
const gridsOn = F.rowStores || F.containerWrites;
const copiesOn = F.copies || F.moreCopies || F.views;

/** The one-dimensional arrays programs read, and those whose length never changes (loop bounds). */
export const readable: Vec[] = [
  ...(F.arrayParams ? (["x"] as const) : []),
  ...(F.localArrays ? (["a", "b"] as const) : []),
  ...(F.localArrays && F.aliases ? (["c"] as const) : []),
  ...(F.growWrites ? (["g"] as const) : []),
  ...(anyRows ? (["row"] as const) : []),
  ...(copiesOn || (F.arrayMethods && F.rebinds) ? (["cf", "ca"] as const) : []),
  ...(F.objectStores ? (["ow"] as const) : []),
];
const fixedLength = readable.filter((v): v is "x" | "a" | "b" | "c" => ["x", "a", "b", "c"].includes(v));
/** `for…of` must not run over an array the loop may grow. */
const iterable = readable.filter((v) => v !== "g");
const grids: Grid[] = [...(F.nestedParams ? (["m"] as const) : []), ...(gridsOn ? (["rows"] as const) : [])];
const writable: Extract<Stmt, { k: "store" }>["arr"][] = [
  ...(F.localArrays ? (["a", "b"] as const) : []),
  ...(F.localArrays && F.aliases ? (["c"] as const) : []),
  ...(F.growWrites ? (["g"] as const) : []),
  ...(F.rowWrites ? (["row"] as const) : []),
  ...(copiesOn ? (["cf", "ca"] as const) : []),
  ...(F.objectStores ? (["ow"] as const) : []),
];
/** The copy kinds in use, to start cf and ca with and (with rebinds) to assign them. */
const copyKinds: CopyKind[] = [
  ...(F.copies ? (["typedFrom", "slice", "arrayFrom"] as const) : []),
  ...(F.moreCopies ? (["newTyped", "sliceRange", "sliceEnd", "spread"] as const) : []),
  ...(F.views ? (["subarray"] as const) : []),
];
const maxLoops = F.nestedLoops ? 2 : 1;
/** Nesting of statements and of expressions, statements per block (top level, nested): sizes that keep compiling cheap. */
const maxDepth = 3;
const maxExprDepth = 3;
const maxStatements = [5, 3];
/** Longer programs (as TypeScript) are not generated: compile time grows faster than size. */
const maxChars = 900;
/** What a recursive program may have more: its call site and its partners. */
const maxRecursionChars = 350;
/** A constant with two decimals, shrinking towards 0. */
const constant = (max: number) => fc.integer({ min: -max * 100, max: max * 100 }).map((v) => v / 100);
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** Indices: constant ones, and inside loops mostly ones computed from a loop counter. */
function indices(loops: number): fc.Arbitrary<Index> {
  const constant = fc.record({ k: fc.constant("const" as const), v: pick(0 as const, 1 as const) });
  if (loops === 0) return constant;
  const counter = fc.record({
    k: fc.constant("counter" as const),
    level: fc.integer({ min: 0, max: loops - 1 }),
    off: pick(0 as const, 1 as const, 2 as const),
    rev: fc.boolean(),
  });
  return fc.oneof({ weight: 1, arbitrary: constant }, { weight: 3, arbitrary: counter });
}

const bound: fc.Arbitrary<Bound> = fc.oneof(
  fc.constant({ k: "n" } as Bound),
  fc.record({ k: fc.constant("const" as const), v: pick(2 as const, 3 as const) }),
  ...(fixedLength.length > 0 ? [fc.record({ k: fc.constant("len" as const), arr: pick(...fixedLength) })] : []),
);

const exprCache = new Map<string, { expr: fc.Arbitrary<Expr>; cond: fc.Arbitrary<Cond> }>();

/** Expressions and conditions over `scalars`, the arrays and `loops` enclosing loop counters. */
export function exprs(scalars: Scalar[], loops: number): { expr: fc.Arbitrary<Expr>; cond: fc.Arbitrary<Cond> } {
  const key = `${scalars.join("")}:${loops}`;
  const hit = exprCache.get(key);
  if (hit) return hit;
  const levels = fc.integer({ min: 0, max: Math.max(0, loops - 1) });
  const index = indices(loops);
  const tied = fc.letrec<{ expr: Expr; cond: Cond }>((tie) => {
    const e = tie("expr");
    const c = tie("cond");
    const leaves: fc.Arbitrary<Expr>[] = [
      pick(...scalars).map((name): Expr => ({ k: "var", name })),
      constant(3).map((v): Expr => ({ k: "num", v })),
    ];
    if (loops > 0) leaves.push(levels.map((level): Expr => ({ k: "counter", level })));
    if (readable.length > 0) {
      const read = fc.record({ k: fc.constant("read" as const), arr: pick(...readable), at: index });
      leaves.push(read);
      if (loops > 0) leaves.push(read); // in loops, reads at the counter are the point
    }
    if (grids.length > 0) {
      leaves.push(fc.record({ k: fc.constant("read2" as const), arr: pick(...grids), at: index, at2: index }));
    }
    if (F.objectStores) leaves.push(fc.constant({ k: "field" } as Expr));
    if (F.impureCalls) leaves.push(fc.constant({ k: "tick" } as Expr), fc.constant({ k: "ticks" } as Expr));
    if (F.passiveCalls) leaves.push(levels.map((level): Expr => ({ k: "plain", level })));
    const node = <T extends Expr>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary: arbitrary as fc.Arbitrary<Expr> });
    const nodes: fc.WeightedArbitrary<Expr>[] = [
      node(3, fc.record({ k: fc.constant("bin" as const), op: pick("+" as const, "-" as const, "*" as const), a: e, b: e })),
      node(1, fc.record({ k: fc.constant("div" as const), a: e, b: e })),
      node(2, fc.record({ k: fc.constant("math" as const), f: pick<MathFn>("sin", "cos", "tanh", "atan", "exp", "sqrt", "log", "hypot", "sq"), a: e })),
    ];
    if (F.kinkMath) {
      nodes.push(node(1, fc.record({ k: fc.constant("kink" as const), f: pick("max" as const, "min" as const), a: e, b: e })));
      nodes.push(node(1, fc.record({ k: fc.constant("abs" as const), a: e })));
    }
    if (F.helperCalls) {
      nodes.push(node(1, fc.record({ k: fc.constant("helper" as const), a: e, b: e })));
      if (readable.length > 0 && F.forLoops) nodes.push(node(1, fc.record({ k: fc.constant("sum" as const), arr: pick(...readable), a: e })));
    }
    if (F.localFunctions) nodes.push(node(1, fc.record({ k: fc.constant("local" as const), fn: pick("sq" as const, "cube" as const), a: e })));
    if (F.arrayMethods && readable.length > 0) {
      nodes.push(node(1, fc.record({ k: fc.constant("reduce" as const), arr: pick(...readable), a: e })));
    }
    if (F.ternary) nodes.push(node(1, fc.record({ k: fc.constant("pick" as const), c, a: e, b: e })));
    if (F.stopGradient) nodes.push(node(1, fc.record({ k: fc.constant("stop" as const), a: e })));
    const cmp = (b: fc.Arbitrary<Expr>) => fc.record({ k: fc.constant("cmp" as const), a: e, op: pick(">" as const, "<" as const), b });
    const conds: fc.WeightedArbitrary<Cond>[] = [
      { weight: 3, arbitrary: cmp(e) },
      { weight: 3, arbitrary: cmp(constant(1).map((v): Expr => ({ k: "num", v }))) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("trips" as const), v: fc.integer({ min: 0, max: 3 }) }) },
    ];
    if (loops > 0) conds.push({ weight: 1, arbitrary: fc.record({ k: fc.constant("parity" as const), level: levels }) });
    return {
      expr: fc.oneof(
        { depthSize: "small", maxDepth: maxExprDepth, withCrossShrink: true, depthIdentifier: `expr${key}` },
        ...leaves.map((arbitrary) => ({ weight: 5, arbitrary })),
        ...nodes,
      ),
      cond: fc.oneof(...conds),
    };
  });
  const result = { expr: tied.expr, cond: tied.cond };
  exprCache.set(key, result);
  return result;
}

/** Where statements are generated: nesting, enclosing loops (counted ones give indices), and whether `v` is bound. */
interface Scope {
  depth: number;
  loops: number;
  nest: number;
  v: boolean;
}
const bodyScalars = (scope: Scope): Scalar[] => [...(F.arrayParams ? [] : (["x"] as const)), "y", "s", "t", ...(scope.v ? (["v"] as const) : [])];
const stmtCache = new Map<string, fc.Arbitrary<Stmt[]>>();

/** Statement lists in `scope`, of at least `minLength` statements. */
function statements(scope: Scope, minLength = 1): fc.Arbitrary<Stmt[]> {
  const key = `${JSON.stringify(scope)}:${minLength}`;
  const hit = stmtCache.get(key);
  if (hit) return hit;
  const { depth, loops, nest } = scope;
  const { expr, cond } = exprs(bodyScalars(scope), loops);
  const index = indices(loops);
  const updates = nest > 0 ? pick<Update>("decay", "add", "set", "sub", "scale") : pick<Update>("plain", "decay", "add", "set", "sub", "scale");
  const target = pick<Target>("s", "t", "y");
  const inner = depth < maxDepth;
  const deeper = (more: Partial<Scope>) => statements({ ...scope, depth: depth + 1, ...more });
  const alternatives: fc.WeightedArbitrary<Stmt>[] = [];
  const add = <T extends Stmt>(weight: number, arbitrary: fc.Arbitrary<T>) => alternatives.push({ weight, arbitrary: arbitrary as fc.Arbitrary<Stmt> });
  const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(k: string, fields: T) => fc.record({ k: fc.constant(k), ...fields }) as unknown as fc.Arbitrary<Stmt>;

  add(3, rec("set", { to: target, how: updates, e: expr }));
  if (writable.length > 0) add(3, rec("store", { arr: pick(...writable), at: index, how: updates, e: expr }));
  if (F.branches && inner) add(3, rec("if", { c: cond, then: deeper({}), else: statements({ ...scope, depth: depth + 1 }, 0) }));
  if (inner && nest < maxLoops) {
    const counted = deeper({ loops: loops + 1, nest: nest + 1 });
    if (F.forLoops) add(4, rec("for", { bound, body: counted }));
    if (F.whileLoops) add(2, rec("while", { bound, body: counted }));
    if (F.forOf && iterable.length > 0) add(2, rec("forOf", { arr: pick(...iterable), body: deeper({ nest: nest + 1, v: true }) }));
  }
  if (F.breakContinue && nest > 0) add(2, rec("exit", { how: pick("break" as const, "continue" as const), c: cond }));
  if (F.earlyReturn && (F.branches || F.forLoops)) add(1, rec("return", { c: cond, e: expr }));

  const literal = { a: expr, b: expr };
  if (F.containerWrites) add(2, rec("store2", { at: index, at2: index, how: updates, e: expr }));
  if (F.rowStores) {
    const sources: fc.Arbitrary<RowSource>[] = [
      fc.record({ k: fc.constant("literal" as const), ...literal }),
      fc.constant({ k: "row" } as RowSource),
      fc.record({ k: fc.constant("existing" as const), at: index }),
      ...(readable.length > 0 ? [fc.record({ k: fc.constant("copy" as const), of: pick(...readable) })] : []),
      ...(F.nestedParams ? [fc.record({ k: fc.constant("param" as const), at: index })] : []),
    ];
    const src = fc.oneof(...sources);
    add(2, rec("pushRow", { src }));
    add(2, rec("putRow", { at: fc.oneof(index, fc.constant("end" as const)), src }));
    const put = fc.oneof(index, fc.constant("end" as const), fc.constant("push" as const));
    add(2, rec("buildRow", { fresh: pick("fill" as const, "empty" as const), put, ...literal }));
  }
  if (F.rebinds && anyRows) add(2, rec("rebind", literal));
  if (F.growWrites) add(2, rec("grow", { how: F.growByIndex ? pick("index" as const, "push" as const) : fc.constant("push" as const), e: expr }));
  if (F.objectStores) {
    add(1, rec("field", { how: updates, e: expr }));
    const names = pick("b" as const, "row" as const, "g" as const, "ca" as const).filter((n) => readable.includes(n));
    const src: fc.Arbitrary<ArraySource> = fc.oneof(
      fc.record({ k: fc.constant("literal" as const), ...literal }),
      ...(readable.some((n) => ["b", "row", "g", "ca"].includes(n)) ? [fc.record({ k: fc.constant("name" as const), of: names })] : []),
    );
    add(1, rec("storeArray", { src }));
  }
  const forms: Destructure[] = [
    ...(F.destructuringDeclarations ? (["declArray", "declObject", ...(anyRows ? (["declRow"] as const) : [])] as const) : []),
    ...(F.destructuringAssignments ? (["swap", "assignArray", "assignObject"] as const) : []),
  ];
  if (forms.length > 0) add(2, rec("destructure", { form: pick(...forms), to: target, how: updates, ...literal }));
  if (F.rebinds && copyKinds.length > 0 && readable.length > 0) add(2, rec("copy", { from: pick(...readable), how: pick(...copyKinds) }));
  if (F.fill && F.localArrays) {
    const arrs = pick("a" as const, "b" as const, ...(copiesOn ? (["cf", "ca"] as const) : []));
    add(1, rec("fill", { arr: arrs, e: expr, from: pick(0 as const, 1 as const) }));
  }
  if (F.setMethod && F.localArrays) {
    add(1, rec("setFrom", { src: pick("literal" as const, ...(anyRows ? (["row"] as const) : [])), e: expr, offset: pick(0 as const, 1 as const) }));
  }
  if (F.forOf && gridsOn) add(1, rec("forOfRows", { to: target, how: pick<Update>("decay", "add", "set", "sub", "scale"), e: expr }));
  if (F.stacks) {
    add(2, rec("push", { e: expr }));
    add(2, rec("pop", { to: target, how: updates, e: expr }));
  }
  // a running maximum or minimum over an array's elements (reverse/extremum.ts)
  if (F.kinkMath && F.forLoops && iterable.length > 0) add(1, rec("extremum", { f: pick("max" as const, "min" as const), arr: pick(...iterable), to: pick("s" as const, "t" as const) }));
  if (F.arrayMethods && readable.length > 0) {
    add(1, rec("forEach", { arr: pick(...readable), to: pick("s" as const, "t" as const), e: exprs([...bodyScalars(scope), "v"], loops).expr }));
    if (F.rebinds) add(1, rec("map", { from: pick(...readable), e: exprs([...bodyScalars(scope), "v"], loops).expr }));
  }
  const result = fc.array(fc.oneof(...alternatives), { minLength, maxLength: maxStatements[depth === 0 ? 0 : 1] });
  stmtCache.set(key, result);
  return result;
}

const xValue = constant(1.5);
const point = (n: number): fc.Arbitrary<Point> =>
  fc.record({
    x: F.arrayParams ? fc.array(xValue, { minLength: 2, maxLength: 4 }) : xValue.map((v) => [v]),
    y: xValue,
    n: fc.constant(n),
    m: F.nestedParams ? fc.array(fc.array(xValue, { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 3 }) : fc.constant([]),
  });
/** Trip counts: one point per value. */
export const TRIPS = [0, 1, 2, 4] as const;

const lengths = pick(...(F.arrayParams ? (["2", "3", "x.length"] as const) : (["2", "3"] as const)));
const initScalars: Scalar[] = F.arrayParams ? ["y"] : ["x", "y"];
const results = [
  { weight: 8, arbitrary: fc.constant("number" as const) },
  ...(F.arrayResults && F.localArrays ? [{ weight: 2, arbitrary: fc.constant("array" as const) }] : []),
  ...(F.tupleResults && F.localArrays ? [{ weight: 1, arbitrary: fc.constant("tuple" as const) }] : []),
  ...(F.objectResults && F.localArrays ? [{ weight: 1, arbitrary: fc.constant("object" as const) }] : []),
  ...(F.nestedResults && gridsOn ? [{ weight: 1, arbitrary: fc.constant("nested" as const) }] : []),
];
/** The calls of a recursive program at a site in `scope`: one, or two for tree recursion. */
function calls(scope: Scope, count: 1 | 2): fc.Arbitrary<Call[]> {
  const uses: CallUse[] = ["linear", "nonlinear", "arith", "overwritten", "branch", "tail", ...(writable.length > 0 ? (["stored"] as const) : [])];
  const call = fc.record({
    pass: F.arrayParams ? pick("x" as const, ...(F.localArrays ? (["local"] as const) : []), "copy" as const) : fc.constant("x" as const),
    arg: exprs(bodyScalars(scope), scope.loops).expr,
    use: pick(...uses),
    store: writable.length > 0 ? pick(...writable) : fc.constant("a" as const),
    at: indices(scope.loops),
  });
  return fc.array(call, { minLength: count, maxLength: count });
}

/** A recursive program's call site, its partners and the code after it (./ast.ts `Recursion`). */
function recursion(): fc.Arbitrary<Recursion> {
  const inIf: Scope = { depth: 2, loops: 0, nest: 0, v: false };
  const inLoop: Scope = { depth: 2, loops: 1, nest: 1, v: false };
  const inForOf: Scope = { depth: 2, loops: 0, nest: 1, v: true };
  const site = (kind: Recursion["site"], scope: Scope, count: 1 | 2) =>
    fc.record({ site: fc.constant(kind), around: statements(scope, 0), calls: calls(scope, count) });
  const sites = [
    site("if", inIf, 1),
    ...(F.recursionInLoops && F.forLoops ? [site("for", inLoop, 1)] : []),
    ...(F.recursionInLoops && F.whileLoops ? [site("while", inLoop, 1)] : []),
    ...(F.recursionInLoops && F.forOf && iterable.length > 0 ? [site("forOf", inForOf, 1)] : []),
    ...(F.treeRecursion ? [site("tree", inIf, 2)] : []),
  ];
  const forms: Partner["form"][] = ["scale", "square", "guarded", ...(F.arrayParams ? (["copy"] as const) : []), ...(F.impureCalls ? (["state"] as const) : [])];
  const partner = fc.record({ form: pick(...forms), c: constant(1) });
  return fc
    .record({
      at: fc.oneof(...sites),
      bound: fc.oneof(fc.constant({ k: "const", v: 2 } as Bound), fc.constant({ k: "n" } as Bound), ...(F.arrayParams ? [fc.constant({ k: "len", arr: "x" } as Bound)] : [])),
      over: iterable.length > 0 ? pick(...iterable) : fc.constant("x" as const),
      partners: F.mutualRecursion ? fc.array(partner, { maxLength: 2 }) : fc.constant<Partner[]>([]),
      after: statements({ depth: 1, loops: 0, nest: 0, v: false }, 0),
    })
    .map(({ at, ...rest }): Recursion => ({ ...at, ...rest }));
}

const copyInit = (): fc.Arbitrary<CopyInit> =>
  copyKinds.length === 0 ? fc.constant(null) : fc.record({ from: pick("x" as const, "local" as const), how: pick(...copyKinds) });
const top: Scope = { depth: 0, loops: 0, nest: 0, v: false };

export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    program: fc.record({
      xType: pick("Float64Array" as const, "number[]" as const),
      mType: pick("number[][]" as const, "Float64Array[]" as const),
      lenA: lengths,
      lenB: lengths,
      bTyped: fc.boolean(),
      aliasOf: pick("a" as const, "b" as const),
      rowsInit: F.containerWrites ? pick("literal" as const, "named" as const) : fc.constant("literal" as const),
      cfInit: copyInit(),
      caInit: copyInit(),
      s0: exprs(initScalars, 0).expr,
      t0: exprs([...initScalars, "s"], 0).expr,
      body: statements(top),
      result: exprs(bodyScalars(top), 0).expr,
      returns: fc.oneof({ withCrossShrink: true }, ...results),
      // one program in nine is drawn recursive, one in three with manyRecursive (fewer are left after the length filter)
      recursion: F.recursion ? fc.oneof({ weight: F.manyRecursive ? 2 : 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: recursion() }) : fc.constant(null),
    }),
    points: fc.tuple(...TRIPS.map(point)),
  })
  .filter((c) => programSource(c, 0).length <= maxChars + (c.program.recursion ? maxRecursionChars : 0));

/** The cases of file k of a run: sampled with their own seed, far apart from the next file's so that nearby seeds share no files. */
export function fileCases(seed: number, k: number, count: number): { seed: number; cases: Case[] } {
  const fileSeed = (seed + k * 0x9e3779b1) | 0;
  return { seed: fileSeed, cases: fc.sample(caseArb, { seed: fileSeed, numRuns: count }) };
}
