/**
 * Temporaries folded back into expressions, so the output reads like its source.
 *
 * Input: a generated function. Output: the same function where a temporary assigned once
 * and read once, later in the same statement list, is replaced by its expression at the
 * read (`const t3 = x * y; s += Math.sin(t3)` → `s += Math.sin(x * y)`), provided nothing in
 * between changes what the expression reads (purity.ts decides what may move: a value with
 * effects only into the very next statement, ahead of any other effect there), the result
 * stays small enough to read, and no sweep boundary lies in between. Only temporaries
 * (`t1`, `t1_bar`) fold; the user's variables keep their names.
 */
import { type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { children, exprReads, mapDeep, mapStmtExprs, removeAt, stmtExprs, stmtReads, walk, walkExpr, writtenObject } from "../ir/traverse";
import { purity, type FunctionPurity } from "../ir/purity";

/** Nodes in an expression (a proxy for how hard it is to read). */
function size(e: Expr): number {
  let n = 0;
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    n++;
    stack.push(...children(node));
  }
  return n;
}

const maxSize = 14;

export function inlineTemporaries(fn: OutFunction, functions: FunctionPurity): boolean {
  const defs = new Map<string, number>();
  const uses = new Map<string, number>();
  for (const s of walk(fn.body)) {
    if (s.kind === "assign") defs.set(s.target, (defs.get(s.target) ?? 0) + (s.accumulate ? 2 : 1));
    if (s.kind === "for") defs.set(s.index, 2);
    for (const e of stmtExprs(s)) for (const n of exprReads(e)) uses.set(n, (uses.get(n) ?? 0) + 1);
    const object = writtenObject(s);
    if (object) uses.set(object, (uses.get(object) ?? 0) + 100);
  }
  const candidate = (name: string) => fn.vars.get(name)?.role === "temp" && defs.get(name) === 1 && uses.get(name) === 1;
  let changed = false;

  const visit = (list: Stmt[]) => {
    for (let k = 0; k < list.length; k++) {
      const s = list[k];
      if (s.kind === "loop") {
        // the loop's condition reads what its test computed: fold into it as into a statement
        const holder: Stmt = { kind: "if", cond: s.cond, then: [], else: [], origin: s.origin };
        const test = [...s.test, holder];
        visit(test);
        list[k] = { ...s, test: test.slice(0, -1), cond: (test.at(-1) as typeof holder).cond };
        visit(s.body);
      } else {
        for (const child of childListsOf(s)) visit(child);
      }
    }
    // inlined definitions are taken out in one pass at the end; the scan below only looks ahead of them
    const inlined = new Set<number>();
    for (let i = 0; i < list.length; i++) {
      const def = list[i];
      if (def.kind !== "assign" || def.accumulate || !candidate(def.target)) continue;
      const value = def.value;
      const kind = purity(value, functions);
      const reads = new Set(exprReads(value));
      for (let j = i + 1; j < list.length; j++) {
        const user = list[j];
        const own = stmtExprs(user).some((e) => exprReads(e).includes(def.target));
        if (own) {
          if (user.kind === "loop") break;
          // a `for`'s end is evaluated again after every pass through its body (which keeps the
          // lengths a counted loop's bounds read: lower/counted.ts), so not past a change of a name it reads
          if (user.kind === "for" && (kind === "effect" || kind === "fresh" || user.body.some((x) => changes(x, reads, false, functions)))) break;
          // a value with effects goes only where nothing else of the statement is evaluated
          // around it: `o[k] += g()` reads o[k] before g runs, and g may change it
          if ((kind === "effect" || kind === "fresh") && (j !== i + 1 || !alone(user, def.target))) break;
          const replaced = mapStmtExprs(user, (e) => mapDeep(e, (node) => (node.kind === "var" && node.name === def.target ? value : node)));
          if (stmtExprs(replaced).some((e) => size(e) > maxSize) && kind !== "effect") break;
          if (JSON.stringify(replaced) === JSON.stringify(user)) break;
          list[j] = replaced;
          inlined.add(i);
          changed = true;
          break;
        }
        // anything in between that changes what the value reads stops it
        if (user.kind === "comment" && user.origin === -1) break;
        if ([...walk([user])].some((x) => x !== user && stmtReads(x).includes(def.target))) break;
        if (kind === "effect" || kind === "fresh") break;
        if (changes(user, reads, kind === "reads", functions)) break;
      }
    }
    removeAt(list, inlined);
  };
  visit(fn.body);
  return changed;
}

/** Operators that may leave an operand unevaluated: an effect moved into one might not run. */
const conditional = new Set(["?:", "&&", "||", "??"]);

/** Whether `name` is all a statement evaluates besides plain names and literals, and always evaluated. */
function alone(s: Stmt, name: string): boolean {
  if (s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set") return false;
  const plain = (n: Expr) => n.kind === "var" || n.kind === "lit" || (n.kind === "op" && !conditional.has(n.op)) || (n.kind === "call" && n.callee.kind === "rule");
  return stmtExprs(s).every((e) => e.kind === "var" || e.kind === "lit" || (exprReads(e).includes(name) && [...walkExpr(e)].every(plain)));
}

function childListsOf(s: Stmt): Stmt[][] {
  return s.kind === "if" ? [s.then, s.else] : s.kind === "loop" ? [s.test, s.body] : s.kind === "for" ? [s.body] : [];
}

/** Whether `s` may change a variable in `reads`, or (for a value reading memory) any memory. */
function changes(s: Stmt, reads: Set<string>, memory: boolean, functions: FunctionPurity): boolean {
  for (const x of walk([s])) {
    if (x.kind === "assign" && reads.has(x.target)) return true;
    if (x.kind === "for" && reads.has(x.index)) return true;
    if (!memory) continue;
    if (writtenObject(x) || x.kind === "effect" || x.kind === "save") return true;
    if (stmtExprs(x).some((e) => purity(e, functions) === "effect")) return true;
  }
  return false;
}
