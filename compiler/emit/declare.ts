/**
 * Declarations: where each variable of a generated function is declared.
 *
 * Input: a generated function. Output: for each variable, either the assignment that
 * declares it (`const x = …` when it is assigned once, `let x = …` otherwise) — its first
 * assignment, when that sits directly in the innermost block holding every use and comes
 * before them all — or a declaration at the start of that block (`let x = 0;`,
 * `let r!: Float64Array;`), for a variable first assigned inside a branch or loop and read
 * outside it. Parameters and loop indices declare themselves.
 */
import { type OutFunction, type Stmt } from "../ir/ir";
import { stmtExprs, exprReads, walk, writtenObject } from "../ir/traverse";

/** The value a variable declared at the start of a block gets, for the types that have one (`let x = 0;`). */
export const initialValue = (typeText: string | undefined): string | undefined => (typeText === "number" ? "0" : typeText === "boolean" ? "false" : undefined);

export interface Declarations {
  /** assignments that declare their target, and with which keyword */
  at: Map<Stmt, "const" | "let">;
  /** per block, the variables declared at its start */
  hoisted: Map<readonly Stmt[], string[]>;
}

interface Occurrence {
  path: readonly Stmt[][];
  order: number;
  stmt: Stmt;
  assigns: boolean;
}

export function declarations(fn: OutFunction): Declarations {
  const skip = new Set(fn.params.map((p) => p.name));
  skip.add("this");
  const occurrences = new Map<string, Occurrence[]>();
  const indices = new Set<string>();
  let order = 0;
  const note = (name: string, path: readonly Stmt[][], stmt: Stmt, assigns: boolean) => {
    if (skip.has(name)) return;
    const list = occurrences.get(name) ?? [];
    list.push({ path, order: order++, stmt, assigns });
    occurrences.set(name, list);
  };
  const visit = (list: Stmt[], path: Stmt[][]) => {
    const here = [...path, list];
    for (const s of list) {
      // a loop's condition and a for's bounds belong to the enclosing block
      const own = s.kind === "loop" && s.test.length > 0 ? [] : stmtExprs(s);
      for (const e of own) for (const n of exprReads(e)) note(n, here, s, false);
      const object = writtenObject(s);
      if (object) note(object, here, s, false);
      if (s.kind === "assign") note(s.target, here, s, !s.accumulate);
      if (s.kind === "for") {
        indices.add(s.index);
        visit(s.body, here);
      } else if (s.kind === "if") {
        visit(s.then, here);
        visit(s.else, here);
      } else if (s.kind === "loop") {
        const inner = [...s.test, ...(s.test.length > 0 ? [{ kind: "if", cond: s.cond, then: [], else: [], origin: s.origin } as Stmt] : []), ...s.body];
        visit(inner, here);
        // the statements of the joined block are the loop's own lists: map them back
        remap.set(inner, s.test.length > 0 ? s.test : s.body);
      }
    }
  };
  const remap = new Map<readonly Stmt[], readonly Stmt[]>();
  visit(fn.body, []);

  // each block's statements as a set, made once, so asking whether one is in it costs no scan of the block
  const members = new Map<readonly Stmt[], Set<Stmt>>();
  const statementsOf = (block: readonly Stmt[]) => members.get(block) ?? members.set(block, new Set(block)).get(block)!;
  const at = new Map<Stmt, "const" | "let">();
  const hoisted = new Map<readonly Stmt[], string[]>();
  const assignments = new Map<string, number>();
  for (const s of walk(fn.body)) if (s.kind === "assign") assignments.set(s.target, (assignments.get(s.target) ?? 0) + 1);
  for (const [name, list] of occurrences) {
    if (indices.has(name) && !list.some((o) => o.stmt.kind === "assign" && o.stmt.target === name)) continue;
    // the innermost block containing every occurrence
    let depth = Math.min(...list.map((o) => o.path.length));
    while (depth > 1 && !list.every((o) => o.path[depth - 1] === list[0].path[depth - 1])) depth--;
    const block = list[0].path[depth - 1];
    const first = list.reduce((a, b) => (a.order < b.order ? a : b));
    const direct = first.path.length === depth && first.assigns && statementsOf(block).has(first.stmt) && !list.some((o) => o !== first && o.stmt === first.stmt && !o.assigns);
    if (direct) {
      at.set(first.stmt, assignments.get(name) === 1 ? "const" : "let");
    } else {
      const target = remap.get(block) ?? block;
      if (!hoisted.has(target)) hoisted.set(target, []);
      hoisted.get(target)!.push(name);
    }
  }
  return { at, hoisted };
}
