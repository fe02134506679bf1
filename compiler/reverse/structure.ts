/**
 * Where each IR statement sits: its statement list, the loops around it, what assigns
 * each variable. Plain facts the reverse-sweep planning asks about again and again.
 */
import { assignmentCounts, walk, type IrFunction, type Stmt } from "../ir";

export type Loop = Extract<Stmt, { kind: "loop" }>;
export type Assign = Extract<Stmt, { kind: "assign" }>;

export interface Structure {
  /** every statement, nested ones included, in program order */
  all: Stmt[];
  /** the statement list each statement is in */
  lists: Map<Stmt, readonly Stmt[]>;
  inLoop: Set<Stmt>;
  /** the outermost and the innermost loop around each statement in one */
  outermost: Map<Stmt, Loop>;
  innermost: Map<Stmt, Loop>;
  /** statements directly in the function body (not in a branch or loop) */
  topLevel: Set<Stmt>;
  within(s: Stmt, loop: Stmt): boolean;
  assignments: Map<string, number>;
  /** the assignments of each variable */
  definitions: Map<string, Assign[]>;
}

export function structureOf(fn: IrFunction): Structure {
  const inLoop = new Set<Stmt>();
  const lists = new Map<Stmt, readonly Stmt[]>();
  const outermost = new Map<Stmt, Loop>();
  const innermost = new Map<Stmt, Loop>();
  const index = (body: readonly Stmt[], outer: Loop | undefined, inner: Loop | undefined) => {
    for (const s of body) {
      lists.set(s, body);
      if (outer && inner) {
        inLoop.add(s);
        outermost.set(s, outer);
        innermost.set(s, inner);
      }
      if (s.kind === "if") {
        index(s.then, outer, inner);
        index(s.else, outer, inner);
      } else if (s.kind === "loop") {
        index(s.test, outer ?? s, s);
        index(s.body, outer ?? s, s);
      }
    }
  };
  index(fn.body, undefined, undefined);
  const members = new Map<Stmt, Set<Stmt>>();
  const within = (s: Stmt, loop: Stmt) => {
    if (!members.has(loop)) members.set(loop, new Set(walk([loop])));
    return members.get(loop)!.has(s);
  };
  const topLevel = new Set(fn.body);
  const all = [...walk(fn.body)];
  const assignments = assignmentCounts(fn.body);
  const definitions = new Map<string, Assign[]>();
  for (const s of all) if (s.kind === "assign") definitions.set(s.target, [...(definitions.get(s.target) ?? []), s]);
  return { all, lists, inLoop, outermost, innermost, topLevel, within, assignments, definitions };
}
