/**
 * Mutations of fixture modules: the fuzzer's inputs.
 *
 * Input: a module's text and a random source. Output: a `Mutation` (the new text, or new
 * points for a target, and a label saying what changed and where), or undefined when the
 * module offers no site for the chosen operator. Invariants: only the bodies of
 * `@differentiable` functions and methods change (never a custom derivative or the code
 * it describes, whose derivative adgen takes on trust); the same module, operator and
 * random sequence always give the same mutant.
 *
 * Operators: an arithmetic, compound-assignment, comparison or logical operator replaced;
 * a `Math` function replaced by another of its arity (not `fround`, whose finite differences
 * are float32 rounding noise); a numeric constant changed; a loop's
 * bound or step changed; an expression negated or wrapped; an `if` condition inverted; a
 * variable replaced by another of the same function; a statement deleted, duplicated or
 * swapped with the next. Size operators: a sum of thousands of terms, thousands of
 * statements on one line, hundreds of nested `if`s, and deep recursion (an integer
 * argument of a target raised to thousands). File-system faults: ./disk.ts.
 */
import { ts } from "ts-morph";

export type Random = () => number;

export interface Mutation {
  operator: Operator;
  /** what changed, where: `loops.ts:12 (eulerOde) operator: \`a * b\` → \`a / b\`` */
  label: string;
  text: string;
  /** the function whose body changed */
  fn?: string;
  /** replaced argument lists, per target (deep recursion) */
  points?: Record<string, unknown[][]>;
}

export const operators = [
  "arithmetic",
  "compound",
  "comparison",
  "logical",
  "math",
  "constant",
  "loopBound",
  "negate",
  "wrap",
  "invert",
  "variable",
  "delete",
  "duplicate",
  "swap",
  "sizeSum",
  "sizeStatements",
  "sizeNestedIfs",
  "deepRecursion",
  "fileSystem",
] as const;
export type Operator = (typeof operators)[number];

const arithmetic = ["+", "-", "*", "/", "%", "**"];
const compound = ["=", "+=", "-=", "*=", "/="];
const comparison = ["<", "<=", ">", ">=", "===", "!=="];
const logical = ["&&", "||", "??"];
const unaryMath = "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log1p log2 log10 sqrt cbrt abs sign floor ceil round trunc".split(" ");
const binaryMath = ["atan2", "pow", "max", "min", "hypot"];

export const choose = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** A site: the text span to replace and the replacements to choose from. */
interface Site {
  start: number;
  end: number;
  options: string[];
  fn: string;
  /** for the size operators: the replacement for the chosen size (built only when chosen) */
  grow?: (size: string) => string;
}

/** The bodies of the `@differentiable` functions and methods of a file, with their names. */
function markedBodies(file: ts.SourceFile): { name: string; body: ts.Node; node: ts.SignatureDeclaration }[] {
  const found: { name: string; body: ts.Node; node: ts.SignatureDeclaration }[] = [];
  const marked = (node: ts.Node, holder: ts.Node) =>
    ts.getJSDocTags(holder).some((t) => t.tagName.text === "differentiable") ||
    (ts.canHaveDecorators(node) && (ts.getDecorators(node) ?? []).some((d) => d.expression.getText(file) === "differentiable"));
  const visit = (node: ts.Node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body && marked(node, node)) {
      found.push({ name: node.name?.getText(file) ?? "?", body: node.body, node });
    } else if (ts.isVariableStatement(node)) {
      for (const decl of node.declarationList.declarations) {
        const init = decl.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && marked(decl, node)) {
          found.push({ name: decl.name.getText(file), body: init.body, node: init });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const others = (list: readonly string[], current: string) => list.filter((o) => o !== current);
const isExpressionSite = (n: ts.Node): n is ts.Expression =>
  ts.isIdentifier(n) || ts.isCallExpression(n) || ts.isElementAccessExpression(n) || ts.isParenthesizedExpression(n) || ts.isPropertyAccessExpression(n);
/** An expression that is read as a value (not assigned, not a callee, not a property name, not a declaration). */
function isValueRead(n: ts.Node): boolean {
  const p = n.parent;
  if (!p || !ts.isExpression(n)) return false;
  if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return false;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return false;
  if (ts.isCallExpression(p) && p.expression === n) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === n) return false;
  if (ts.isPropertyAccessExpression(n) && n.expression.getText() === "Math") return false;
  if (ts.isIdentifier(n) && (n.text === "Math" || n.text === "undefined")) return false;
  if (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) return ts.isVariableDeclaration(p) && p.initializer === n;
  if (ts.isArrayLiteralExpression(p) && ts.isBinaryExpression(p.parent) && p.parent.left === p) return false;
  return true;
}

/** The sites of an operator in one function body. */
function sites(operator: Operator, body: ts.Node, fn: string, file: ts.SourceFile, node: ts.SignatureDeclaration): Site[] {
  const out: Site[] = [];
  const text = (n: ts.Node) => n.getText(file);
  const site = (n: ts.Node, options: string[]) => options.length > 0 && out.push({ start: n.getStart(file), end: n.getEnd(), options, fn });
  const numberParams = node.parameters.filter((p) => p.type?.kind === ts.SyntaxKind.NumberKeyword && ts.isIdentifier(p.name)).map((p) => p.name.getText(file));
  const names = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isIdentifier(n) && isValueRead(n)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(body);
  const walk = (n: ts.Node) => {
    switch (operator) {
      case "arithmetic":
      case "compound":
      case "comparison":
      case "logical":
        if (ts.isBinaryExpression(n)) {
          const op = n.operatorToken.getText(file);
          const list = { arithmetic, compound, comparison, logical }[operator];
          if (list.includes(op)) site(n.operatorToken, others(list, op));
        }
        break;
      case "math":
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && text(n.expression.expression) === "Math") {
          const name = n.expression.name.text;
          const list = n.arguments.length === 1 ? unaryMath : n.arguments.length === 2 ? binaryMath : [];
          if (list.includes(name)) site(n.expression.name, others(list, name));
        }
        break;
      case "constant":
        if (ts.isNumericLiteral(n)) {
          const v = Number(n.text);
          site(n, [...new Set(["0", "1", "2", "(-1)", "0.5", "1e-3", "1e3", `${v * 2}`, `${v / 2}`, `${v + 1}`, `(${v - 1})`])].filter((o) => o !== n.text));
        }
        break;
      case "loopBound":
        if (ts.isForStatement(n) && n.condition && ts.isBinaryExpression(n.condition)) {
          const c = n.condition;
          const [l, op, r] = [text(c.left), c.operatorToken.getText(file), text(c.right)];
          site(c, [`${l} ${op} (${r}) - 1`, `${l} ${op} (${r}) + 1`, `${l} ${op} 2 * (${r})`, `${l} ${op} 0`, `${l} ${op === "<" ? "<=" : op === ">" ? ">=" : op} ${r}`]);
          if (n.incrementor) site(n.incrementor, [`${text(n.incrementor)}, ${text(n.incrementor)}`]);
        }
        if (ts.isWhileStatement(n) || ts.isDoStatement(n)) {
          const c = n.expression;
          if (ts.isBinaryExpression(c) && comparison.includes(c.operatorToken.getText(file))) site(c.right, [`(${text(c.right)}) + 1`, `(${text(c.right)}) - 1`]);
        }
        break;
      case "negate":
        if (isExpressionSite(n) && isValueRead(n)) site(n, [`(-${text(n)})`]);
        break;
      case "wrap":
        if (isExpressionSite(n) && isValueRead(n)) {
          const t = text(n);
          site(n, [`Math.sin(${t})`, `(${t} * ${t})`, `(${t} + 1)`, `Math.exp(${t})`, `Math.abs(${t})`, `Math.max(${t}, 0)`]);
        }
        break;
      case "invert":
        if (ts.isIfStatement(n) || ts.isConditionalExpression(n)) {
          const c = ts.isIfStatement(n) ? n.expression : n.condition;
          site(c, [`!(${text(c)})`]);
        }
        break;
      case "variable":
        if (ts.isIdentifier(n) && isValueRead(n)) site(n, [...names].filter((o) => o !== n.text));
        break;
      case "delete":
      case "duplicate":
      case "swap":
        if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) {
          const list = n.statements;
          list.forEach((s, k) => {
            const t = text(s);
            if (operator === "delete") site(s, [""]);
            if (operator === "duplicate") site(s, [`${t} ${t}`]);
            if (operator === "swap" && k + 1 < list.length) {
              const next = list[k + 1]!;
              out.push({ start: s.getStart(file), end: next.getEnd(), options: [`${text(next)}\n${t}`], fn });
            }
          });
        }
        break;
      case "sizeSum":
      case "sizeStatements":
      case "sizeNestedIfs":
        if (ts.isReturnStatement(n) && n.expression && numberParams.length > 0) {
          const [e, p] = [text(n.expression), numberParams[0]!];
          site(n, sizes[operator].map((size) => `${size}`));
          out[out.length - 1]!.grow = (size) => sized(operator, e, p, Number(size));
        }
        break;
      case "deepRecursion":
        break;
    }
    ts.forEachChild(n, walk);
  };
  walk(body);
  return out;
}

/** The sizes of the size operators. */
const sizes: Record<"sizeSum" | "sizeStatements" | "sizeNestedIfs", number[]> = {
  sizeSum: [300, 1000, 3000],
  sizeStatements: [250, 1000, 2000],
  sizeNestedIfs: [100, 400, 800],
};

/** `return e;` grown to a size: a sum of `n` terms, `n` statements on one line, or `n` nested `if`s. */
function sized(operator: "sizeSum" | "sizeStatements" | "sizeNestedIfs", e: string, p: string, n: number): string {
  const c = (k: number) => ((k % 97) + 1) * 1e-3;
  switch (operator) {
    case "sizeSum":
      return `return (${e}) + 1e-4 * (${Array.from({ length: n }, (_, k) => `${p} * ${c(k)}`).join(" + ")});`;
    case "sizeStatements":
      return [
        `let adgenAcc = 0;`,
        Array.from({ length: n }, (_, k) => `adgenAcc = adgenAcc * 0.999 + Math.sin(${p} * ${c(k)});`).join(" "),
        `return (${e}) + 1e-3 * adgenAcc;`,
      ].join("\n");
    case "sizeNestedIfs":
      return `${Array.from({ length: n }, (_, k) => `if (${p} > ${-1e6 - k}) {`).join(" ")} return (${e}) * 1.5; ${"}".repeat(n)}\nreturn ${e};`;
  }
}

/**
 * A mutant of `module` (its `text`) by `operator`, choosing the site and the replacement
 * with `random`; `integerArgs` lists each target's integer parameters (deep recursion).
 */
export function mutate(
  module: string,
  text: string,
  operator: Operator,
  random: Random,
  points: Record<string, unknown[][]>,
  integerArgs: Record<string, number[]>,
): Mutation | undefined {
  if (operator === "deepRecursion") {
    const targets = Object.keys(integerArgs).filter((t) => t in points && integerArgs[t]!.length > 0);
    if (targets.length === 0) return undefined;
    const target = choose(random, targets);
    const arg = choose(random, integerArgs[target]!);
    const depth = choose(random, [1000, 3000, 6000, 10000, 20000]);
    const lists = points[target]!.map((args) => args.map((a, k) => (k === arg ? depth : a)));
    return { operator, label: `${module} (${target}) deepRecursion: args[${arg}] = ${depth}`, text, points: { [target]: lists } };
  }
  const file = ts.createSourceFile(module, text, ts.ScriptTarget.ES2022, true);
  const all = markedBodies(file).flatMap(({ name, body, node }) => sites(operator, body, name, file, node));
  if (all.length === 0) return undefined;
  const s = choose(random, all);
  const choice = choose(random, s.options);
  const replacement = s.grow ? s.grow(choice) : choice;
  const line = file.getLineAndCharacterOfPosition(s.start).line + 1;
  const before = text.slice(s.start, s.end);
  const short = (t: string) => (t.length > 80 ? `${t.slice(0, 60).replace(/\s+/g, " ")}… (${t.length} chars)` : t.replace(/\s+/g, " "));
  return {
    operator,
    label: `${module}:${line} (${s.fn}) ${operator}: \`${short(before)}\` → \`${short(replacement)}\``,
    text: text.slice(0, s.start) + replacement + text.slice(s.end),
    fn: s.fn,
  };
}

/** `fn` and the `@differentiable` functions of the module that call it, directly or not (by name). */
export function callersOf(module: string, text: string, fn: string): Set<string> {
  const file = ts.createSourceFile(module, text, ts.ScriptTarget.ES2022, true);
  const bodies = markedBodies(file).map(({ name, body }) => ({ name, text: body.getText(file) }));
  const found = new Set([fn]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const { name, text } of bodies) {
      if (!found.has(name) && [...found].some((callee) => new RegExp(`\\b${callee}\\s*\\(`).test(text))) {
        found.add(name);
        grown = true;
      }
    }
  }
  return found;
}
