/**
 * What the reverse sweep needs from the forward sweep, decided before anything is emitted.
 *
 * Input: the IR, its activity and each statement's adjoint. Output: a Plan:
 * - `reads`: the primal values the reverse sweep reads (rule operands, call arguments,
 *   indices, branch conditions);
 * - `saves`: assignments that overwrite such a value while it is still pending (a
 *   dataflow over the structured IR): the old value is saved before the overwrite and
 *   restored after the statement's adjoint, so the reverse sweep sees every variable as the
 *   forward sweep had it at that point. Outside loops a local holds it; inside loops a
 *   typed tape (`numberTape`, …) does;
 * - what is cheaper than saving: `steps` (a counter `i = i + 1` is undone by `i--`),
 *   `recompute` (arithmetic and reads of arrays a loop nest does not write, redone just
 *   before the reverse code that reads them, from operands that cost nothing to keep), and
 *   values the same in every iteration of a loop (never saved);
 * - `shadowSaves`: arrays a loop rebinds whose shadow the reverse sweep writes into;
 * - `trips`: a counter per loop the reverse sweep must replay; `reversed`: the `if`s and
 *   loops with reverse code inside;
 * - `zeroes`: overwrites after whose adjoint the target's adjoint is reset;
 * - `kept`: the forward statements worth running (the rest of the primal is dead here);
 * - `direct`: temporaries whose adjoint is a `const` where they are read.
 * Invariant: everything the reverse sweep reads is computed by a kept statement and holds
 * its forward value when the reverse sweep reaches the statement reading it.
 */
import { isCallOp, type Activity } from "../analyse";
import { valueReads, type Atom, type IrFunction, type Stmt } from "../ir";
import type { StmtAdjoint } from "./assign";
import { cheaperThanSaving } from "./recompute";
import { structureOf, type Assign } from "./structure";

export interface Plan {
  adjoints: Map<Stmt, StmtAdjoint>;
  reads: Set<string>;
  /** how each saving statement keeps the old value */
  saves: Map<Stmt, "local" | "tape">;
  /** counter steps `i = i + c` undone in reverse by `i = i - c`: the step, signed */
  steps: Map<Stmt, string>;
  /** reads of unchanging arrays (`t = x[i]`) redone just before the reverse code that needs them */
  recompute: Map<Stmt, Assign[]>;
  /** reference assignments in loops whose shadow the reverse sweep reads: saved too */
  shadowSaves: Set<Stmt>;
  /** `if`s and loops that have reverse code inside */
  reversed: Set<Stmt>;
  /** loops whose trip count the reverse sweep replays, with the counter's storage */
  trips: Map<Stmt, "local" | "tape">;
  kept: Set<Stmt>;
  direct: Set<string>;
  /** statements inside a loop */
  inLoop: Set<Stmt>;
  /** statements directly in the function body (not in a branch or loop) */
  topLevel: Set<Stmt>;
  assignments: Map<string, number>;
  /** assignments whose target's adjoint is reset after their adjoint (an overwrite) */
  zeroes: Set<Stmt>;
}

/** The names a code text reads (a field name after `.` is not one). */
export const identifiers = (text: string) => text.match(/(?<![.\w$])[A-Za-z_$][\w$]*/g) ?? [];

export function plan(fn: IrFunction, activity: Activity, adjoints: Map<Stmt, StmtAdjoint>, needValue: boolean, bar: (name: string) => string): Plan {
  const structure = structureOf(fn);
  const { all, lists, inLoop, topLevel, assignments } = structure;
  const isVar = (name: string) => fn.vars.has(name);

  // A temporary defined and read once, in the same list, takes its adjoint as a `const`.
  const uses = new Map<string, Stmt[]>();
  const use = (a: Atom | string, at: Stmt) => {
    const name = typeof a === "string" ? a : a.kind === "var" ? a.name : undefined;
    if (name) uses.set(name, [...(uses.get(name) ?? []), at]);
  };
  for (const s of all) {
    if (s.kind === "assign") valueReads(s.value).forEach((n) => use(n, s));
    else if (s.kind === "store" || s.kind === "push") use(s.value, s);
    else if (s.kind === "return") use(s.value, s);
    else use(s.cond, s);
    if (s.kind === "store" && s.key.kind === "index") use(s.key.index, s);
  }
  const direct = new Set<string>();
  for (const s of all) {
    if (s.kind !== "assign") continue;
    const variable = fn.vars.get(s.target)!;
    const used = uses.get(s.target) ?? [];
    if (variable.role === "temp" && variable.type === "number" && assignments.get(s.target) === 1 && used.length === 1 && lists.get(used[0]) === lists.get(s)) {
      direct.add(s.target);
    }
  }

  // Reads, saves and reversed blocks depend on each other; grow them to a fixed point.
  const reads = new Set<string>();
  const saves = new Map<Stmt, "local" | "tape">();
  const reversed = new Set<Stmt>();
  const trips = new Map<Stmt, "local" | "tape">();
  const adjointReads = (s: Stmt): string[] => {
    const adjoint = adjoints.get(s);
    if (!adjoint) return [];
    if (adjoint.kind === "call") {
      if (adjoint.call.receivers.every((r) => !r)) return [];
      return adjoint.call.args.flatMap((a) => (a.kind === "var" ? [a.name] : []));
    }
    const texts = adjoint.contributions.flatMap((c) => [c.text, c.to.kind === "element" ? c.to.text : ""]);
    return [...texts, ...(adjoint.after ?? [])].flatMap(identifiers).filter(isVar);
  };
  // The first assignment of a local at the top level overwrites nothing.
  const firstAssignAtTop = new Set<Stmt>();
  const seen = new Set<string>(fn.params.map((p) => p.name));
  for (const s of all) {
    if (s.kind !== "assign" || seen.has(s.target)) continue;
    seen.add(s.target);
    if (topLevel.has(s)) firstAssignAtTop.add(s);
  }

  // An overwritten variable's adjoint is reset after the overwrite's adjoint: the value
  // it held before receives nothing from uses of the new one.
  const zeroes = new Set<Stmt>();
  for (const s of all) {
    if (s.kind !== "assign" || direct.has(s.target) || !activity.isActive(s.target) || firstAssignAtTop.has(s)) continue;
    if (fn.vars.get(s.target)?.type === "reference") continue;
    if (inLoop.has(s) || (assignments.get(s.target) ?? 0) > 1 || fn.vars.get(s.target)?.role === "param") zeroes.add(s);
  }
  const hasAdjoint = (s: Stmt) => {
    const a = adjoints.get(s);
    if (zeroes.has(s)) return true;
    return !!a && (a.kind === "call" ? a.call.receivers.some(Boolean) : a.contributions.length > 0 || (a.after?.length ?? 0) > 0);
  };
  const readers = new Map<string, Stmt[]>();
  for (const s of all) for (const n of adjointReads(s)) readers.set(n, [...(readers.get(n) ?? []), s]);
  const { invariant, steps, recompute, recomputed } = cheaperThanSaving(fn, structure, readers);

  // Shadows the reverse sweep writes into (`row_bar[j] += …`): rebound in a loop, they are saved.
  const shadowsRead = new Set<string>();
  for (const a of adjoints.values()) {
    const texts = a.kind === "call" ? [] : [...a.contributions.map((c) => (c.to.kind === "element" ? c.to.text : "")), ...(a.after ?? [])];
    for (const t of texts) identifiers(t).forEach((n) => shadowsRead.add(n));
    if (a.kind === "call") a.call.receivers.forEach((r, i) => r && a.call.references[i] && shadowsRead.add(bar(r)));
  }
  const shadowSaves = new Set<Stmt>();

  const recomputeReads = (s: Stmt) => (recompute.get(s) ?? []).flatMap((d) => valueReads(d.value));

  // Which assignments overwrite a value the reverse sweep still reads: walking forward, a
  // variable is "pending" from a reverse read of it until it is next assigned; an
  // assignment of a pending variable must save the old value. Loops iterate to a fixed point.
  const readsOf = new Map<Stmt, Set<string>>();
  const noteRead = (name: string, at: Stmt) => {
    const set = readsOf.get(at) ?? new Set<string>();
    set.add(name);
    readsOf.set(at, set);
  };
  const overwritesPending = (): Set<Stmt> => {
    const found = new Set<Stmt>();
    const flow = (body: readonly Stmt[], pending: Set<string>): Set<string> => {
      for (const s of body) {
        if (s.kind === "if") {
          readsOf.get(s)?.forEach((n) => pending.add(n));
          pending = new Set([...flow(s.then, new Set(pending)), ...flow(s.else, new Set(pending))]);
        } else if (s.kind === "loop") {
          for (let before = -1; before !== pending.size; ) {
            before = pending.size;
            const atTest = flow(s.test, new Set(pending));
            const back = flow(s.body, new Set(atTest));
            pending = new Set([...pending, ...atTest, ...back]);
          }
          pending = flow(s.test, new Set(pending));
        } else {
          // a counter step is undone exactly, so the value before it stays recoverable
          if (s.kind === "assign" && !steps.has(s)) {
            if (pending.has(s.target)) found.add(s);
            pending.delete(s.target);
          }
          readsOf.get(s)?.forEach((n) => pending.add(n));
        }
      }
      return pending;
    };
    flow(fn.body, new Set());
    return found;
  };

  for (let changed = true; changed; ) {
    changed = false;
    const grow = <T>(set: Set<T>, item: T) => {
      if (!set.has(item)) {
        set.add(item);
        changed = true;
      }
    };
    for (const s of all) {
      for (const name of [...adjointReads(s), ...recomputeReads(s)]) {
        grow(reads, name);
        noteRead(name, s);
      }
    }
    const pendingAtOverwrite = overwritesPending();
    for (const s of all) {
      if (s.kind === "assign" && pendingAtOverwrite.has(s) && !recomputed.has(s) && !steps.has(s) && !invariant(s) && !saves.has(s)) {
        saves.set(s, inLoop.has(s) ? "tape" : "local");
        changed = true;
      }
      if (s.kind === "assign" && activity.isActive(s.target) && fn.vars.get(s.target)?.type === "reference" && inLoop.has(s)) {
        if (shadowsRead.has(bar(s.target))) shadowSaves.add(s);
      }
      if ((s.kind === "store" || s.kind === "push") && reads.has(s.object) && !saves.has(s)) {
        saves.set(s, inLoop.has(s) ? "tape" : "local");
        changed = true;
      }
      // restoring `a[i]` reads `i`
      if (s.kind === "store" && saves.has(s) && s.key.kind === "index" && s.key.index.kind === "var") {
        grow(reads, s.key.index.name);
        noteRead(s.key.index.name, s);
      }
    }
    const visit = (body: readonly Stmt[]): boolean => {
      let any = false;
      for (const s of body) {
        let inner = false;
        if (s.kind === "if") inner = [visit(s.then), visit(s.else)].some(Boolean);
        else if (s.kind === "loop") inner = [visit(s.test), visit(s.body)].some(Boolean);
        if (inner && !reversed.has(s)) {
          reversed.add(s);
          changed = true;
        }
        if (s.kind === "if" && inner && s.cond.kind === "var") {
          grow(reads, s.cond.name);
          noteRead(s.cond.name, s);
        }
        if (s.kind === "loop" && inner && !trips.has(s)) {
          trips.set(s, inLoop.has(s) ? "tape" : "local");
          changed = true;
        }
        any ||= inner || hasAdjoint(s) || saves.has(s) || shadowSaves.has(s) || (steps.has(s) && reads.has((s as Assign).target)) || (s.kind === "return" && s.value.kind === "var" && activity.isActive(s.value.name));
      }
      return any;
    };
    visit(fn.body);
  }

  // The forward sweep keeps what the reverse sweep or the result reads, and effects.
  const needed = new Set(reads);
  const ret = fn.body.at(-1);
  if (needValue && ret?.kind === "return" && ret.value.kind === "var") needed.add(ret.value.name);
  const kept = new Set<Stmt>();
  for (let changed = true; changed; ) {
    changed = false;
    const keep = (s: Stmt, names: string[]) => {
      if (!kept.has(s)) {
        kept.add(s);
        changed = true;
      }
      for (const n of names) {
        if (!needed.has(n)) {
          needed.add(n);
          changed = true;
        }
      }
    };
    const visit = (body: readonly Stmt[]): boolean => {
      let any = false;
      for (const s of body) {
        if (s.kind === "assign") {
          // a call whose reverse half runs must run its forward half: that half tapes for it
          const adjoint = adjoints.get(s);
          const taping = adjoint?.kind === "call" && adjoint.call.receivers.some(Boolean);
          const effectful = taping || (s.value.kind === "op" && !s.value.rule && isCallOp(s.value.op));
          const shadowed = activity.isActive(s.target) && fn.vars.get(s.target)?.type === "reference";
          if (needed.has(s.target) || effectful || shadowed) keep(s, valueReads(s.value));
        } else if (s.kind === "store" || s.kind === "push") {
          if (needed.has(s.object) || (activity.isActive(s.object) && hasAdjoint(s))) {
            const key = s.kind === "store" && s.key.kind === "index" && s.key.index.kind === "var" ? [s.key.index.name] : [];
            keep(s, [s.object, ...(s.value.kind === "var" ? [s.value.name] : []), ...key]);
          }
        } else if (s.kind === "if") {
          const inner = [visit(s.then), visit(s.else)].some(Boolean);
          if (inner) keep(s, s.cond.kind === "var" ? [s.cond.name] : []);
        } else if (s.kind === "loop") {
          const inner = [visit(s.test), visit(s.body)].some(Boolean);
          if (inner || trips.has(s)) keep(s, s.cond.kind === "var" ? [s.cond.name] : []);
        }
        any ||= kept.has(s);
      }
      return any;
    };
    visit(fn.body);
  }
  return { adjoints, reads, saves, steps, recompute, shadowSaves, reversed, trips, kept, direct, inLoop, topLevel, assignments, zeroes };
}

