/**
 * Decision tracing for any program: the fuzzer's kink detector.
 *
 * Input: TypeScript modules, through `traceTransformer` (a transformer for
 * `ts.transpileModule`). Output: the same code, with every decision recorded into a
 * running hash (`decisions()` reads and resets it): the outcome of each comparison (`<`,
 * `<=`, `>`, `>=`, `===`, `!==`, `==`, `!=`), the truthiness of each condition and each
 * left operand of `&&`/`||`/`??`, the discriminant of each `switch`, the argument chosen
 * by `Math.max`/`Math.min`, the sign in `Math.abs`/`Math.sign`, the results of
 * `Math.floor`/`ceil`/`round`/`trunc` and the quotient of `%`. Invariant: a traced program
 * computes exactly what the original does. Two runs with the same hash took the same path
 * through every piecewise operation, so a finite difference between them is not across a
 * kink. Element reads outside an array's elements (which give undefined, hence NaN, that the
 * value may never show) and writes outside a typed array (which are dropped) are flagged:
 * such a program's derivative means nothing.
 */
import { ts } from "ts-morph";

/**
 * The running record: a hash of the decisions and how many there were; whether an array was
 * indexed outside its elements; whether a number went beyond ±1e30 or was not finite.
 */
const state = { hash: 0, count: 0, outside: false, huge: false, singular: false };
const note = (code: number) => {
  state.hash = Math.imul(state.hash ^ (code | 0), 16777619) ^ (code * 1e6) | 0;
  state.count++;
};
const sign = (a: number, b: number) => (a > b ? 1 : a < b ? -1 : a === b ? 0 : 2);

/** What the traced code calls; installed as a global so modules need no import. */
export const tracer = {
  cmp(a: any, b: any, op: string): boolean {
    const result =
      op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : op === ">=" ? a >= b : op === "===" ? a === b : op === "!==" ? a !== b : op === "==" ? a == b : a != b;
    note(typeof a === "number" && typeof b === "number" ? sign(a, b) : result ? 3 : 4);
    return result;
  },
  truth<T>(v: T): T {
    note(v ? 5 : 6);
    return v;
  },
  value<T>(v: T): T {
    note(typeof v === "number" ? v : String(v).length + 7);
    return v;
  },
  mod(a: number, b: number): number {
    note(Math.floor(a / b));
    return a % b;
  },
  /** `a[i]` read: undefined (hence NaN) outside the elements, which the program's value may never show. */
  read(a: any, i: any): any {
    if (!isElement(a, i)) state.outside = true;
    return a[i];
  },
  /**
   * `i` as the index of a write: outside a typed array's elements the write is dropped, and
   * at a fractional or negative index it makes a property that is no element. (Past the end
   * of a `number[]` is a write like any other: the array grows.)
   */
  index(a: any, i: any): any {
    const fractional = typeof i === "number" && !(Number.isInteger(i) && i >= 0);
    if ((ArrayBuffer.isView(a) && !isElement(a, i)) || (Array.isArray(a) && fractional)) state.outside = true;
    return i;
  },
  /** A number computed on the way: finite differences mean nothing where such numbers are huge or not finite. */
  num<T>(v: T): T {
    if (typeof v === "number" && !(Math.abs(v) <= 1e30)) state.huge = true;
    return v;
  },
  /** `a ** b`, flagged where it has no derivative (0 to a power below 1). */
  pow(a: number, b: number): number {
    if (a === 0 && b < 1) state.singular = true;
    return tracer.num(a ** b);
  },
  math(name: string, ...args: number[]): number {
    if (singularAt[name]?.(args[0]!, args[1]!)) state.singular = true;
    args.forEach(tracer.num); // `Math.atan2(-Infinity, v)` is finite, its derivative is not
    const result = tracer.num((Math as unknown as Record<string, (...a: number[]) => number>)[name]!(...args));
    if (name === "max" || name === "min") note(args.findIndex((a) => Object.is(a, result)));
    else if (name === "abs" || name === "sign") note(sign(args[0]!, 0));
    else if (piecewise.has(name)) note(result);
    return result;
  },
};
(globalThis as Record<string, unknown>).__adgenTrace = tracer;

/** Where a `Math` function has no derivative though its value is finite (its derivative is infinite there). */
const singularAt: Record<string, (a: number, b: number) => boolean> = {
  sqrt: (a) => a === 0,
  cbrt: (a) => a === 0,
  asin: (a) => Math.abs(a) === 1,
  acos: (a) => Math.abs(a) === 1,
  acosh: (a) => a === 1,
  pow: (a, b) => a === 0 && b < 1,
};

const isElement = (a: any, i: any) =>
  !(Array.isArray(a) || ArrayBuffer.isView(a)) || typeof i !== "number" || (Number.isInteger(i) && i >= 0 && i < (a as ArrayLike<unknown>).length);

/** The decisions since the last call (a hash and a count), resetting the record. */
export function decisions(): string {
  const text = `${state.hash}:${state.count}`;
  state.hash = 0;
  state.count = 0;
  return text;
}

/**
 * What went wrong since the last call, resetting it: an index outside an array, a huge or
 * non-finite number, a function at a point where it has no derivative.
 */
export function mishaps(): { outside: boolean; huge: boolean; singular: boolean } {
  const { outside, huge, singular } = state;
  state.outside = state.huge = state.singular = false;
  return { outside, huge, singular };
}

/** Whether an element access is assigned to (`a[i] = …`, `a[i] += …`, `a[i]++`, `[a[i]] = …`). */
function isWritten(node: ts.Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if (ts.isBinaryExpression(p)) return p.left === node && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
  if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) return p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken;
  if (ts.isArrayLiteralExpression(p)) return isWritten(p);
  return ts.isPropertyAssignment(p) && p.initializer === node && isWritten(p.parent);
}

const comparisons: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.LessThanToken]: "<",
  [ts.SyntaxKind.LessThanEqualsToken]: "<=",
  [ts.SyntaxKind.GreaterThanToken]: ">",
  [ts.SyntaxKind.GreaterThanEqualsToken]: ">=",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [ts.SyntaxKind.EqualsEqualsToken]: "==",
  [ts.SyntaxKind.ExclamationEqualsToken]: "!=",
};
const logical = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);
const piecewise = new Set(["max", "min", "abs", "sign", "floor", "ceil", "round", "trunc"]);
const arithmetic = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
]);

/** Rewrites decisions into calls of `__adgenTrace`; see the module comment. */
export const traceTransformer: ts.TransformerFactory<ts.SourceFile> = (context) => {
  const f = context.factory;
  const call = (method: string, args: ts.Expression[]) =>
    f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("__adgenTrace"), method), undefined, args);
  const visit = (node: ts.Node): ts.Node => {
    // A write target keeps its place, its index checked; `a[i] += v` reads a[i] too, which is inside when the write is.
    if (ts.isElementAccessExpression(node) && isWritten(node)) {
      const target = ts.visitNode(node.expression, visit) as ts.Expression;
      return f.updateElementAccessExpression(node, target, call("index", [target, ts.visitNode(node.argumentExpression, visit) as ts.Expression]));
    }
    const n = ts.visitEachChild(node, visit, context);
    if (ts.isElementAccessExpression(n)) return call("read", [n.expression, n.argumentExpression]);
    if (ts.isBinaryExpression(n)) {
      const kind = n.operatorToken.kind;
      const op = comparisons[kind];
      if (op) return call("cmp", [n.left, n.right, f.createStringLiteral(op)]);
      if (kind === ts.SyntaxKind.PercentToken) return call("mod", [n.left, n.right]);
      if (logical.has(kind)) return f.updateBinaryExpression(n, call("truth", [n.left]), n.operatorToken, n.right);
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) return call("pow", [n.left, n.right]);
    if (ts.isBinaryExpression(n) && arithmetic.has(n.operatorToken.kind)) return call("num", [n]);
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression)) {
      if (n.expression.expression.text === "Math") return call("math", [f.createStringLiteral(n.expression.name.text), ...n.arguments]);
    }
    if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) return f.updatePrefixUnaryExpression(n, call("truth", [n.operand]));
    if (ts.isIfStatement(n)) return f.updateIfStatement(n, call("truth", [n.expression]), n.thenStatement, n.elseStatement);
    if (ts.isConditionalExpression(n)) return f.updateConditionalExpression(n, call("truth", [n.condition]), n.questionToken, n.whenTrue, n.colonToken, n.whenFalse);
    if (ts.isWhileStatement(n)) return f.updateWhileStatement(n, call("truth", [n.expression]), n.statement);
    if (ts.isDoStatement(n)) return f.updateDoStatement(n, n.statement, call("truth", [n.expression]));
    if (ts.isForStatement(n) && n.condition) return f.updateForStatement(n, n.initializer, call("truth", [n.condition]), n.incrementor, n.statement);
    if (ts.isSwitchStatement(n)) return f.updateSwitchStatement(n, call("value", [n.expression]), n.caseBlock);
    return n;
  };
  return (file) => ts.visitNode(file, visit) as ts.SourceFile;
};
