/**
 * Large inputs for the corpus, generated rather than committed: each function returns the
 * text of one source file. Sizes are parameters, so the same inputs serve timing runs
 * larger than the test suite's.
 */

/** `Σ c_i·x^(i mod 5)` written out as one return of `terms` terms, over several lines. */
export function longSum(terms: number): string {
  const parts = Array.from({ length: terms }, (_, i) => `${(i % 7) + 1} * ${power(i % 5)}`);
  const lines = [];
  for (let i = 0; i < parts.length; i += 10) lines.push(`    ${parts.slice(i, i + 10).join(" + ")}`);
  return differentiable("longSum", `  return (\n${lines.join(" +\n")}\n  );`);
}

/** One line of `terms` operations: `x * 1.0001 + x * 1.0002 - …`, no line breaks at all. */
export function longLine(terms: number): string {
  const parts = Array.from({ length: terms }, (_, i) => `${i % 2 ? "-" : "+"} Math.sin(x * ${1 + i / 1e4})`);
  return differentiable("longLine", `  return 0 ${parts.join(" ")};`);
}

/**
 * `depth` nested `if`s, each on an active condition, each scaling the result; indented
 * as people write them, or (where the indentation alone would run to gigabytes) not.
 */
export function nestedIfs(depth: number, { indent = true } = {}): string {
  const pad = (level: number) => (indent ? "  ".repeat(level) : "");
  const lines: string[] = ["  let y = x;"];
  for (let i = 0; i < depth; i++) lines.push(`${pad(i + 1)}if (y > ${-1 - i}) {`, `${pad(i + 2)}y = y * 1.001 + 0.5;`);
  for (let i = depth - 1; i >= 0; i--) lines.push(`${pad(i + 1)}}`);
  lines.push("  return y * y;");
  return differentiable("nestedIfs", lines.join("\n"));
}

/**
 * A recursive function and its gradient at recursion depth `depth`: the primal reaches
 * that depth easily, so the gradient must too.
 */
export function deepRecursion(depth: number): string {
  return [
    'import { grad } from "adgen";',
    "",
    "/** @differentiable */",
    "export function climb(x: number, n: number): number {",
    "  if (n <= 0) return x;",
    "  return climb(Math.sin(x) * 0.5 + x * 0.5, n - 1);",
    "}",
    "",
    "export const dClimb = grad(climb);",
    `export const checks = [{ f: climb, gradient: dClimb, args: [0.7, ${depth}] }];`,
    "",
  ].join("\n");
}

/** `count` small differentiable functions, each with its own `grad` call. */
export function manyFunctions(count: number): string {
  const lines = ['import { grad } from "adgen";', ""];
  for (let i = 0; i < count; i++) {
    lines.push(
      "/** @differentiable */",
      `export function f${i}(x: number, y: number): number {`,
      `  const t = x * ${(i % 9) + 1} + Math.sin(y);`,
      `  return t * t + y;`,
      "}",
      `export const g${i} = grad(f${i});`,
    );
  }
  lines.push(`export const checks = [{ f: f0, gradient: g0, args: [0.3, 1.1] }, { f: f${count - 1}, gradient: g${count - 1}, args: [0.3, 1.1] }];`, "");
  return lines.join("\n");
}

/** A plain file of `lines` lines that needs no differentiation: copied byte for byte. */
export function plainLines(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `export const v${i}: number = ${i} * 2 + 1; // line ${i + 1}`).join("\n") + "\n";
}

function power(k: number): string {
  return k === 0 ? "1" : Array.from({ length: k }, () => "x").join(" * ");
}

/** A file with one `@differentiable` function of `x` with `body`, its gradient, and its check. */
function differentiable(name: string, body: string): string {
  return [
    'import { grad } from "adgen";',
    "",
    "/** @differentiable */",
    `export function ${name}(x: number): number {`,
    body,
    "}",
    "",
    `export const d = grad(${name});`,
    `export const checks = [{ f: ${name}, gradient: d, args: [0.37] }];`,
    "",
  ].join("\n");
}
