// @ts-check
/**
 * Generated projects for `npm run bench:compiler`: what adgen build is timed on.
 *
 * Input: a size. Output: the files of a project (relative path → TypeScript text).
 * Invariant: every project compiles with adgen (each differentiable function has a `grad`
 * call, uses only supported constructs), and its size is counted in statements or
 * functions exactly as the table reports it; the text depends on the size alone.
 */

/** One straight-line statement defining v{i} from earlier values, cycling through a few shapes. */
function straightStatement(i) {
  const [a, b, c] = [`v${i - 1}`, `v${Math.max(0, i - 2)}`, `v${Math.max(0, i - 7)}`];
  switch (i % 5) {
    case 0:
      return `const v${i} = ${a} * 0.99 + Math.sin(${b});`;
    case 1:
      return `const v${i} = Math.tanh(${a} - ${c}) * y;`;
    case 2:
      return `const v${i} = ${a} + x * ${b} * 0.5;`;
    case 3:
      return `const v${i} = Math.exp(-${a} * ${a}) + ${c};`;
    default:
      return `const v${i} = ${a} / (1 + ${b} * ${b});`;
  }
}

/** A project of one file holding `big(parameters)` with `body`, and its gradient. */
function oneFunction(parameters, body, gradCall) {
  return {
    "src/big.ts": [
      `import { grad } from "adgen";`,
      "",
      "/** @differentiable */",
      `export function big(${parameters}): number {`,
      ...body.map((line) => `  ${line}`),
      "}",
      "",
      `export const bigGrad = ${gradCall};`,
      "",
    ].join("\n"),
  };
}

/** One function of `statements` straight-line statements (the return included). */
function straightLine(statements) {
  const body = ["const v0 = x * y;"];
  for (let i = 1; i < statements - 1; i++) body.push(straightStatement(i));
  body.push(`return v${statements - 2};`);
  return oneFunction("x: number, y: number", body, "grad(big, { wrt: [0, 1] })");
}

/** The body of one loop (8 statements) over w, updating s, t and the local array a. */
const loopBody = (k) => [
  `s = s * 0.9 + Math.sin(w[i] * s + ${k * 0.01});`,
  "t = t + s * w[i];",
  "a[i] = a[i] * 0.5 + Math.tanh(t);",
  "const p = a[i] * s;",
  "s = s + p * 0.1;",
  "t = Math.max(t, p) * 0.99;",
  "a[i] += Math.exp(-p * p);",
  "s = s - a[i] * 0.01;",
];

/** One function of about `statements` statements in loops of 9 (the `for` and its 8). */
function loopBearing(statements) {
  const loops = Math.max(1, Math.round((statements - 6) / 9));
  const body = ["let s = 0;", "let t = 1;", "const a = new Float64Array(w.length);"];
  for (let k = 0; k < loops; k++) {
    body.push("for (let i = 0; i < w.length; i++) {", ...loopBody(k).map((line) => `  ${line}`), "}");
  }
  body.push("let r = s + t;", "for (let i = 0; i < a.length; i++) r += a[i];", "return r;");
  return oneFunction("w: Float64Array", body, "grad(big)");
}

/** Statements of `loopBearing(statements)`, as the table counts them. */
const loopBearingStatements = (statements) => 9 * Math.max(1, Math.round((statements - 6) / 9)) + 6;

/**
 * `count` small differentiable functions, `perFile` to a file, each with a loop, a call of
 * the function before it in its file (chains of up to ten), and a `grad` call of its own.
 */
function manyFunctions(count, perFile = 100) {
  /** @type {Record<string, string>} */
  const files = {};
  for (let first = 0; first < count; first += perFile) {
    const lines = [`import { grad } from "adgen";`, ""];
    for (let i = first; i < Math.min(count, first + perFile); i++) {
      const call = i % 10 === 0 ? "" : ` + 0.5 * f${i - 1}(w, x * 0.9)`;
      lines.push(
        "/** @differentiable */",
        `export function f${i}(w: Float64Array, x: number): number {`,
        "  let s = 0;",
        "  for (let i = 0; i < w.length; i++) {",
        `    s += Math.tanh(w[i] * x + s * ${((i % 7) + 1) / 10});`,
        "  }",
        `  return s * x${call};`,
        "}",
        `export const f${i}Grad = grad(f${i}, { wrt: [0, 1] });`,
        "",
      );
    }
    files[`src/functions${String(first / perFile).padStart(3, "0")}.ts`] = lines.join("\n");
  }
  return files;
}

/**
 * The families of projects the compiler benchmark times, smallest first within each.
 * @param {boolean} quick
 */
function families(quick) {
  const statementSizes = quick ? [250, 1000] : [250, 1000, 2000, 4000, 10000];
  const functionSizes = quick ? [10, 100] : [10, 100, 1000, 5500];
  return [
    { name: "straight-line", unit: "statements", sizes: statementSizes.map((n) => ({ size: n, files: () => straightLine(n) })) },
    {
      name: "loop-bearing",
      unit: "statements",
      sizes: statementSizes.map((n) => ({ size: loopBearingStatements(n), files: () => loopBearing(n) })),
    },
    { name: "functions", unit: "functions", sizes: functionSizes.map((n) => ({ size: n, files: () => manyFunctions(n) })) },
  ];
}

module.exports = { families };
