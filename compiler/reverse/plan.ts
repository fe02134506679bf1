/**
 * The save plan: what the reverse sweep needs from the forward sweep, decided before
 * anything is emitted.
 *
 * Input: the primal IR and, per simple statement, its forward statements (the primal
 * statement, or a call's forward half, and the shadow statements beside it) and its
 * adjoint statements (IR, so what they read is read off the trees). Output: a Plan:
 * - `saves`: forward statements that overwrite a value the reverse sweep still reads — a
 *   variable, an array's shadow, an element of an array whose elements are redone in
 *   reverse. Walking forward, a variable is *pending* from a reverse read of it until it
 *   is next assigned; an assignment of a pending variable saves the old value (a local
 *   outside loops, a typed tape inside them) and the reverse sweep restores it right
 *   after that statement's adjoint, so the reverse sweep sees every variable as the
 *   forward sweep had it at that point. Loops iterate the walk to a fixed point;
 * - what is cheaper than saving (recompute.ts): counter `steps` undone by their inverse,
 *   values `recompute`d just before the reverse code that reads them, loop invariants;
 * - `reversed`: the `if`s and loops with reverse code inside; `trips`: the general loops
 *   whose trip count the reverse sweep replays (counted `for` loops run backwards on
 *   their own index, and need none);
 * - `isolate`: a reduction loop reversed in place planned again, each iteration on its own
 *   (its element reads redone where the iteration writes the array only before them).
 * Invariant: everything the reverse sweep reads holds its forward value when the reverse
 * sweep reaches the statement reading it.
 */
import { aliasGroups } from "../ir/aliases";
import { lit, v, type Expr, type IrFunction, type Stmt } from "../ir/ir";
import { childLists, children, exprReads, stmtExprs, stmtReads, walk } from "../ir/traverse";
import { memoryReads, type FunctionPurity } from "../ir/purity";
import type { Assign, LoopStmt, Structure } from "../ir/structure";
import { cheaperThanSaving } from "./recompute";
import type { ReverseContext } from "./context";
import { nameOf } from "../naming";
import { UndoableSet } from "../ir/undoable";

/** A primal statement's code in the two sweeps. */
export interface Unit {
  forward: Stmt[];
  adjoint: Stmt[];
}

export interface Plan {
  /** forward assignments that save the variable they overwrite, and where */
  saves: Map<Stmt, "local" | "tape">;
  /** forward writes into arrays whose overwritten contents are kept, and where */
  keeps: Map<Stmt, "local" | "tape">;
  /** counter steps undone in reverse, with the value that undoes each */
  steps: Map<Stmt, Expr>;
  /** per primal statement, the values to compute again just before its adjoint */
  recompute: Map<Stmt, Assign[]>;
  reversed: Set<Stmt>;
  /** general loops replayed backwards, with their trip counter and its reset */
  trips: Map<LoopStmt, { counter: string; reset: Assign; step: Assign }>;
  /**
   * Plans a loop anew for iterations each reversed right after it runs (inplace.ts): nothing from before an iteration
   * is pending in it, so only what its own reverse code reads is saved, in a local where no inner loop repeats it.
   */
  isolate: (loop: LoopStmt) => void;
}

/**
 * Names a list of statements may read before assigning them itself: an assignment in one
 * branch of an `if`, or in a loop, leaves the name unassigned on another path.
 */
export function readsOf(stmts: readonly Stmt[]): string[] {
  const reads: string[] = [];
  const visit = (list: readonly Stmt[], assigned: Set<string>): void => {
    for (const s of list) {
      if (s.kind === "for") assigned.add(s.index);
      for (const name of stmtReads(s)) if (!assigned.has(name)) reads.push(name);
      if (s.kind === "assign" && !s.accumulate) assigned.add(s.target);
      if (s.kind === "if") {
        const [then, otherwise] = [new Set(assigned), new Set(assigned)];
        visit(s.then, then);
        visit(s.else, otherwise);
        for (const name of then) if (otherwise.has(name)) assigned.add(name);
      } else {
        const inner = new Set(assigned);
        for (const child of childLists(s)) visit(child, inner);
      }
    }
  };
  visit(stmts, new Set());
  return reads;
}

/** The array or object a forward statement writes elements of (restoring it reads those). */
export function writtenArray(s: Stmt): string | undefined {
  if (s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set") return s.object;
  if (s.kind === "assign" && s.value.kind === "pop" && s.value.object.kind === "var") return s.value.object.name;
  return undefined;
}

/** What restoring an element write reads: the index, or the popped value. */
function restoreReads(s: Stmt): string[] {
  if (s.kind === "store") return [s.object, ...(s.key.kind === "index" ? exprReads(s.key.index) : [])];
  if (s.kind === "assign" && s.value.kind === "pop") return [s.target, ...exprReads(s.value.object)];
  if (s.kind === "fill" || s.kind === "set") return [s.object, ...(s.kind === "fill" ? [...(s.start ? exprReads(s.start) : [])] : [...(s.offset ? exprReads(s.offset) : [])])];
  if (s.kind === "push") return [s.object];
  return [];
}

export function plan(cx: ReverseContext, structure: Structure, units: Map<Stmt, Unit>, functions: FunctionPurity): Plan {
  const fn: IrFunction = cx.fn;
  const { all, inLoop, indices } = structure;
  const adjointReads = new Map<Stmt, string[]>();
  const readers = new Map<string, Stmt[]>();
  const addReader = (n: string, s: Stmt) => {
    const list = readers.get(n);
    if (list) list.push(s);
    else readers.set(n, [s]);
  };
  for (const [s, unit] of units) {
    const reads = readsOf(unit.adjoint);
    adjointReads.set(s, reads);
    for (const n of reads) addReader(n, s);
  }
  // a branch is tested again, and a counted loop's bounds read again, in reverse
  for (const s of all) {
    if (s.kind === "if") for (const n of exprReads(s.cond)) addReader(n, s);
    if (s.kind === "for") for (const n of [...exprReads(s.start), ...exprReads(s.end)]) addReader(n, s);
  }
  const active = (name: string) => cx.isActive(name);
  const { invariant, steps, recompute, recomputed } = cheaperThanSaving(fn, structure, readers, functions, active);
  // An array's contents are pending, as `[]name`, from a reverse read of its elements: a
  // value redone from it, or a callee's reverse half handed the array.
  const aliases = aliasGroups(fn);
  const contents = (name: string) => `[]${[...aliases(name)].sort()[0]}`;
  const isReference = (name: string) => cx.vars.get(name)?.type === "reference" || cx.vars.get(name)?.typeText.endsWith("]") === true;
  const contentReads = (stmts: readonly Stmt[], redone: readonly Assign[]): string[] => {
    const found: string[] = [];
    for (const d of redone) found.push(...memoryReads(d.value, isReference));
    for (const x of walk(stmts)) {
      for (const e of stmtExprs(x)) {
        const stack = [e];
        while (stack.length) {
          const node = stack.pop()!;
          if (node.kind === "call" && node.callee.kind === "generated") for (const a of node.args) if (a.kind === "var" && isReference(a.name) && fn.vars.has(a.name)) found.push(a.name);
          stack.push(...children(node));
        }
      }
    }
    return found.map(contents);
  };
  // What the reverse code of each statement reads: its adjoint's names, the values redone
  // for it, the contents of arrays those read; and for a branch or counted loop, what its
  // reverse tests again.
  const readsAt = new Map<Stmt, string[]>();
  const findReads = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      const redone = recompute.get(s) ?? [];
      const own = s.kind === "if" ? exprReads(s.cond) : s.kind === "for" ? [...exprReads(s.start), ...exprReads(s.end)] : adjointReads.get(s) ?? [];
      const reads = [...readsOf([...redone, ...(own.length ? [{ kind: "effect", value: { kind: "literal", shape: "array", items: own.map((n, k) => ({ key: String(k), value: v(n) })) }, origin: -1 } as Stmt] : [])]), ...contentReads(units.get(s)?.adjoint ?? [], redone)];
      if (reads.length) readsAt.set(s, reads);
      else readsAt.delete(s);
    }
  };
  findReads(all);

  const saves = new Map<Stmt, "local" | "tape">();
  const keeps = new Map<Stmt, "local" | "tape">();
  const reversed = new Set<Stmt>();
  const trips = new Map<LoopStmt, { counter: string; reset: Assign; step: Assign }>();
  const exempt = (primal: Stmt, f: Stmt) =>
    f === primal && primal.kind === "assign" && (steps.has(primal) || recomputed.has(primal) || invariant(primal));

  // Walking forward: which forward statements overwrite something still pending. One set of
  // pending names for the whole walk: branches and loop bodies are tried from a mark and undone.
  let pending = new UndoableSet<string>();
  const flow = (body: readonly Stmt[]): void => {
    for (const s of body) {
      if (s.kind === "if") {
        if (reversed.has(s)) readsAt.get(s)?.forEach((n) => pending.add(n));
        pending.union(
          () => flow(s.then),
          () => flow(s.else),
        );
      } else if (s.kind === "loop" || s.kind === "for") {
        const counter = s.kind === "loop" ? trips.get(s) : undefined;
        if (counter) overwrite(s, counter.reset, pending);
        if (s.kind === "for") pending.delete(s.index);
        // pending at the head: what is pending before the loop, after its test, or at the back edge
        for (;;) {
          const gained = pending.gains((capture) => {
            if (s.kind === "loop") {
              flow(s.test);
              capture();
            }
            flow(s.body);
            if (s.kind === "for") pending.delete(s.index);
          });
          if (gained.length === 0) break;
          gained.forEach((n) => pending.add(n));
        }
        if (s.kind === "loop") flow(s.test);
        if (counter) pending.add(counter.counter);
        if (s.kind === "for" && reversed.has(s)) readsAt.get(s)?.forEach((n) => pending.add(n));
      } else {
        for (const f of units.get(s)?.forward ?? [s]) overwrite(s, f, pending);
        readsAt.get(s)?.forEach((n) => pending.add(n));
        for (const f of units.get(s)?.forward ?? []) if (keeps.has(f)) restoreReads(f).forEach((n) => pending.add(n));
      }
    }
  };
  let changed = true;
  // statements of isolated iterations that no loop inside the iteration repeats: saved once per iteration, in a local
  const once = new Set<Stmt>();
  const found = (into: Map<Stmt, "local" | "tape">, f: Stmt, primal: Stmt) => {
    if (into.has(f)) return;
    into.set(f, inLoop.has(primal) && !once.has(primal) ? "tape" : "local");
    changed = true;
  };
  function overwrite(primal: Stmt, f: Stmt, pending: UndoableSet<string>): void {
    // a counter step is undone exactly, so the value before it stays recoverable
    if (f === primal && steps.has(primal)) return;
    if (f.kind === "assign" && !f.accumulate) {
      if (pending.has(f.target) && !indices.has(f.target) && !exempt(primal, f)) found(saves, f, primal);
      pending.delete(f.target);
    }
    // a write into an array whose contents are pending keeps what it overwrites
    const array = writtenArray(f);
    if (array && fn.vars.has(array) && pending.has(contents(array))) found(keeps, f, primal);
  }

  // which control statements have reverse code inside (adjoints or restores)
  const visit = (body: readonly Stmt[]): boolean => {
    let any = false;
    for (const s of body) {
      let inner = false;
      if (s.kind === "if") inner = [visit(s.then), visit(s.else)].some(Boolean);
      else if (s.kind === "loop") inner = [visit(s.test), visit(s.body)].some(Boolean);
      else if (s.kind === "for") inner = visit(s.body);
      else {
        const unit = units.get(s);
        inner = !!unit && (unit.adjoint.length > 0 || unit.forward.some((f) => saves.has(f) || keeps.has(f)) || steps.has(s));
      }
      if (inner && (s.kind === "if" || s.kind === "loop" || s.kind === "for") && !reversed.has(s)) {
        reversed.add(s);
        changed = true;
        if (s.kind === "loop" && !trips.has(s)) {
          const counter = cx.fresh(nameOf.tripCounter, "number", "number");
          const reset: Assign = { kind: "assign", target: counter, value: lit("0"), origin: s.origin };
          const step: Assign = { kind: "assign", target: counter, value: { kind: "op", op: "+", args: [v(counter), lit("1")] }, origin: s.origin };
          trips.set(s, { counter, reset, step });
        }
      }
      any ||= inner;
    }
    return any;
  };
  const settle = (body: readonly Stmt[]) => {
    for (changed = true; changed; ) {
      changed = false;
      pending = new UndoableSet();
      flow(body);
      visit(body);
    }
  };
  settle(fn.body);

  const isolate = (loop: LoopStmt): void => {
    const inside = [...walk(childLists(loop).flat())];
    for (const s of inside) {
      if (s.kind === "if" || s.kind === "loop" || s.kind === "for") reversed.delete(s);
      for (const f of units.get(s)?.forward ?? [s]) saves.delete(f), keeps.delete(f);
    }
    const repeated = new Set(inside.filter((s) => s.kind === "loop" || s.kind === "for").flatMap((s) => [...walk(childLists(s).flat())]));
    for (const s of inside) if (!repeated.has(s)) once.add(s);
    // element reads of arrays the iteration writes only before them are redone now: nothing overwrites them before its reverse
    const redo = cheaperThanSaving(fn, structure, readers, functions, active, loop);
    for (const s of inside) {
      recompute.delete(s);
      recomputed.delete(s);
      if (redo.recompute.has(s)) recompute.set(s, redo.recompute.get(s)!);
      if (redo.recomputed.has(s)) recomputed.add(s);
    }
    findReads(inside);
    settle(childLists(loop).flat());
  };
  return { saves, keeps, steps, recompute, reversed, trips, isolate };
}
