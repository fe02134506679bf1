/**
 * Constant folding of generated expressions: the arithmetic of rule templates, once their
 * arguments are substituted, folded where the result is exact.
 *
 * Input: an IR expression tree. Output: an equal one, smaller: literals computed
 * (`2 - 1` → `1`), identities applied (`x * 1`, `1 * x`, `x + 0`, `x - 0`, `x / 1`, `x ** 1`,
 * `-(-x)`), a select on a known condition replaced by its branch, a comparison of a select of
 * literals with a literal pushed into the branches (`(c ? 0 : 1) === 0` → `c`). Never `x * 0` → `0` on a
 * non-literal `x`: that would turn an infinite value's NaN into 0.
 */
import { lit, numberValue, op, type Expr } from "../ir/ir";
import { mapDeep } from "../ir/traverse";

/** The operator an expression applies, for operators and operators' rule calls alike. */
export function operatorOf(e: Expr): { token: string; args: Expr[] } | undefined {
  if (e.kind === "op") return { token: e.op, args: e.args };
  if (e.kind === "call" && e.callee.kind === "rule" && /^([-+*/%!<>=]|\*\*|typeof)/.test(e.callee.text) && !e.spread) return { token: e.callee.text, args: e.args };
  return undefined;
}

/** The same operator applied to new operands, keeping its rule. */
function rebuild(e: Expr, args: Expr[]): Expr {
  if (e.kind === "op") return { ...e, args };
  if (e.kind === "call") return { ...e, args };
  return e;
}

const numberLit = (value: number): Expr => (value < 0 || Object.is(value, -0) ? op("-", lit(String(-value))) : lit(String(value)));

const compute: Record<string, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "**": (a, b) => a ** b,
};

/** A literal's value, including a negated literal (`-2` is `op("-", 2)` once folded). */
function valueOf(e: Expr): number | undefined {
  const direct = numberValue(e);
  if (direct !== undefined) return direct;
  if (e.kind === "op" && e.op === "-" && e.args.length === 1) {
    const inner = numberValue(e.args[0]);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}

function foldNode(e: Expr): Expr {
  const o = operatorOf(e);
  if (!o) return e;
  const { token, args } = o;
  if (args.length === 1 && token === "-") {
    const [a] = args;
    const inner = operatorOf(a);
    if (inner?.token === "-" && inner.args.length === 1) return inner.args[0];
    const value = numberValue(a);
    if (value !== undefined && value === 0) return lit("0");
    return e;
  }
  if (args.length === 1 && token === "+") {
    return e;
  }
  if (token === "?:" && args.length === 3) return foldSelect(e, args[0], args[1], args[2]);
  if (args.length !== 2) return e;
  const [a, b] = args;
  const x = valueOf(a);
  const y = valueOf(b);
  // `(c ? 0 : 1) === 0`, a rule's choice of argument (Math.max's `indexOf`) compared with a position: `c`
  if ((token === "===" || token === "!==") && e.kind === "op" && (x !== undefined || y !== undefined)) {
    const [select, k] = x === undefined ? [a, b] : [b, a];
    if (select.kind === "op" && select.op === "?:" && [select.args[1], select.args[2]].some((branch) => valueOf(branch) !== undefined)) {
      const compared = (branch: Expr) => foldNode(op(token, branch, k));
      return foldNode(op("?:", select.args[0], compared(select.args[1]), compared(select.args[2])));
    }
  }
  if (x !== undefined && y !== undefined && compute[token]) {
    const value = compute[token](x, y);
    if (Number.isFinite(value) && (Number.isInteger(value) || String(value).length <= 12)) return numberLit(value);
  }
  if (["===", "!==", "<", "<=", ">", ">="].includes(token) && x !== undefined && y !== undefined) {
    const holds = { "===": x === y, "!==": x !== y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y }[token as "==="];
    return lit(String(holds));
  }
  switch (token) {
    case "*":
      if (x === 1) return b;
      if (y === 1) return a;
      if (x === -1) return op("-", b);
      if (y === -1) return op("-", a);
      if ((x === 0 && y !== undefined) || (y === 0 && x !== undefined)) return lit("0");
      break;
    case "/":
      if (y === 1) return a;
      break;
    case "+":
      if (x === 0) return b;
      if (y === 0) return a;
      if (isNegation(b)) return rebuild(withToken(e, "-"), [a, negated(b)]);
      break;
    case "-":
      if (y === 0) return a;
      if (x === 0) return op("-", b);
      if (isNegation(b)) return rebuild(withToken(e, "+"), [a, negated(b)]);
      break;
    case "**":
      if (y === 1) return a;
      break;
  }
  return e;
}

const booleanOf = (e: Expr): boolean | undefined => (e.kind === "lit" && (e.text === "true" || e.text === "false") ? e.text === "true" : undefined);

/** `!c`, a comparison turned round where it is one. */
function not(c: Expr): Expr {
  const turned: Record<string, string> = { "===": "!==", "!==": "===" };
  return c.kind === "op" && turned[c.op] ? { ...c, op: turned[c.op] } : op("!", c);
}

/** A select on a known condition, or with boolean branches (from a comparison pushed into them), as `c`, `!c && b`, …. */
function foldSelect(e: Expr, c: Expr, then: Expr, otherwise: Expr): Expr {
  const condition = booleanOf(c);
  if (condition !== undefined) return condition ? then : otherwise;
  const [yes, no] = [booleanOf(then), booleanOf(otherwise)];
  // the condition is a comparison of atoms here, nothing lost when it is not evaluated
  const pure = c.kind === "op" && c.args.every((arg) => arg.kind === "var" || arg.kind === "lit");
  if (yes !== undefined && yes === no && pure) return then;
  if (yes === true && no === false) return c;
  if (yes === false && no === true) return not(c);
  if (yes === false) return op("&&", not(c), otherwise);
  if (no === false) return op("&&", c, then);
  return e;
}

/** Whether an expression is `-x` (or a product or quotient led by one). */
export function isNegation(e: Expr): boolean {
  const o = operatorOf(e);
  if (!o) return false;
  if (o.token === "-" && o.args.length === 1) return true;
  if ((o.token === "*" || o.token === "/") && o.args.length === 2) return isNegation(o.args[0]);
  return false;
}

/** `x` for `-x`; `a * b` for `-a * b`. */
export function negated(e: Expr): Expr {
  const o = operatorOf(e)!;
  if (o.token === "-" && o.args.length === 1) return o.args[0];
  return rebuild(e, [negated(o.args[0]), o.args[1]]);
}

function withToken(e: Expr, token: string): Expr {
  if (e.kind === "op") return { ...e, op: token };
  if (e.kind === "call" && e.callee.kind === "rule") return { ...e, callee: { ...e.callee, text: token, rule: token === "+" ? "add" : token === "-" ? "sub" : e.callee.rule } };
  return e;
}

export function fold(e: Expr): Expr {
  return mapDeep(e, foldNode);
}
