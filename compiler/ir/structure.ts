/**
 * Where each IR statement sits: its statement list, the loops around it, what assigns each
 * variable. Plain facts the derivative passes ask about again and again, computed once.
 */
import { type IrFunction, type Stmt } from "./ir";
import { assignmentCounts, walk } from "./traverse";

export type LoopStmt = Extract<Stmt, { kind: "loop" | "for" }>;
export type Assign = Extract<Stmt, { kind: "assign" }>;

export interface Structure {
  /** every statement, nested ones included, in program order */
  all: Stmt[];
  /** the statement list each statement is in, and its position there */
  lists: Map<Stmt, readonly Stmt[]>;
  position: Map<Stmt, number>;
  inLoop: Set<Stmt>;
  /** the outermost and the innermost loop around each statement in one */
  outermost: Map<Stmt, LoopStmt>;
  innermost: Map<Stmt, LoopStmt>;
  /** statements directly in the function body (not in a branch or loop) */
  topLevel: Set<Stmt>;
  within(s: Stmt, loop: Stmt): boolean;
  assignments: Map<string, number>;
  /** the assignments of each variable */
  definitions: Map<string, Assign[]>;
  /** the indices of counted loops */
  indices: Set<string>;
}

export function structureOf(fn: IrFunction): Structure {
  const inLoop = new Set<Stmt>();
  const lists = new Map<Stmt, readonly Stmt[]>();
  const position = new Map<Stmt, number>();
  const outermost = new Map<Stmt, LoopStmt>();
  const innermost = new Map<Stmt, LoopStmt>();
  const indices = new Set<string>();
  const work: { body: readonly Stmt[]; outer?: LoopStmt; inner?: LoopStmt }[] = [{ body: fn.body }];
  while (work.length) {
    const { body, outer, inner } = work.pop()!;
    body.forEach((s, i) => {
      lists.set(s, body);
      position.set(s, i);
      if (outer && inner) {
        inLoop.add(s);
        outermost.set(s, outer);
        innermost.set(s, inner);
      }
      if (s.kind === "if") {
        work.push({ body: s.then, outer, inner }, { body: s.else, outer, inner });
      } else if (s.kind === "loop") {
        work.push({ body: s.test, outer: outer ?? s, inner: s }, { body: s.body, outer: outer ?? s, inner: s });
      } else if (s.kind === "for") {
        indices.add(s.index);
        work.push({ body: s.body, outer: outer ?? s, inner: s });
      }
    });
  }
  const members = new Map<Stmt, Set<Stmt>>();
  const within = (s: Stmt, loop: Stmt) => {
    if (!members.has(loop)) members.set(loop, new Set(walk([loop])));
    return members.get(loop)!.has(s);
  };
  const all = [...walk(fn.body)];
  const definitions = new Map<string, Assign[]>();
  for (const s of all) {
    if (s.kind !== "assign") continue;
    const list = definitions.get(s.target);
    if (list) list.push(s);
    else definitions.set(s.target, [s]);
  }
  return { all, lists, position, inLoop, outermost, innermost, topLevel: new Set(fn.body), within, assignments: assignmentCounts(fn.body), definitions, indices };
}
