/**
 * Unit tests per pass, on small IR: each pass run alone on a tiny function lowered from
 * source (cse, hoist) or on IR built by hand (fold, propagate, dce), its output asserted —
 * what it changes, and what it must leave alone.
 */
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { differentiableFunctions } from "../compiler/discover";
import { printFunction } from "../compiler/emit/print";
import { removeDeadCode } from "../compiler/emit/dce";
import { fold } from "../compiler/emit/fold";
import { propagate } from "../compiler/emit/propagate";
import { fence } from "../compiler/front/fence";
import { lower } from "../compiler/front/lower";
import { mergeCommonValues } from "../compiler/ir/cse";
import { fuseLoops } from "../compiler/ir/fuse";
import { fuseSweepLoops } from "../compiler/reverse/fuse-sweep";
import { hoistInvariants } from "../compiler/ir/hoist";
import { inlineLeafCalls } from "../compiler/ir/inline";
import { lit, op, v, type Expr, type IrFunction, type IrVar, type OutFunction, type Stmt } from "../compiler/ir/ir";
import { projectFromTexts } from "../compiler/project";
import { Session } from "../compiler/session";

const allPure = () => true;

/** One project for all cases, a module each: the libraries are read once. */
const project = projectFromTexts(new Map());
let modules = 0;

/** The one @differentiable function of `body`'s module, lowered; `print` shows IR as code. */
function lowered(source: string): { ir: IrFunction; print: (fn: IrFunction) => string } {
  const file = project.createSourceFile(`/unit/module${++modules}.ts`, source);
  const session = new Session(project, [file]);
  const [target] = differentiableFunctions(file);
  session.track(target);
  fence(target.fn);
  const ir = lower(target, session.resolver(file), session.output(file).names);
  const print = (fn: IrFunction) =>
    printFunction({ name: fn.base, doc: "", exported: false, params: fn.params, returnTypeText: fn.result.typeText, vars: fn.vars, body: fn.body, origins: fn.origins }, session.printContext(file));
  return { ir, print };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("cse: one computation of a repeated pure value", () => {
  it("merges a repeated product", () => {
    const { ir, print } = lowered("/** @differentiable */\nexport function f(x: number, y: number): number {\n  const a = x * y + 1;\n  const b = x * y + 2;\n  return a * b;\n}\n");
    expect(occurrences(print(ir), "x * y")).toBe(2);
    expect(occurrences(print(mergeCommonValues(ir, allPure)), "x * y")).toBe(1);
  });

  it("keeps each call of a function with effects", () => {
    const { ir, print } = lowered("/** @differentiable */\nexport function f(x: number): number {\n  const a = Math.random() * x;\n  const b = Math.random() * x;\n  return a + b;\n}\n");
    expect(occurrences(print(mergeCommonValues(ir, allPure)), "Math.random()")).toBe(2);
  });

  it("merges reads of an element, but not across a write to it", () => {
    const source = (between: string) =>
      `/** @differentiable */\nexport function f(x: number): number {\n  const v = new Float64Array(2);\n  v[0] = x;\n  const a = v[0] * x;\n${between}  const b = v[0] * x;\n  return a + b;\n}\n`;
    const reads = (text: string) => occurrences(text, "= v[0];");
    const kept = lowered(source(""));
    expect(reads(kept.print(kept.ir))).toBe(2);
    expect(reads(kept.print(mergeCommonValues(kept.ir, allPure)))).toBe(1);
    const written = lowered(source("  v[0] = a;\n"));
    expect(reads(written.print(mergeCommonValues(written.ir, allPure)))).toBe(2);
  });

  it("merges reads across a write to an array the function allocated, not across one to a copy of an argument", () => {
    const source = (written: string) =>
      `/** @differentiable */\nexport function f(p: Float64Array, q: Float64Array): number {\n  const own = new Float64Array(2);\n  const copy = Float64Array.from(q);\n  const a = p[0] * 2;\n  ${written}[1] = a;\n  const b = p[0] * 2;\n  return a + b + own[1] + copy[1];\n}\n`;
    const reads = (text: string) => occurrences(text, "= p[0];");
    const apart = lowered(source("own"));
    expect(reads(apart.print(mergeCommonValues(apart.ir, allPure)))).toBe(1);
    // a copy is taken to share its source's storage (aliases.ts), and q may be p
    const argument = lowered(source("copy"));
    expect(reads(argument.print(mergeCommonValues(argument.ir, allPure)))).toBe(2);
  });
});

describe("hoist: loop invariants computed once, before the loop", () => {
  const loop = (body: string) =>
    `/** @differentiable */\nexport function f(x: number, n: number): number {\n  const a = new Float64Array(1);\n  let s = 0;\n  for (let i = 0; i < n; i++) {\n${body}\n  }\n  return s;\n}\n`;
  const before = (text: string, part: string) => text.indexOf(part) >= 0 && text.indexOf(part) < text.indexOf("for (");

  it("moves a pure value the loop does not change", () => {
    const { ir, print } = lowered(loop("    s += Math.sin(x) * i;"));
    expect(before(print(ir), "Math.sin(x)")).toBe(false);
    expect(before(print(hoistInvariants(ir, allPure)), "Math.sin(x)")).toBe(true);
  });

  it("leaves a call with effects in the loop", () => {
    const { ir, print } = lowered(loop("    s += Math.random() * x * i;"));
    expect(before(print(hoistInvariants(ir, allPure)), "Math.random()")).toBe(false);
  });

  it("leaves a read of an element the loop writes", () => {
    const { ir, print } = lowered(loop("    s += a[0] * x;\n    a[0] = s;"));
    const text = print(hoistInvariants(ir, allPure));
    expect(before(text, "a[0]")).toBe(false);
  });

  it("leaves a value that reads a variable the loop assigns", () => {
    const { ir, print } = lowered(loop("    s = s * Math.cos(s + x);"));
    expect(before(print(hoistInvariants(ir, allPure)), "Math.cos")).toBe(false);
  });
});

describe("inline: small helpers called in loops", () => {
  /** Every @differentiable function of `source` lowered; the last one printed after inlining. */
  function inlinedLast(source: string): string {
    const file = project.createSourceFile(`/unit/module${++modules}.ts`, source);
    const session = new Session(project, [file]);
    const irs = new Map<string, IrFunction>();
    for (const target of differentiableFunctions(file)) {
      fence(target.fn);
      irs.set(session.track(target), lower(target, session.resolver(file), session.output(file).names));
    }
    const fn = [...irs.values()].at(-1)!;
    inlineLeafCalls(fn, (key) => irs.get(key), session.output(file).names);
    return printFunction({ name: fn.base, doc: "", exported: false, params: fn.params, returnTypeText: fn.result.typeText, vars: fn.vars, body: fn.body, origins: fn.origins }, session.printContext(file));
  }
  const helper = (body: string) => `/** @differentiable */\nfunction sq(x: number): number {\n${body}\n}\n`;
  const caller = "/** @differentiable */\nexport function f(xs: number[]): number {\n  let s = 0;\n  for (const x of xs) s += sq(x);\n  return s + sq(xs[0]);\n}\n";

  it("copies a straight-line helper into the loop, its locals renamed apart", () => {
    const text = inlinedLast(helper("  const s = x * x;\n  return s;") + caller);
    expect(occurrences(text, "sq(")).toBe(1); // the call outside the loop stays
    expect(text).toMatch(/const s_2 = \w+ \* \w+;/);
  });

  it("leaves a helper with a branch, or one that reassigns its parameter, a call", () => {
    expect(occurrences(inlinedLast(helper("  let y = x * x;\n  if (y > 1) y = 1;\n  return y;") + caller), "sq(")).toBe(2);
    expect(occurrences(inlinedLast(helper("  x = x * x;\n  return x;") + caller), "sq(")).toBe(2);
  });

  const arrayHelper = (body: string) => `/** @differentiable */\nfunction total(a: Float64Array): number {\n${body}\n}\n`;
  const arrayCaller =
    "/** @differentiable */\nexport function f(x: Float64Array): number {\n  let s = 0;\n  for (let i = 0; i < 3; i++) {\n    s += total(x) * i;\n  }\n  return s;\n}\n";

  it("copies a helper looping over an array it reads, the caller's array read in place and the loop index renamed apart", () => {
    const text = inlinedLast(arrayHelper("  let t = 0;\n  for (let i = 0; i < a.length; i++) t += a[i];\n  return t;") + arrayCaller);
    expect(occurrences(text, "total(")).toBe(0);
    expect(text).toMatch(/for \(let (i_\d+) = 0; \1 < \w+; \1\+\+\)/);
    expect(text).toMatch(/= x\[i_\d+\]/);
  });

  it("leaves a helper with an early return in its loop, one that writes an array of its own, or one that calls itself, a call", () => {
    const early = "  for (let i = 0; i < a.length; i++) {\n    if (a[i] > 1) return a[i];\n  }\n  return 0;";
    const writes = "  const b = new Float64Array(a.length);\n  let t = 0;\n  for (let i = 0; i < a.length; i++) {\n    b[i] = a[i] * 2;\n    t += b[i];\n  }\n  return t;";
    const recursive = "  if (a.length < 2) return a[0];\n  return a[0] + total(a.subarray(1));";
    for (const body of [early, writes, recursive]) expect(occurrences(inlinedLast(arrayHelper(body) + arrayCaller), "total(x)")).toBe(1);
  });
});

describe("fold: exact arithmetic and identities", () => {
  it("computes literals and applies identities", () => {
    expect(fold(op("**", v("acc"), op("-", lit("2"), lit("1"))))).toEqual(v("acc"));
    expect(fold(op("+", op("*", v("x"), lit("1")), lit("0")))).toEqual(v("x"));
    expect(fold(op("-", op("-", v("x"))))).toEqual(v("x"));
    expect(fold(op("?:", lit("true"), v("a"), v("b")))).toEqual(v("a"));
  });

  it("compares a select of literals with a literal in its branches: Math.max's choice of argument as a condition", () => {
    // `[a, b].indexOf(y)`, as the rule's template writes it, compared with each position
    const choice = op("?:", op("===", v("a"), v("y")), lit("0"), op("?:", op("===", v("b"), v("y")), lit("1"), op("-", lit("1"))));
    expect(fold(op("===", choice, lit("0")))).toEqual(op("===", v("a"), v("y")));
    expect(fold(op("===", choice, lit("1")))).toEqual(op("&&", op("!==", v("a"), v("y")), op("===", v("b"), v("y"))));
    expect(fold(op("===", choice, lit("2")))).toEqual(lit("false"));
    // a condition that calls something is kept, whatever the branches
    const called = op("?:", { kind: "call", callee: { kind: "runtime", name: "tick" }, args: [] }, lit("0"), lit("0"));
    expect(fold(op("===", called, lit("0")))).toEqual(op("?:", { kind: "call", callee: { kind: "runtime", name: "tick" }, args: [] }, lit("true"), lit("true")));
  });

  it("never turns x * 0 into 0 for a variable x (an infinite x gives NaN)", () => {
    expect(fold(op("*", v("x"), lit("0")))).toEqual(op("*", v("x"), lit("0")));
  });
});

const origin = 0;
const assign = (target: string, value: Expr, accumulate?: "+" | "-"): Stmt => ({ kind: "assign", target, value, origin, ...(accumulate ? { accumulate } : {}) });
const numberVar = (name: string, role: IrVar["role"] = "generated"): [string, IrVar] => [name, { name, type: "number", typeText: "number", shape: { kind: "number" }, role }];

describe("propagate: known values of generated variables", () => {
  const vars = new Map([numberVar("x_bar"), numberVar("t_bar"), numberVar("y", "param"), numberVar("z", "local")]);

  it("reads a variable known to be 0 as 0, and `+=` onto it as `=`", () => {
    const { body, changed } = propagate([assign("x_bar", lit("0")), assign("x_bar", v("y"), "+"), { kind: "return", value: v("x_bar"), origin }], vars);
    expect(changed).toBe(true);
    expect(body).toContainEqual(assign("x_bar", v("y")));
    expect(body).not.toContainEqual(assign("x_bar", v("y"), "+"));
  });

  it("reads a copy as its source, but keeps the user's variables' names", () => {
    const copy = propagate([assign("t_bar", v("y")), { kind: "return", value: op("*", v("t_bar"), v("t_bar")), origin }], vars);
    expect(copy.body.at(-1)).toEqual({ kind: "return", value: op("*", v("y"), v("y")), origin });
    const user = propagate([assign("z", v("y")), { kind: "return", value: v("z"), origin }], vars);
    expect(user.body.at(-1)).toEqual({ kind: "return", value: v("z"), origin });
  });

  it("forgets what a branch may change", () => {
    const branch: Stmt = { kind: "if", cond: v("y"), then: [assign("x_bar", lit("1"))], else: [], origin };
    const { body } = propagate([assign("x_bar", lit("0")), branch, { kind: "return", value: v("x_bar"), origin }], vars);
    expect(body.at(-1)).toEqual({ kind: "return", value: v("x_bar"), origin });
  });

  it("reads a `for`'s start with the facts before the loop, and its end only with what every pass keeps", () => {
    // t_bar holds what z holds until the body assigns z; the end is evaluated after each pass
    const loop: Stmt = { kind: "for", index: "i", start: v("t_bar"), end: v("t_bar"), step: 1, body: [assign("z", lit("2"))], origin };
    const { body } = propagate([assign("t_bar", v("z")), loop, { kind: "return", value: v("z"), origin }], new Map([...vars, numberVar("i", "local")]));
    expect(body.find((s) => s.kind === "for")).toMatchObject({ start: v("z"), end: v("t_bar") });
  });
});

describe("dce: statements nothing observes", () => {
  const out = (body: Stmt[], vars: [string, IrVar][]): OutFunction => ({
    name: "f",
    doc: "",
    exported: false,
    params: [{ name: "y", typeText: "number" }],
    returnTypeText: "number",
    vars: new Map(vars),
    body,
    origins: [],
  });

  it("removes an assignment never read, and keeps what the result reads", () => {
    const fn = out([assign("t_bar", op("*", v("y"), v("y"))), assign("x_bar", op("+", v("y"), lit("1"))), { kind: "return", value: v("x_bar"), origin }], [numberVar("t_bar"), numberVar("x_bar")]);
    expect(removeDeadCode(fn, allPure)).toBe(true);
    expect(fn.body.map((s) => (s.kind === "assign" ? s.target : s.kind))).toEqual(["x_bar", "return"]);
  });

  it("keeps a call with effects whose result is unused", () => {
    const call: Expr = { kind: "call", callee: { kind: "opaque", fn: lit("console"), method: "log", pure: false }, args: [v("y")] };
    const fn = out([{ kind: "effect", value: call, origin }, { kind: "return", value: v("y"), origin }], []);
    expect(removeDeadCode(fn, allPure)).toBe(false);
    expect(fn.body[0]).toEqual({ kind: "effect", value: call, origin });
  });

  it("removes a balanced tape save and restore whose value nobody reads", () => {
    const fn = out(
      [{ kind: "save", tape: "number", value: v("y"), origin, pair: 1 }, assign("t_bar", { kind: "restore", tape: "number", pair: 1 }), { kind: "return", value: v("y"), origin }],
      [numberVar("t_bar")],
    );
    removeDeadCode(fn, allPure);
    expect(fn.body.map((s) => s.kind)).toEqual(["return"]);
  });
});

// Random loop pairs for fusion: two loops over the same range, each with or without an inner loop starting or ending
// at the outer index, reading and writing two scratch arrays at indices around the loop indices.

/** The function `f` of a TypeScript text, run on `x`. */
function run(text: string, x: Float64Array): number {
  const js = ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
  return new Function("exports", `${js}\nreturn f;`)({})(x);
}

const index = (outer: boolean) => fc.constantFrom(...(outer ? ["i", "i + 1", "i + 2", "i - 1", "n - 1 - i", "0"] : ["i", "i + 1", "i - 1", "j", "j + 1", "j - 1", "n - 1 - j"]));
const array = fc.constantFrom("a", "b");
const statement = (inner: boolean) =>
  fc.oneof(
    fc.tuple(array, index(!inner)).map(([o, k]) => `${o}[${k}] = ${o}[${k}] + x[i] * 0.5;`),
    fc.tuple(array, index(!inner), array, index(!inner)).map(([o, k, p, m]) => `${o}[${k}] = ${p}[${m}] * 1.5 + x[i];`),
  );
const loop = fc.oneof(
  fc.array(statement(false), { minLength: 1, maxLength: 2 }).map((body) => `  for (let i = 0; i < n; i++) {\n    ${body.join("\n    ")}\n  }\n`),
  fc
    .tuple(fc.constantFrom("0", "i", "i + 1"), fc.constantFrom("n", "i", "i + 1"), fc.array(statement(true), { minLength: 1, maxLength: 2 }))
    .map(([start, end, body]) => `  for (let i = 0; i < n; i++) {\n    for (let j = ${start}; j < ${end}; j++) {\n      ${body.join("\n      ")}\n    }\n  }\n`),
);

const program = (first: string, second: string) =>
  "/** @differentiable */\nexport function f(x: Float64Array): number {\n  const n = x.length;\n  const a = new Float64Array(n + 3);\n  const b = new Float64Array(n + 3);\n" +
  "  for (let k = 0; k < n + 3; k++) {\n    a[k] = k * 0.75 - 1;\n    b[k] = 2 - k * 0.5;\n  }\n" +
  first +
  second +
  "  let s = 0;\n  for (let k = 0; k < n + 3; k++) s += a[k] * (k + 1) + b[k] * (k + 2);\n  return s;\n}\n";

describe("fuse: adjacent loops over the same range", () => {
  /** How many loops `source`'s function has after hoisting and fusion, and its code. */
  const fused = (loops: string, params = "x: Float64Array") => {
    const { ir, print } = lowered(`/** @differentiable */\nexport function f(${params}): number {\n  const n = x.length;\n  const a = new Float64Array(n);\n  const b = new Float64Array(n);\n${loops}  return b[0] * b[n - 1];\n}\n`);
    fuseLoops(hoistInvariants(ir, allPure), allPure);
    const text = print(ir);
    return { loops: occurrences(text, "for ("), text };
  };

  it("fuses loops whose second reads what the first wrote at the same index, and forwards the stored value", () => {
    const { loops, text } = fused("  for (let i = 0; i < n; i++) a[i] = x[i] * 2;\n  for (let i = 0; i < n; i++) b[i] = a[i] + x[i];\n");
    expect(loops).toBe(1);
    expect(occurrences(text, "= a[i]")).toBe(0);
  });

  it("leaves loops apart when the second reads another element, or a scalar the first sums", () => {
    expect(fused("  for (let i = 0; i < n; i++) a[i] = x[i] * 2;\n  for (let i = 1; i < n; i++) b[i] = a[i - 1];\n").loops).toBe(2);
    expect(fused("  for (let i = 0; i < n; i++) a[i] = x[i] * 2;\n  for (let i = 0; i < n; i++) b[i] = a[n - 1 - i];\n").loops).toBe(2);
    expect(fused("  let t = 0;\n  for (let i = 0; i < n; i++) t += x[i];\n  for (let i = 0; i < n; i++) b[i] = x[i] / t;\n").loops).toBe(2);
  });

  it("leaves loops apart across a store between them, or an alias of the written array", () => {
    expect(fused("  for (let i = 0; i < n; i++) a[i] = x[i] * 2;\n  a[0] = 1;\n  for (let i = 0; i < n; i++) b[i] = a[i];\n").loops).toBe(2);
    expect(fused("  const c = a;\n  for (let i = 0; i < n; i++) a[i] = x[i] * 2;\n  for (let i = 0; i < n; i++) b[i] = c[i];\n").loops).toBe(2);
  });

  it("fuses a triangular update with a loop that reads, at its index, what later iterations no longer write", () => {
    const triangle = "  for (let i = 0; i < n; i++) {\n    for (let j = i + 1; j < n; j++) a[j] = a[j] + x[i] * x[j];\n  }\n";
    expect(fused(`${triangle}  for (let i = 0; i < n; i++) b[i] = a[i] * a[i];\n`).loops).toBe(2);
    // a[i + 1] is complete after iteration i too; a[i + 2] is not
    expect(fused(`${triangle}  for (let i = 0; i < n; i++) b[i] = a[i + 1];\n`).loops).toBe(2);
    expect(fused(`${triangle}  for (let i = 0; i < n; i++) b[i] = a[i + 2];\n`).loops).toBe(3);
  });

  it("leaves loops apart when a later iteration of the first reads below its index what the second overwrites", () => {
    const lower = "  for (let i = 0; i < n; i++) {\n    for (let j = 0; j < i; j++) b[i] = b[i] + a[j] * x[i];\n  }\n";
    expect(fused(`${lower}  for (let i = 0; i < n; i++) a[i] = b[i] + 1;\n`).loops).toBe(3);
    const upper = lower.replace("let j = 0; j < i;", "let j = i + 1; j < n;");
    expect(fused(`${upper}  for (let i = 0; i < n; i++) a[i] = b[i] + 1;\n`).loops).toBe(2);
  });

  it("leaves loops apart when an inner loop leaves early, or reads an element at an index it cannot place", () => {
    const exits = "  for (let i = 0; i < n; i++) {\n    for (let j = i + 1; j < n; j++) {\n      if (a[j] > 1) break;\n      a[j] = a[j] + x[i];\n    }\n  }\n";
    expect(occurrences(fused(`${exits}  for (let i = 0; i < n; i++) b[i] = a[i];\n`).text, "for (")).toBe(2);
    const scattered = "  for (let i = 0; i < n; i++) {\n    for (let j = i + 1; j < n; j++) a[n - j] = a[n - j] + x[i];\n  }\n";
    expect(fused(`${scattered}  for (let i = 0; i < n; i++) b[i] = a[i];\n`).loops).toBe(3);
  });

  it("keeps the result of random loop pairs exactly (inner loops over triangles, indices around the loop indices, up and down), and fuses some", () => {
    const x = new Float64Array([0.3, -1.2, 0.7, 2.1, -0.4, 0.9]);
    let fusedPairs = 0;
    fc.assert(
      fc.property(loop, loop, fc.boolean(), (first, second, descending) => {
        const down = (text: string) => (descending ? text.replaceAll("for (let i = 0; i < n; i++)", "for (let i = n - 1; i >= 0; i--)") : text);
        const source = program(down(first), down(second));
        const { ir, print } = lowered(source);
        fuseLoops(hoistInvariants(ir, allPure), allPure);
        const text = print(ir).replace(/function \w+\(/, "function f(");
        const loops = occurrences(text, "for (");
        if (loops < source.split("for (").length - 1) fusedPairs++;
        const [expected, actual] = [run(source, x), run(text, x)];
        expect(Object.is(actual, expected) || actual === expected, `${source}\nfused:\n${text}`).toBe(true);
      }),
      { numRuns: 300, seed: 12 },
    );
    expect(fusedPairs).toBeGreaterThan(15);
  });

  it("does not forward a store into a Float32Array, which rounds it", () => {
    const { ir, print } = lowered("/** @differentiable */\nexport function f(x: Float64Array): number {\n  const n = x.length;\n  const a = new Float32Array(n);\n  let s = 0;\n  for (let i = 0; i < n; i++) a[i] = x[i] / 3;\n  for (let i = 0; i < n; i++) s += a[i];\n  return s;\n}\n");
    fuseLoops(hoistInvariants(ir, allPure), allPure);
    const text = print(ir);
    expect(occurrences(text, "for (")).toBe(1);
    expect(occurrences(text, "= a[i];")).toBe(1);
  });
});

describe("fuse reverse loops: adjacent loops counting down, zeroings moved out of the way", () => {
  /** `source`'s function with its loops fused as a reverse sweep's are: its code and loop count. */
  const sweepFused = (source: string) => {
    const { ir, print } = lowered(source);
    hoistInvariants(mergeCommonValues(ir, allPure), allPure);
    const out: OutFunction = { name: ir.base, doc: "", exported: false, params: ir.params, returnTypeText: ir.result.typeText, vars: ir.vars, body: ir.body, origins: ir.origins };
    const fusions = fuseSweepLoops(out, allPure);
    const text = print(ir).replace(/function \w+\(/, "function f(");
    return { fusions, loops: occurrences(text, "for ("), text };
  };
  const x = new Float64Array([0.3, -1.2, 0.7, 2.1, -0.4, 0.9]);
  const down = (text: string) => text.replaceAll("for (let i = 0; i < n; i++)", "for (let i = n - 1; i >= 0; i--)").replaceAll(/for \(let j = (.+?); j < (.+?); j\+\+\)/g, "for (let j = $2 - 1; j >= $1; j--)");
  const triangle = "  for (let i = n - 1; i >= 0; i--) {\n    a[i] += x[i];\n    for (let j = n - 1; j >= i + 1; j--) b[i] += a[j] * x[j];\n  }\n";

  it("fuses a triangular adjoint with the loop that zeroes what it reads, the zeroing in a loop of its own after", () => {
    const source = program(triangle, "  for (let i = n - 1; i >= 0; i--) {\n    b[i] += a[i] * 2;\n    a[i] = 0;\n  }\n");
    const { fusions, loops, text } = sweepFused(source);
    expect(fusions, text).toBe(1);
    expect(loops).toBe(occurrences(source, "for ("));
    // the zeroing, alone in its loop, after the fused loop's last store
    expect(text).toMatch(/b\[i\] = t\d+;\s*\}\s*(\/\*@adgen:\d+\*\/\s*)?for \(let i\w* = \w+; i\w* >= 0; i\w*--\) \{\s*(\/\*@adgen:\d+\*\/\s*)?a\[i\w*\] = 0;\s*\}/);
    expect(run(text, x)).toBe(run(source, x));
  });

  it("leaves the zeroing in place when its loop reads the element again after it, or another element", () => {
    for (const second of ["    a[i] = 0;\n    b[i] += a[i] + 1;\n", "    b[i] += a[i] * 2;\n    a[i] = 0;\n    b[i] += a[n - 1 - i];\n"]) {
      const source = program(triangle, `  for (let i = n - 1; i >= 0; i--) {\n${second}  }\n`);
      const { fusions, text } = sweepFused(source);
      expect(fusions, text).toBe(0);
      expect(run(text, x)).toBe(run(source, x));
    }
  });

  it("keeps the result of random pairs of loops counting down, zeroings among them, exactly, and fuses some", () => {
    const zeroing = fc.constantFrom("a", "b").map((o) => `${o}[i] = 0;`);
    const reverseLoop = fc.oneof(
      fc.array(fc.oneof(statement(false), zeroing), { minLength: 1, maxLength: 3 }).map((body) => `  for (let i = 0; i < n; i++) {\n    ${body.join("\n    ")}\n  }\n`),
      loop,
    );
    let fusedPairs = 0;
    fc.assert(
      fc.property(reverseLoop, reverseLoop, (first, second) => {
        const source = program(down(first), down(second));
        const { fusions, text } = sweepFused(source);
        fusedPairs += fusions;
        const [expected, actual] = [run(source, x), run(text, x)];
        expect(Object.is(actual, expected) || actual === expected, `${source}\nfused:\n${text}`).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(fusedPairs).toBeGreaterThan(15);
  });
});
