/**
 * A-normal form, restored: generated code (a tangent function, built from rule templates)
 * written back into the form lowering produces, so the analyses and the derivative passes
 * can take it as their input (reverse mode over tangent code is how `hvp` is built).
 *
 * Input: statements whose expressions may nest. Output: the same computation where every
 * assignment does one operation on atoms, and every other statement evaluates atoms (or,
 * for a condition, one operation on atoms). A select `c ? a : b` becomes an `if` that
 * evaluates only the arm it takes, and `a ?? b` likewise, so no arm is computed (nor
 * differentiated) where the value does not use it; `x += e` becomes `t = x + e; x = t`, since
 * no assignment reads its own target. Control flow and order are kept.
 */
import { isAtom, lit, op, v, type Expr, type Shape, type Stmt, type VarType } from "./ir";
import { childLists, children, exprReads, mapChildren } from "./traverse";

export interface ValueType {
  type: VarType;
  typeText: string;
  shape: Shape;
}

export interface Normalizer {
  /** a fresh temporary of the type */
  temp(type: ValueType): string;
  /** the type of an expression's value */
  typeOf(e: Expr): ValueType;
  /** one operation on atoms as lowering writes it (arithmetic with a rule as a call of the rule) */
  operation(e: Expr): Expr;
}

export function normalize(body: readonly Stmt[], nz: Normalizer): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) normalizeStmt(s, nz, out);
  return out;
}

function normalizeStmt(s: Stmt, nz: Normalizer, out: Stmt[]): void {
  const origin = s.origin;
  const atom = (e: Expr) => toAtom(e, nz, out, origin);
  const operation = (e: Expr) => toOperation(e, nz, out, origin);
  switch (s.kind) {
    case "assign": {
      if (s.accumulate) {
        // `x += e` is `x = x + e` to the analyses, as lowering writes it
        const { accumulate, ...plain } = s;
        normalizeStmt({ ...plain, value: op(accumulate, v(s.target), s.value) }, nz, out);
        return;
      }
      if (isConditional(s.value)) {
        out.push(...branchesInto(s.target, s.value, nz, origin));
        return;
      }
      const value = operation(s.value);
      if (!exprReads(value).includes(s.target)) {
        out.push({ ...s, value });
        return;
      }
      // no assignment reads its own target (`x = x + e` is `t = x + e; x = t`), as lowering writes it
      const temp = nz.temp(nz.typeOf(v(s.target)));
      out.push({ ...s, target: temp, value }, { ...s, value: v(temp) });
      return;
    }
    case "store":
      out.push({ ...s, key: s.key.kind === "index" ? { kind: "index", index: atom(s.key.index) } : s.key, value: atom(s.value) });
      return;
    case "push":
    case "effect":
    case "return":
    case "save":
      out.push({ ...s, value: s.kind === "effect" ? operation(s.value) : atom(s.value) });
      return;
    case "fill":
      out.push({ ...s, value: atom(s.value), ...(s.start ? { start: atom(s.start) } : {}), ...(s.end ? { end: atom(s.end) } : {}) });
      return;
    case "set":
      out.push({ ...s, source: atom(s.source), ...(s.offset ? { offset: atom(s.offset) } : {}) });
      return;
    case "if":
      out.push({ ...s, cond: operation(s.cond), then: normalize(s.then, nz), else: normalize(s.else, nz) });
      return;
    case "loop": {
      // the condition is evaluated inside the loop: its parts go at the end of `test`
      const test = normalize(s.test, nz);
      const cond = toOperation(s.cond, nz, test, origin);
      out.push({ ...s, test, cond, body: normalize(s.body, nz) });
      return;
    }
    case "for":
      out.push({ ...s, start: atom(s.start), end: atom(s.end), body: normalize(s.body, nz) });
      return;
    default:
      if (childLists(s).length) throw new Error(`normalize: unexpected ${s.kind}`);
      out.push(s);
  }
}

const isConditional = (e: Expr): e is Extract<Expr, { kind: "op" }> => e.kind === "op" && (e.op === "?:" || e.op === "??");

/** `target = c ? a : b` as an `if`; `target = a ?? b` as `a !== undefined ? a! : b`. */
function branchesInto(target: string, e: Extract<Expr, { kind: "op" }>, nz: Normalizer, origin: number): Stmt[] {
  const before: Stmt[] = [];
  const [cond, whenTrue, whenFalse] =
    e.op === "??" ? [op("!==", e.args[0], lit("undefined")), op("nonnull", e.args[0]), e.args[1]] : [e.args[0], e.args[1], e.args[2]];
  const test = toOperation(cond, nz, before, origin);
  const arm = (value: Expr): Stmt[] => normalize([{ kind: "assign", target, value, origin }], nz);
  return [...before, { kind: "if", cond: test, then: arm(whenTrue), else: arm(whenFalse), origin }];
}

/** `e` as one operation on atoms, its parts computed into temporaries first. */
function toOperation(e: Expr, nz: Normalizer, out: Stmt[], origin: number): Expr {
  if (isAtom(e)) return e;
  if (isConditional(e)) return toAtom(e, nz, out, origin);
  return nz.operation(mapChildren(e, (child) => toAtom(child, nz, out, origin)));
}

/** `e` as an atom: itself, or a temporary assigned its value. */
function toAtom(e: Expr, nz: Normalizer, out: Stmt[], origin: number): Expr {
  if (isAtom(e) || (e.kind === "op" && e.op === "nonnull" && children(e).every(isAtom))) return e;
  const temp = nz.temp(nz.typeOf(e));
  normalizeStmt({ kind: "assign", target: temp, value: e, origin }, nz, out);
  return v(temp);
}
