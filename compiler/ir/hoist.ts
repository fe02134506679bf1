/**
 * Hoist: loop-invariant code motion.
 *
 * Input: an IrFunction in A-normal form. Output: the same function with every temporary
 * that a loop computes the same way in each iteration (a movable value — arithmetic, a rule
 * call, a read of an array the loop does not write — from operands the loop does not
 * assign) moved to just before that loop, inner loops first, so it can travel out through
 * several levels. Why: besides the primal work saved, a value set outside a loop costs
 * nothing per iteration in the reverse sweep, and values computed from it can be redone
 * there rather than saved. Invariant: only single-assignment temporaries move, only from
 * the top level of a loop's body (or test), and only movable values (purity.ts), so every
 * path computes exactly what it did before and no effect moves. A loop's body may run zero
 * times, and a read moved out of it may then index past the end: so of the number elements
 * only those of a typed array that surely exists (a parameter, or a local only ever given
 * new arrays) leave a body (its shadow ignores the adjoint's write there, where a
 * `number[]` shadow would grow by a NaN, and a row read past the end is undefined); a row
 * read (a reference) may.
 */
import { aliasGroups } from "./aliases";
import { type Expr, type IrFunction, type Stmt } from "./ir";
import { assignmentCounts, childLists, children, exprReads, removeAt, walk, writtenObject } from "./traverse";
import { isMovable, memoryReads, type FunctionPurity } from "./purity";

type LoopStmt = Extract<Stmt, { kind: "loop" | "for" }>;

export function hoistInvariants(fn: IrFunction, functions: FunctionPurity): IrFunction {
  const assignments = assignmentCounts(fn.body);
  const aliases = aliasGroups(fn);
  const isReference = (name: string) => fn.vars.get(name)?.type !== "number";
  const ownArrays = new Set(fn.params.map((p) => p.name));
  const given = new Map<string, boolean>();
  for (const s of walk(fn.body)) {
    if (s.kind === "assign") given.set(s.target, (given.get(s.target) ?? true) && (s.value.kind === "alloc" || s.value.kind === "clone"));
  }
  for (const [name, fresh] of given) if (fresh && fn.vars.get(name)?.role === "local") ownArrays.add(name);
  const movable = (s: Stmt): s is Extract<Stmt, { kind: "assign" }> =>
    s.kind === "assign" && fn.vars.get(s.target)?.role === "temp" && assignments.get(s.target) === 1 && isMovable(s.value, functions) && s.value.kind !== "var" && s.value.kind !== "lit";

  const hoistFrom = (loop: LoopStmt): Stmt[] => {
    const moved: Stmt[] = [];
    const assigned = new Set<string>();
    const stored = new Set<string>();
    for (const s of walk([loop])) {
      if (s.kind === "assign") assigned.add(s.target);
      if (s.kind === "for") assigned.add(s.index);
      const object = writtenObject(s);
      if (object) for (const name of aliases(object)) stored.add(name);
      if (s.kind === "effect" || (s.kind === "assign" && !isMovable(s.value, functions))) stored.add("*");
    }
    const lists = loop.kind === "loop" ? [loop.test, loop.body] : [loop.body];
    for (let changed = true; changed; ) {
      changed = false;
      for (const list of lists) {
        const left = new Set<number>();
        for (let i = 0; i < list.length; i++) {
          const s = list[i];
          if (!movable(s) || (list === loop.body && fn.vars.get(s.target)?.type === "number" && readsUntypedElement(s.value, fn, ownArrays))) continue;
          const arrays = memoryReads(s.value, isReference);
          if (arrays.some((name) => stored.has(name) || assigned.has(name) || stored.has("*"))) continue;
          const value = s.value;
          if (exprReads(value).some((n) => assigned.has(n) && n !== s.target)) continue;
          left.add(i);
          moved.push(s);
          assigned.delete(s.target);
          changed = true;
        }
        removeAt(list, left);
      }
    }
    return moved;
  };

  /** Hoists out of the loops in `list`, rebuilding it once (an insertion per loop would be quadratic). */
  const visit = (list: Stmt[]): void => {
    const out: Stmt[] = [];
    for (const s of list) {
      childLists(s).forEach(visit);
      if (s.kind === "loop" || s.kind === "for") out.push(...hoistFrom(s));
      out.push(s);
    }
    out.forEach((s, k) => (list[k] = s));
  };
  visit(fn.body);
  return fn;
}

/** Whether `e` reads an element of anything but a typed array among `ownArrays`. */
function readsUntypedElement(e: Expr, fn: IrFunction, ownArrays: Set<string>): boolean {
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "get" && node.key.kind === "index") {
      const array = node.object.kind === "var" && ownArrays.has(node.object.name) ? fn.vars.get(node.object.name) : undefined;
      if (array?.shape.kind !== "array" || array.shape.ctor === "Array") return true;
    }
    stack.push(...children(node));
  }
  return false;
}
