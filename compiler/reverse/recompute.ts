/**
 * What is cheaper to keep than a saved value, in the reverse sweep of a loop:
 * - values the same in every iteration (`invariant`): never saved;
 * - counter steps (`steps`): `i = i + 1` is undone by `i = i - 1`, exact for integers, so a
 *   counter costs nothing per iteration (counted `for` loops need not even that);
 * - cheap values (`recompute`): arithmetic, and reads of arrays the loop nest does not
 *   write (in an iteration reversed in place, inplace.ts: that the iteration does not write
 *   after the read), computed again just before the reverse code that reads them, from operands that
 *   cost nothing to keep; a value its own adjoint reads (`a / b`, `Math.max(a, b)`) only
 *   when it is arithmetic or a min, max or abs (an `exp` costs more than a saved number);
 *   an element read of a scratch array, from what an earlier loop stored there (stored.ts).
 * Input: the primal IR, its structure and which statements' reverse code reads each variable.
 */
import { aliasGroups } from "../ir/aliases";
import { arithmetic, type Expr, type IrFunction, type Stmt } from "../ir/ir";
import { assignedNames, childLists, exprReads, stmtExprs, walk, walkExpr } from "../ir/traverse";
import { calleePurity, isMovable, memoryReads, type FunctionPurity } from "../ir/purity";
import type { Assign, LoopStmt, Structure } from "../ir/structure";
import { storedValues } from "./stored";

export { arithmetic };

export interface Cheaper {
  invariant(s: Assign): boolean;
  /** counter steps undone in reverse, with the value that undoes each (`i - 1`) */
  steps: Map<Stmt, Expr>;
  /** per reverse reader, the values to compute again just before it */
  recompute: Map<Stmt, Assign[]>;
  /** the statements whose value is computed again rather than saved */
  recomputed: Set<Stmt>;
}


/** Rules redone rather than saved when their own adjoint reads their result. */
const cheapRules = new Set(["Math.max", "Math.min", "Math.abs"]);

/** Arithmetic and the cheapest rules: cheaper to compute again than a tape's push and pop. */
const cheapToRedo = (value: Expr): boolean =>
  arithmetic(value) !== undefined || (value.kind === "call" && value.callee.kind === "rule" && !value.spread && cheapRules.has(value.callee.text));

/**
 * `isolated`: a loop whose iterations are each reversed right after they run (inplace.ts), so that within one an array's
 * element read is redone unless a store runs after it in the same iteration (stores before it, or after the loop, do not).
 */
export function cheaperThanSaving(
  fn: IrFunction,
  structure: Structure,
  readers: Map<string, Stmt[]>,
  functions: FunctionPurity,
  active: (name: string) => boolean,
  isolated?: LoopStmt,
): Cheaper {
  const { all, lists, position, inLoop, outermost, innermost, within, assignments, definitions, indices } = structure;
  const assignedIn = new Map<Stmt, Set<string>>();
  const assignedInLoop = (loop: LoopStmt) => {
    let names = assignedIn.get(loop);
    if (!names) {
      names = assignedNames([loop]);
      assignedIn.set(loop, names);
    }
    return names;
  };
  // A variable assigned once in a loop from values the loop never changes holds the same
  // value in every iteration: nothing to save.
  const invariant = (s: Assign) => {
    const loop = outermost.get(s);
    if (!loop || assignments.get(s.target) !== 1 || fn.vars.get(s.target)?.role === "param") return false;
    if (!isMovable(s.value, functions) || s.value.kind === "get" || s.value.kind === "length") return false;
    const names = assignedInLoop(loop);
    return exprReads(s.value).every((n) => !names.has(n));
  };

  // Integer-valued variables (counters, indices): an integer literal, a length, or sums of
  // them; greatest fixed point. A variable used as an array index is taken as integral (a
  // fractional index reads nothing).
  const usedAsIndex = new Set<string>();
  for (const s of all) {
    const key = s.kind === "store" ? s.key : s.kind === "assign" && s.value.kind === "get" ? s.value.key : undefined;
    if (key?.kind === "index" && key.index.kind === "var") usedAsIndex.add(key.index.name);
  }
  const integers = new Set([...definitions.keys()].filter((n) => fn.vars.get(n)?.role !== "param" && fn.vars.get(n)?.type !== "reference"));
  const isInteger = (a: Expr) => (a.kind === "lit" ? /^-?\d+$/.test(a.text) : a.kind === "var" && (integers.has(a.name) || indices.has(a.name)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of integers) {
      if (usedAsIndex.has(name)) continue;
      const integral = definitions.get(name)!.every(({ value }) => {
        if (value.kind === "length" || isInteger(value)) return true;
        const token = arithmetic(value);
        return !!token && ["+", "-", "*"].includes(token) && (value as { args: Expr[] }).args.length === 2 && (value as { args: Expr[] }).args.every(isInteger);
      });
      if (!integral) {
        integers.delete(name);
        changed = true;
      }
    }
  }
  const steps = new Map<Stmt, Expr>();
  for (const s of all) {
    if (s.kind !== "assign" || s.value.kind !== "var" || !integers.has(s.target)) continue;
    const defs = definitions.get(s.value.name) ?? [];
    const step = defs[0]?.value;
    const token = step && arithmetic(step);
    if (defs.length !== 1 || (token !== "+" && token !== "-") || step.kind === "var") continue;
    const [from, by] = (step as { args: Expr[] }).args;
    if (from.kind === "var" && from.name === s.target && by.kind === "lit" && /^\d+$/.test(by.text) && lists.get(defs[0]) === lists.get(s)) {
      const inverse = token === "+" ? "-" : "+";
      steps.set(s, { kind: "call", callee: { kind: "rule", text: inverse, rule: inverse === "+" ? "add" : "sub" }, args: [from, by] });
    }
  }

  const parent = new Map<Stmt, Stmt>();
  for (const s of all) for (const list of childLists(s)) for (const c of list) parent.set(c, s);
  const order = new Map(all.map((s, i) => [s, i]));
  // The outermost loop around a statement inside an isolated iteration (undefined: run once per iteration).
  const loopInIteration = (s: Stmt): Stmt | undefined => {
    let found: Stmt | undefined;
    for (let at = parent.get(s); at && at !== isolated; at = parent.get(at)) if (at.kind === "for" || at.kind === "loop") found = at;
    return found;
  };
  // Whether a store may change what a read saw before the read's reverse code runs: one in the same outermost loop (a
  // later iteration runs it in between); in an isolated iteration, one that runs after the read within that iteration.
  // The plan would keep what such a store overwrites (a cost as high as saving the value read): the value is saved instead.
  const storedAfter = (store: Stmt, read: Stmt): boolean => {
    if (!isolated || !within(read, isolated)) return outermost.get(store) === outermost.get(read);
    if (!within(store, isolated)) return false;
    const around = loopInIteration(read);
    return (around !== undefined && within(store, around)) || order.get(store)! > order.get(read)!;
  };

  // The stores into each array, through any of its names.
  const aliases = aliasGroups(fn);
  const storesInto = new Map<string, Stmt[]>();
  for (const s of all) {
    const object = s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set" ? s.object : s.kind === "assign" && s.value.kind === "pop" && s.value.object.kind === "var" ? s.value.object.name : undefined;
    if (!object) continue;
    for (const name of aliases(object)) storesInto.set(name, [...(storesInto.get(name) ?? []), s]);
  }

  // An array handed to a call with effects may be changed there, and such a change is not
  // undone in the reverse sweep: its elements are never read again there.
  const handedAway = new Set<string>();
  for (const s of all) {
    for (const e of stmtExprs(s)) {
      for (const node of walkExpr(e)) {
        if (node.kind !== "call" || calleePurity(node.callee, functions) !== "effect") continue;
        for (const a of node.args) if (a.kind === "var" && fn.vars.get(a.name)?.type !== "number") for (const n of aliases(a.name)) handedAway.add(n);
      }
    }
  }

  // A value read in reverse only later in the same list, with its operands unchanged in
  // between, is computed again there instead of being saved. An operand is free in the
  // reverse sweep of a loop when keeping it costs nothing per iteration: set outside that
  // loop, the same every iteration, a loop index, or a counter undone by its step.
  const recompute = new Map<Stmt, Assign[]>();
  const recomputed = new Set<Stmt>();
  const free = (name: string, at: Assign): boolean =>
    indices.has(name) || (definitions.get(name) ?? []).every((d) => steps.has(d) || !within(d, innermost.get(at)!) || invariant(d));
  const redone = new Map<string, Assign>();
  const isReference = (name: string) => fn.vars.get(name)?.type !== "number";
  /** `own`: redone only just before its own adjoint, whose reads of the operands the plan keeps anyway */
  const redoable = (s: Assign, own = false, value = s.value): boolean => {
    if (!isMovable(value, functions) || value.kind === "lit") return false;
    // calls of whole functions cost too much to redo; a rule's arithmetic does not
    if (value.kind === "call" && value.callee.kind !== "rule") return false;
    const arrays = memoryReads(value, isReference);
    if (arrays.some((a) => handedAway.has(a) || (storesInto.get(a) ?? []).some((st) => storedAfter(st, s)))) return false;
    const operands = exprReads(value);
    if (own && (!cheapToRedo(value) || operands.includes(s.target))) return false;
    return operands.filter((n) => !redone.has(n) && !arrays.includes(n)).every((n) => free(n, s) || (own && readers.get(n)?.includes(s)));
  };
  const ownOnly = new Set<Stmt>();
  // an element read of a scratch array is redone from what an earlier loop stored there
  const stored = storedValues(fn, structure, aliases);
  const redoAs = new Map<Stmt, Assign>();
  // A value read in reverse inside a later `for` or `if` of its own list is redone just
  // before that statement's reverse code: the place in its list that encloses the reader.
  const anchor = (list: readonly Stmt[], reader: Stmt): Stmt | undefined => {
    let at: Stmt | undefined = reader;
    while (at && lists.get(at) !== list) at = parent.get(at);
    return at === reader || at?.kind === "for" || at?.kind === "if" ? at : undefined;
  };
  /**
   * Where to redo `s` and the redone values it is computed from, in program order, so that
   * `s` holds its value at `reader`: each before its own place in its list (the reader, or
   * a statement enclosing it). `through`: the reader is such an enclosing statement, whole.
   */
  const chain = (s: Assign, reader: Stmt, through = false): [Stmt, Assign][] | undefined => {
    const list = lists.get(s)!;
    const at = anchor(list, reader);
    // a value whose own adjoint reads it (`y = a / b`, `Math.max`) is redone just before that
    // adjoint when that costs less than saving it: its operands still hold their values there
    const own = at === s && reader === s && !through && !redoAs.has(s) && cheapToRedo(s.value);
    if (!at || (position.get(at)! <= position.get(s)! && !own) || (ownOnly.has(s) && !own)) return undefined;
    const whole = through || at !== reader;
    // the operands hold the same values from `s` to the reader (all through an enclosing statement)
    const redo = redoAs.get(s) ?? s;
    const operands = exprReads(redo.value);
    for (let i = position.get(s)! + 1; i <= position.get(at)! - (whole ? 0 : 1); i++) {
      for (const x of walk([list[i]])) if ((x.kind === "assign" && operands.includes(x.target)) || (x.kind === "for" && operands.includes(x.index))) return undefined;
    }
    const before: [Stmt, Assign][] = [];
    for (const n of operands) {
      const def = redone.get(n);
      if (!def) continue;
      const sub = chain(def, at, whole);
      if (!sub) return undefined;
      before.push(...sub.filter(([, d]) => !before.some(([, b]) => b === d)));
    }
    return [...before, [at, redo]];
  };
  const isLater = (a: Stmt, b: Stmt) => a.kind !== "if" && a.kind !== "for" && a.kind !== "loop" && lists.get(a) === lists.get(b) && position.get(a)! > position.get(b)!;
  // Cheap values first, whether the reverse sweep reads them or not: chains may need them.
  // (a value assigned once in an isolated iteration, in no loop inside it, holds until the iteration's reverse: kept as it is)
  const candidate = (s: Stmt): s is Assign =>
    s.kind === "assign" &&
    inLoop.has(s) &&
    !(fn.vars.get(s.target)?.type === "reference" && active(s.target)) &&
    definitions.get(s.target)?.length === 1 &&
    !(isolated && within(s, isolated) && !loopInIteration(s));
  for (const s of all) {
    if (!candidate(s)) continue;
    const element = stored.get(s);
    if (redoable(s)) redone.set(s.target, s);
    else if (element && redoable(s, false, element)) {
      redone.set(s.target, s);
      redoAs.set(s, { ...s, value: element });
    } else if (redoable(s, true)) {
      redone.set(s.target, s);
      ownOnly.add(s);
    }
  }
  for (const s of all) {
    // an array's shadow is bound beside it: only inactive arrays are read again
    if (!candidate(s) || redone.get(s.target) !== s) continue;
    const users = readers.get(s.target) ?? [];
    // read in reverse only by other redone values: those redo it where they need it
    if (users.length === 0) {
      recomputed.add(s);
      continue;
    }
    const chains = users.map((r) => chain(s, r));
    if (chains.some((c) => !c)) {
      redone.delete(s.target);
      continue;
    }
    const list = lists.get(s)!;
    const last = users.map((r) => anchor(list, r)!).reduce((a, b) => (position.get(a)! > position.get(b)! ? a : b));
    for (const [at, d] of chain(s, last, !users.includes(last))!) {
      const redo = recompute.get(at) ?? [];
      if (!redo.includes(d)) redo.push(d);
      recompute.set(at, redo);
    }
    recomputed.add(s);
  }
  // A value redone before a later simple statement of the same list (earlier in reverse,
  // and always run there) still holds at the earlier one.
  for (const [at, redo] of recompute) {
    const kept = redo.filter((d) => ![...recompute].some(([other, list]) => other !== at && list.includes(d) && isLater(other, at)));
    if (kept.length) recompute.set(at, kept);
    else recompute.delete(at);
  }
  return { invariant, steps, recompute, recomputed };
}
