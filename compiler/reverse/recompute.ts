/**
 * What is cheaper to keep than a saved value, in the reverse sweep of a loop:
 * - values the same in every iteration (`invariant`): never saved;
 * - counter steps (`steps`): `i = i + 1` is undone by `i--`, exact for integers, so the
 *   counter costs nothing per iteration;
 * - cheap values (`recompute`): arithmetic, and reads of arrays the loop nest does not
 *   write, computed again just before the reverse code that reads them, from operands that
 *   cost nothing to keep.
 * Input: the IR, its structure and which statements' reverse code reads each variable.
 */
import { isCallOp } from "../analyse";
import { valueReads, walk, type Atom, type IrFunction, type Stmt } from "../ir";
import type { Assign, Structure } from "./structure";

export interface Cheaper {
  invariant(s: Assign): boolean;
  /** counter steps undone in reverse: the inverse step, signed (`- 1`) */
  steps: Map<Stmt, string>;
  /** per reverse reader, the values to compute again just before it */
  recompute: Map<Stmt, Assign[]>;
  /** the statements whose value is computed again rather than saved */
  recomputed: Set<Stmt>;
}

export function cheaperThanSaving(fn: IrFunction, structure: Structure, readers: Map<string, Stmt[]>): Cheaper {
  const { all, lists, inLoop, outermost, innermost, within, assignments, definitions } = structure;
  // A variable assigned once in a loop from values the loop never changes holds the same
  // value in every iteration: nothing to save.
  const assignedIn = new Map<Stmt, Set<string>>();
  const invariant = (s: Assign) => {
    const loop = outermost.get(s);
    if (!loop || assignments.get(s.target) !== 1 || fn.vars.get(s.target)?.role === "param") return false;
    let names = assignedIn.get(loop);
    if (!names) {
      names = new Set<string>();
      for (const x of walk([loop])) if (x.kind === "assign") names.add(x.target);
      assignedIn.set(loop, names);
    }
    if (s.value.kind === "call" || (s.value.kind === "op" && isCallOp(s.value.op) && !s.value.rule)) return false;
    if (s.value.kind === "get" || s.value.kind === "alloc" || s.value.kind === "literal") return false;
    return valueReads(s.value).every((n) => !names.has(n));
  };

  // Integer-valued variables (counters, indices): an integer literal, a length, or sums of
  // them. For these `i = i + c` is undone exactly by `i = i - c`, so nothing is saved.
  // Greatest fixed point: assume every candidate integral, drop those that are not. A
  // variable used as an array index is taken as integral (a fractional index reads nothing).
  const indices = new Set<string>();
  for (const s of all) {
    const key = s.kind === "store" ? s.key : s.kind === "assign" && s.value.kind === "get" ? s.value.key : undefined;
    if (key?.kind === "index" && key.index.kind === "var") indices.add(key.index.name);
  }
  const integers = new Set(
    [...definitions.keys()].filter((n) => fn.vars.get(n)?.role !== "param" && fn.vars.get(n)?.type !== "reference"),
  );
  const isIntegerAtom = (a: Atom) => (a.kind === "lit" ? /^-?\d+$/.test(a.text) : integers.has(a.name));
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of integers) {
      if (indices.has(name)) continue;
      const integral = definitions.get(name)!.every(({ value }) =>
        value.kind === "length" ||
        (value.kind === "copy" && isIntegerAtom(value.arg)) ||
        (value.kind === "op" && ["+", "-", "*"].includes(value.op) && value.args.length === 2 && value.args.every(isIntegerAtom)),
      );
      if (!integral) {
        integers.delete(name);
        changed = true;
      }
    }
  }
  const steps = new Map<Stmt, string>();
  for (const s of all) {
    if (s.kind !== "assign" || s.value.kind !== "copy" || s.value.arg.kind !== "var" || !integers.has(s.target)) continue;
    const [def] = definitions.get(s.value.arg.name) ?? [];
    const step = def?.value;
    if (definitions.get(s.value.arg.name)?.length !== 1 || step?.kind !== "op" || (step.op !== "+" && step.op !== "-")) continue;
    const [from, by] = step.args;
    if (from.kind === "var" && from.name === s.target && by.kind === "lit" && /^\d+$/.test(by.text) && lists.get(def) === lists.get(s)) {
      steps.set(s, step.op === "+" ? `- ${by.text}` : `+ ${by.text}`);
    }
  }

  // The stores into each array, through any of its names.
  const storesInto = new Map<string, Set<Stmt>>();
  const storesOf = (name: string) => storesInto.get(name) ?? storesInto.set(name, new Set()).get(name)!;
  for (const s of all) if (s.kind === "store" || s.kind === "push") storesOf(s.object).add(s);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of all) {
      if (s.kind !== "assign" || fn.vars.get(s.target)?.type !== "reference") continue;
      const source = s.value.kind === "get" ? s.value.object : s.value.kind === "copy" && s.value.arg.kind === "var" ? s.value.arg.name : undefined;
      if (!source) continue;
      for (const [a, b] of [[s.target, source], [source, s.target]]) {
        for (const st of storesOf(a)) {
          if (!storesOf(b).has(st)) {
            storesOf(b).add(st);
            changed = true;
          }
        }
      }
    }
  }

  // A value read in reverse only later in the same list, with its operands unchanged in
  // between, is computed again there instead of being saved.
  const recompute = new Map<Stmt, Assign[]>();
  const recomputed = new Set<Stmt>();
  // Cheap to redo: an arithmetic operator, or a read of an array that no store inside this
  // loop nest changes (stores elsewhere are then saved, so the read sees the same value).
  // An operand is free in the reverse sweep of a loop when keeping it costs nothing per
  // iteration: set outside that loop, the same every iteration, or a counter undone by its
  // step. Redoing a value from anything else would trade one saved value for the saves of
  // its operands.
  const free = (name: string, at: Assign): boolean =>
    (definitions.get(name) ?? []).every((d) => steps.has(d) || !within(d, innermost.get(at)!) || invariant(d));
  const redoneDef = (name: string) => [...recomputed].find((d) => (d as Assign).target === name) as Assign | undefined;
  const redoable = (s: Assign): boolean => {
    // its operands must be there at the reader: free, or redone there first
    const operands = valueReads(s.value).filter((n) => !redoneDef(n));
    if (s.value.kind === "op" && !operands.every((n) => free(n, s))) return false;
    if (s.value.kind === "get" && s.value.key.kind === "index" && s.value.key.index.kind === "var" && operands.includes(s.value.key.index.name) && !free(s.value.key.index.name, s)) return false;
    if (s.value.kind === "op") return !isCallOp(s.value.op);
    if (s.value.kind !== "get") return false;
    const loop = outermost.get(s);
    return [...(storesInto.get(s.value.object) ?? [])].every((st) => outermost.get(st) !== loop);
  };
  /** `s` and the redone values it is computed from, in program order, to redo before `reader`. */
  const chain = (s: Assign, reader: Stmt): Assign[] | undefined => {
    const list = lists.get(s)!;
    const operands = valueReads(s.value);
    const unchanged = list.slice(list.indexOf(s) + 1, list.indexOf(reader)).every((between) =>
      [...walk([between])].every((x) => x.kind !== "assign" || !operands.includes(x.target)),
    );
    if (!unchanged || lists.get(reader) !== list || list.indexOf(reader) <= list.indexOf(s)) return undefined;
    const before: Assign[] = [];
    for (const n of operands) {
      const def = redoneDef(n);
      if (!def) continue;
      const sub = chain(def, reader);
      if (!sub) return undefined;
      before.push(...sub.filter((d) => !before.includes(d)));
    }
    return [...before, s];
  };
  for (const s of all) {
    if (s.kind !== "assign" || !inLoop.has(s) || !redoable(s)) continue;
    if (definitions.get(s.target)?.length !== 1 || fn.vars.get(s.target)?.type === "reference") continue;
    const users = readers.get(s.target) ?? [];
    if (users.length === 0) continue;
    const list = lists.get(s)!;
    const last = users.reduce((a, b) => (list.indexOf(a) > list.indexOf(b) ? a : b));
    const chains = users.map((r) => chain(s, r));
    if (chains.some((c) => !c)) continue;
    const redo = recompute.get(last) ?? [];
    for (const d of chain(s, last)!) if (!redo.includes(d)) redo.push(d);
    recompute.set(last, redo);
    recomputed.add(s);
  }
  return { invariant, steps, recompute, recomputed };
}
