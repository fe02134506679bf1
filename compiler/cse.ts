/**
 * Common subexpressions: one temporary for a value computed twice in the same block.
 *
 * Input: an IrFunction. Output: the same function where a temporary whose value repeats
 * one computed earlier in the same statement list (same operator or array read on the same
 * operands, none of them assigned and the array not written in between) is dropped and its
 * uses read the earlier one. `q[i] * q[i]` then reads `q[i]` once, in the primal and in the
 * reverse sweep. Invariant: only pure values of single-assignment temporaries are merged.
 */
import { assignmentCounts, childLists, mapAtoms, walk, valueReads, type Atom, type IrFunction, type Stmt, type Value } from "./ir";

export function mergeCommonValues(fn: IrFunction): IrFunction {
  const assignments = assignmentCounts(fn.body);
  /** a dropped temporary → the earlier one with the same value (never itself dropped) */
  const renames = new Map<string, string>();
  const name = (n: string) => renames.get(n) ?? n;
  const atom = (a: Atom): Atom => (a.kind === "var" ? { kind: "var", name: name(a.name) } : a);
  const renamed = (value: Value): Value => {
    const mapped = mapAtoms(value, atom);
    return "object" in mapped ? { ...mapped, object: name(mapped.object) } : mapped;
  };

  const visit = (list: Stmt[]) => {
    const seen = new Map<string, { name: string; reads: string[] }>();
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      childLists(s).forEach(visit);
      // anything this statement writes ends the values that read it
      const written = new Set<string>();
      for (const x of walk([s])) {
        if (x.kind === "assign") written.add(x.target);
        if (x.kind === "store" || x.kind === "push") written.add(x.object);
      }
      if (s.kind === "assign" && fn.vars.get(s.target)?.role === "temp" && assignments.get(s.target) === 1) {
        const key = pureKey(renamed(s.value));
        const earlier = key && seen.get(key);
        if (earlier) {
          renames.set(s.target, earlier.name);
          list.splice(i--, 1);
          continue;
        }
        if (key) seen.set(key, { name: s.target, reads: valueReads(s.value) });
      }
      // a write to a name (or any array, which may be an alias) forgets what read it
      for (const [key, entry] of seen) {
        if (entry.reads.some((n) => written.has(n)) || (key.startsWith("get") && [...written].some((n) => fn.vars.get(n)?.type === "reference"))) {
          seen.delete(key);
        }
      }
    }
  };
  visit(fn.body);
  if (renames.size === 0) return fn;
  const fix = (list: Stmt[]) => {
    list.forEach((s, i) => {
      if (s.kind === "assign") list[i] = { ...s, value: renamed(s.value) };
      else if (s.kind === "store") list[i] = { ...s, object: name(s.object), value: atom(s.value), key: s.key.kind === "index" ? { kind: "index", index: atom(s.key.index) } : s.key };
      else if (s.kind === "push") list[i] = { ...s, object: name(s.object), value: atom(s.value) };
      else if (s.kind === "return") list[i] = { ...s, value: atom(s.value) };
      else list[i] = { ...s, cond: atom(s.cond) };
      childLists(s).forEach(fix);
    });
  };
  fix(fn.body);
  for (const merged of renames.keys()) fn.vars.delete(merged);
  return fn;
}

/** A key for a value that may be shared, or undefined if it must not be (calls, copies, allocations). */
function pureKey(value: Value): string | undefined {
  const args = (atoms: Atom[]) => atoms.map((a) => (a.kind === "var" ? `$${a.name}` : a.text)).join(",");
  switch (value.kind) {
    case "op":
      if (/^[A-Za-z_$]/.test(value.op) && !value.op.startsWith("Math.")) return undefined;
      return `op ${value.op}(${args(value.args)})`;
    case "get":
      return `get ${value.object}${value.key.kind === "index" ? `[${args([value.key.index])}]` : `.${value.key.name}`}`;
    case "length":
      return `length ${value.object}`;
    default:
      return undefined;
  }
}
