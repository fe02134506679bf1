/**
 * Common subexpressions: one temporary for a value computed twice in the same block.
 *
 * Input: an IrFunction in A-normal form. Output: the same function where a temporary whose
 * value repeats one computed earlier in the same statement list (the same operator, rule
 * call or array read on the same operands, none of them assigned and no array written in
 * between that it may read) is dropped and its uses read the earlier one. `q[i] * q[i]` then reads
 * `q[i]` once, in the primal and in the reverse sweep. Invariant: only movable values (purity.ts)
 * of single-assignment temporaries are merged; calls with effects, allocations and copies
 * never are. A write ends the reads of what may share its storage (aliases.ts): an array the
 * function allocated itself, never copied to or from another, is apart from every other; any
 * other array may be any other (two arguments may be one array).
 */
import { aliasGroups } from "./aliases";
import { type Expr, type IrFunction, type Stmt } from "./ir";
import { assignmentCounts, childLists, removeAt, renameStmt, stmtReads, walk, writtenObject } from "./traverse";
import { isMovable, memoryReads, type FunctionPurity } from "./purity";

export function mergeCommonValues(fn: IrFunction, functions: FunctionPurity): IrFunction {
  const assignments = assignmentCounts(fn.body);
  /** a dropped temporary → the earlier one with the same value (never itself dropped) */
  const renames = new Map<string, string>();
  const rename = (n: string) => renames.get(n) ?? n;
  const mayShare = sharing(fn);

  const visit = (list: Stmt[]) => {
    const seen = new Map<string, { name: string; reads: string[]; objects: string[] }>();
    // the values remembered, by the names they read, and those that read memory (with the objects they read)
    const byName = new Map<string, Set<string>>();
    const reading = new Map<string, string[]>();
    const forget = (key: string) => {
      const entry = seen.get(key);
      if (!entry) return;
      seen.delete(key);
      reading.delete(key);
      for (const n of entry.reads) byName.get(n)?.delete(key);
    };
    const merged = new Set<number>();
    for (let i = 0; i < list.length; i++) {
      const s = (list[i] = renameStmt(list[i], rename));
      childLists(s).forEach(visit);
      // anything this statement writes ends the values that read it
      const written = new Set<string>();
      const objects = new Set<string>();
      let effect = false;
      for (const x of walk([s])) {
        if (x.kind === "assign") written.add(x.target);
        if (x.kind === "for") written.add(x.index);
        const object = writtenObject(x);
        if (object) objects.add(object);
        if (x.kind === "effect" || (x.kind === "assign" && !isMovable(x.value, functions))) effect = true;
      }
      if (s.kind === "assign" && fn.vars.get(s.target)?.role === "temp" && assignments.get(s.target) === 1) {
        const key = valueKey(s.value, functions);
        const earlier = key && seen.get(key);
        if (earlier) {
          renames.set(s.target, earlier.name);
          merged.add(i);
          continue;
        }
        if (key) {
          const entry = { name: s.target, reads: stmtReads(s), objects: memoryReads(s.value, (n) => fn.vars.get(n)?.type !== "number") };
          seen.set(key, entry);
          for (const n of entry.reads) (byName.get(n) ?? byName.set(n, new Set()).get(n)!).add(key);
          if (entry.objects.length > 0) reading.set(key, entry.objects);
        }
      }
      for (const n of written) for (const key of [...(byName.get(n) ?? [])]) forget(key);
      for (const [key, read] of [...reading]) {
        if (effect || read.some((r) => [...objects].some((o) => mayShare(r, o)))) forget(key);
      }
    }
    removeAt(list, merged);
  };
  visit(fn.body);
  for (const merged of renames.keys()) fn.vars.delete(merged);
  return fn;
}

/**
 * Whether a write to one object may change what a read of another sees: when they may alias, or when neither is an
 * array the function allocated itself (an argument, or what one may hold, may be any other).
 */
function sharing(fn: IrFunction): (a: string, b: string) => boolean {
  const aliases = aliasGroups(fn);
  const fresh = new Map<string, boolean>();
  for (const s of walk(fn.body)) {
    if (s.kind === "assign") fresh.set(s.target, (fresh.get(s.target) ?? true) && s.value.kind === "alloc");
  }
  const own = (name: string) => [...aliases(name)].every((n) => fn.vars.get(n)?.role !== "param" && fresh.get(n) === true);
  return (a, b) => aliases(a).has(b) || (!own(a) && !own(b));
}

/** A key for a value that may be shared, or undefined if it must not be. */
function valueKey(value: Expr, functions: FunctionPurity): string | undefined {
  if (value.kind === "var" || value.kind === "lit" || !isMovable(value, functions)) return undefined;
  if (value.kind === "call" && value.callee.kind !== "rule") return undefined;
  return JSON.stringify(value);
}
