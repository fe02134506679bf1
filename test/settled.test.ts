/**
 * Settled code (compiler/settled.ts) held against prettier itself: whatever it calls settled,
 * prettier prints exactly as it is — for random statements and expressions in every spelling
 * (parentheses where prettier wants them or not, odd literals, long lines), and for chosen
 * lines prettier changes. formatGenerated, which passes settled declarations by, returns the
 * same text as prettier over the whole.
 */
import fc from "fast-check";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { formatGenerated, options } from "../compiler/format";
import { isSettled } from "../compiler/settled";

/** prettier over a whole text, with format.ts's options, as format.ts called it before it passed anything by. */
const byPrettier = (text: string, endOfLine: "lf" | "crlf" = "lf") => prettier.format(text, { ...options, endOfLine });

const inFunction = (lines: string[], signature = "function f(x: number, w: Float64Array): number {") =>
  ["/** Generated. */", signature, ...lines.map((l) => `  ${l}`), "}"].join("\n");

const signature = fc
  .tuple(fc.constantFrom("", "export "), fc.array(fc.constantFrom("x: number", "w_bar: Float64Array", "v?: number[]", "this: Model", "ps: readonly Point[]", "k: number = 2", "...rest: number[]", "primals: [x: number]"), { maxLength: 6 }), fc.constantFrom("number", "[number, (r_bar: number) => [number, number]]", "void", "{ x: number; y: number }[]"))
  .map(([e, params, type]) => `${e}function f_grad_wrt_0(${params.join(", ")}): ${type} {`);

const operators = ["+", "-", "*", "/", "%", "**", "<", ">=", "===", "!==", "&&", "||", "??"];
const names = ["x", "w", "t1_bar", "adgen.numberTape", "Math.PI", "a_long_generated_name_bar", "numberTape.data[top - 1]"];
const numbers = ["0", "1", "0.5", "2.50", "1e-3", "1E5", ".5", "3.", "1e+2", "10"];

/** Expressions, spelt with no parentheses, prettier's, or extra ones. */
const expression = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: fc.constantFrom(...names, ...numbers, '"text"', "true"), weight: 8 },
    { arbitrary: fc.constantFrom("'text'", "this", "x as number", "`t`", "a?.b", "new Float64Array(n)", "new Array<number>(n).fill(0)", "top++", "--top"), weight: 1 },
    { arbitrary: fc.tuple(tie("e"), fc.constantFrom(...operators), tie("e"), fc.constantFrom("", "", "(")).map(([a, op, b, p]) => (p ? `(${a} ${op} ${b})` : `${a} ${op} ${b}`)), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom("-", "+", "!", "typeof ", "- "), tie("e")).map(([op, a]) => `${op}${a}`), weight: 1 },
    { arbitrary: fc.tuple(tie("e"), tie("e"), tie("e")).map(([a, b, c]) => `${a} ? ${b} : ${c}`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom("Math.tanh", "f", "adgen.zerosLike", "a.b().c"), fc.array(tie("e"), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(", ")})`), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom("w", "t", "tape"), tie("e")).map(([a, i]) => `${a}[${i}]`), weight: 2 },
    { arbitrary: fc.tuple(tie("e"), fc.constantFrom("!", ".length", ".fill(0)", "[0]")).map(([a, s]) => `${a}${s}`), weight: 1 },
    { arbitrary: fc.array(tie("e"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`), weight: 1 },
    { arbitrary: fc.array(fc.tuple(fc.constantFrom("a", "b"), tie("e")), { maxLength: 2 }).map((ps) => (ps.length ? `{ ${ps.map(([k, v]) => `${k}: ${v}`).join(", ")} }` : "{}")), weight: 1 },
    { arbitrary: tie("e").map((a) => `(r_bar: number) => ${a}`), weight: 1 },
    { arbitrary: tie("e").map((a) => `(${a})`), weight: 1 },
  ),
})).e;

const statement = fc.oneof(
  expression.map((e) => `t = ${e};`),
  fc.tuple(fc.constantFrom("let", "const"), expression).map(([k, e]) => `${k} t2: number = ${e};`),
  expression.map((e) => `return ${e};`),
  expression.map((e) => `f(${e});`),
  expression.map((e) => `t += ${e}; // a note`),
  expression.map((e) => `tape[top++] = ${e};`),
  expression.map((e) => `const t4 = ${e} as [number, number];`),
  expression.map((e) => `let t5: { v: number[]; w: number } | undefined = ${e};`),
  fc.constantFrom("let t3!: [number, number];", "t = tape.pop() as number[];", "break;", "let s = 1.0;", "x = a;  // two spaces", "x=1;", "void [a, b];"),
);

/** A function of random statements, blocks, comments and blank lines, indented as prettier indents or not. */
const chunk = fc
  .array(
    fc.oneof(
      statement.map((s) => [s]),
      fc.tuple(expression, fc.array(statement, { maxLength: 2 })).map(([c, body]) => [`if (${c}) {`, ...body.map((s) => `  ${s}`), "}"]),
      fc.tuple(expression, statement).map(([c, s]) => [`for (let i = 0; i < ${c}; i++) {`, `  ${s}`, "}"]),
      fc.tuple(expression, statement, statement).map(([c, s, e]) => [`if (${c}) {`, `  ${s}`, "} else {", `  ${e}`, "}"]),
      fc.tuple(expression, statement).map(([c, s]) => [`while (${c}) {`, `  ${s}`, "}"]),
      fc.tuple(statement, statement).map(([s, e]) => ["try {", `  ${s}`, "} catch (error) {", `  ${e}`, "}"]),
      fc.constantFrom(["// forward sweep"], ["/*@adgen:12*/ // adjoint of: x = 1;"], [""], ["/*@adgen:7*/"], [" t = 1;"], ["if (t) break;"]),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .chain((blocks) => signature.map((head) => inFunction(blocks.flat(), head)));

describe("isSettled", () => {
  it("calls settled only code that prettier prints as it is", async () => {
    let settled = 0;
    await fc.assert(
      fc.asyncProperty(chunk, async (text) => {
        // the text as generated, and as prettier prints it (mostly settled, in shapes the generator alone rarely spells so)
        const formatted = await byPrettier(text).catch(() => undefined);
        for (const candidate of formatted === undefined ? [text] : [text, formatted.slice(0, -1)]) {
          if (!isSettled(candidate)) continue;
          settled++;
          expect(await byPrettier(candidate)).toBe(`${candidate}\n`);
        }
      }),
      { numRuns: 400 },
    );
    // the property says something only if it met much settled code
    expect(settled).toBeGreaterThan(50);
  });

  it.each([
    "t = (a * b) / c;",
    "t = a ** (b ** c);",
    "t = -(-a) + -+b;",
    "t = (a && b) || !(c < d);",
    "t = a - b + (c % d);",
    "t = c ? (a ? b : 1) : d ? e : f;",
    "t = [s, [x_bar]];",
    "const t8_bar = adgen.referenceTape.pop() as [number, number];",
    "if (top === tape.length) tape = numberTape.grow();",
    "w_bar[i] += t5_bar * x; // a note",
    "f((r_bar: number) => (r_bar > 0 ? 1 : 2), 1e-12);",
  ])("settles %s, which prettier keeps", async (line) => {
    const text = inFunction([line]);
    expect(await byPrettier(text)).toBe(`${text}\n`);
    expect(isSettled(text)).toBe(true);
  });

  it.each([
    ["parentheses prettier adds", ["t = a * b / c;"]],
    ["parentheses prettier drops", ["t = (a - b) + c;"]],
    ["a sign beside a sign", ["t = - -a;"]],
    ["a number prettier respells", ["let s = 1.50;"]],
    ["single quotes", ["t = 'a';"]],
    ["a line too wide", [`t = ${"a + ".repeat(25)}b;`]],
    ["a blank line after an opening brace", ["", "t = 1;"]],
    ["a blank line before a closing brace", ["if (t) {", "  t = 1;", "", "}"]],
    ["a marker and a comment alone in a block", ["if (t) {", "  /*@adgen:12*/ // adjoint of: x = 1;", "}"]],
    ["a comment two spaces after code", ["t = 1;  // note"]],
    ["a long member chain", ["t = a.b().c().d((x: number) => x);"]],
    ["a matrix", ["t = [[a, b], [c, d]];"]],
    ["a ternary as an arrow body", ["f((x: number) => x ? 1 : 2);"]],
  ])("leaves %s to prettier", async (_what, lines) => {
    const text = inFunction(lines);
    expect(await byPrettier(text)).not.toBe(`${text}\n`);
    expect(isSettled(text)).toBe(false);
  });

  it("leaves a line nested deeper than a stack can parse to prettier, unread", () => {
    expect(isSettled(inFunction([`t = ${"(".repeat(20_000)}x${")".repeat(20_000)};`]))).toBe(false);
  });

  it("reads a line as flat up to prettier's print width, and no further", async () => {
    // `  t = x + x + … + x0;`, indented as in a function: 100 columns, then 101
    const line = (width: number) => `t = ${"x + ".repeat(Math.floor((width - 8) / 4))}${"x".padEnd(((width - 8) % 4) + 1, "0")};`;
    for (const width of [100, 101]) {
      const text = inFunction([line(width)]);
      expect(text.split("\n")[2]).toHaveLength(width);
      const kept = (await byPrettier(text)) === `${text}\n`;
      expect([width, kept, isSettled(text)]).toEqual([width, width === 100, width === 100]);
    }
  });
});

describe("the names kept referenced after the transform calls", () => {
  const kept = (names: string[], broken: boolean) =>
    `${broken ? `void [\n${names.map((n) => `  ${n},\n`).join("")}]` : `void [${names.join(", ")}]`}; // no longer used`;
  const many = Array.from({ length: 30 }, (_, k) => `f${k}`);

  it.each([
    ["too many for a line, a name a line", many, true, true],
    ["few, on one line", many.slice(0, 5), false, true],
    ["few, broken", many.slice(0, 5), true, false],
    ["too many, on one line", many, false, false],
  ])("%s: settled as prettier prints it", async (_what, names, broken, settled) => {
    const text = kept(names, broken);
    expect((await byPrettier(text)) === `${text}\n`).toBe(settled);
    expect(isSettled(text)).toBe(settled);
  });
});

describe("formatGenerated", () => {
  const settled = inFunction(["let s = 0;", "for (let i = 0; i < w.length; i++) {", "  s += w[i] * x;", "}", "return s;"]);
  const unsettled = inFunction(["return (x*2);"]);
  const header = "// Generated by adgen.\n// Do not edit.";

  it.each(["lf", "crlf"] as const)("gives prettier's text for the whole, declarations settled or not (%s)", async (endOfLine) => {
    const text = [header, settled, unsettled, unsettled, settled, unsettled].join("\n\n") + "\n";
    expect(await formatGenerated(text, endOfLine)).toBe(await byPrettier(text, endOfLine));
  });

  it("formats the whole at once when a part does not parse alone", async () => {
    const text = [settled, "const s = `a\n\nb`;"].join("\n\n") + "\n";
    expect(await formatGenerated(text)).toBe(await byPrettier(text));
  });
});
