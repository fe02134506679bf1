/**
 * Hoist: loop-invariant code motion on the IR.
 *
 * Input: an IrFunction. Output: the same function with every temporary that a loop
 * computes the same way in each iteration (arithmetic, a `Math` call, or a read of an array
 * the loop does not write, from operands the loop does not assign) moved to just before
 * that loop, inner loops first, so it can travel out through several levels.
 * Why: besides the primal work saved, a value set outside a loop costs nothing per
 * iteration in the reverse sweep, and values computed from it can be redone there rather
 * than saved. Invariant: only single-assignment temporaries move, and only from the top
 * level of a loop's test or body, so every path computes exactly what it did before.
 */
import { assignmentCounts, childLists, walk, valueReads, type IrFunction, type Stmt } from "./ir";

type Loop = Extract<Stmt, { kind: "loop" }>;

export function hoistInvariants(fn: IrFunction): IrFunction {
  const assignments = assignmentCounts(fn.body);
  const aliases = aliasGroups(fn);
  const movable = (s: Stmt): s is Extract<Stmt, { kind: "assign" }> => {
    if (s.kind !== "assign" || fn.vars.get(s.target)?.role !== "temp" || assignments.get(s.target) !== 1) return false;
    const value = s.value;
    if (value.kind === "op") return !/^[A-Za-z_$]/.test(value.op) || (value.op.startsWith("Math.") && value.rule !== undefined);
    return value.kind === "get" || value.kind === "length";
  };

  const hoistFrom = (loop: Loop): Stmt[] => {
    const moved: Stmt[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      const assigned = new Set<string>();
      const stored = new Set<string>();
      for (const s of walk([loop])) {
        if (s.kind === "assign") assigned.add(s.target);
        if (s.kind === "store" || s.kind === "push") for (const name of aliases(s.object)) stored.add(name);
      }
      for (const list of [loop.test, loop.body]) {
        for (let i = 0; i < list.length; i++) {
          const s = list[i];
          if (!movable(s)) continue;
          const object = s.value.kind === "get" || s.value.kind === "length" ? s.value.object : undefined;
          if (object && (stored.has(object) || assigned.has(object))) continue;
          if (valueReads(s.value).some((n) => assigned.has(n) && n !== s.target)) continue;
          list.splice(i--, 1);
          moved.push(s);
          assigned.delete(s.target);
          changed = true;
        }
      }
    }
    return moved;
  };

  const visit = (list: Stmt[]): void => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      childLists(s).forEach(visit);
      if (s.kind === "loop") {
        const moved = hoistFrom(s);
        list.splice(i, 0, ...moved);
        i += moved.length;
      }
    }
  };
  visit(fn.body);
  return fn;
}

/** The names that may refer to the same array as a given one (`row = m[i]`, `b = a`). */
function aliasGroups(fn: IrFunction): (name: string) => Set<string> {
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    for (const [x, y] of [[a, b], [b, a]]) {
      if (!links.has(x)) links.set(x, new Set());
      links.get(x)!.add(y);
    }
  };
  for (const s of walk(fn.body)) {
    if (s.kind !== "assign" || fn.vars.get(s.target)?.type !== "reference") continue;
    if (s.value.kind === "get") link(s.target, s.value.object);
    if (s.value.kind === "copy" && s.value.arg.kind === "var") link(s.target, s.value.arg.name);
  }
  return (name) => {
    const group = new Set([name]);
    for (const member of group) for (const next of links.get(member) ?? []) group.add(next);
    return group;
  };
}
