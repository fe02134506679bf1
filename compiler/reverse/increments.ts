/**
 * Increments of array elements, `o[k] = o[k] + e`, whose adjoint keeps the element's
 * adjoint where it is.
 *
 * Input: a primal IrFunction in A-normal form, where the increment is three statements of
 * one list: `t = o[k]` (the read), `u = t + e` or `u = e + t` or `u = t - e` (the sum),
 * `o[k] = u` (the store). Output: those statements, by role. Their adjoints as single
 * statements would zero ō[k] and add t̄ back into it (`ū = ō[k]; ō[k] = 0; … ō[k] += ū`);
 * when `t` and `u` are read nowhere else, t̄ = ū = ō[k], so the store's adjoint only reads
 * ō[k], the sum's adds nothing to t̄ and the read's adds nothing into ō[k].
 * Invariant: an increment is recognised only when nothing between the read and the store
 * may change `o`'s elements or what `o` and `k` name: no write into `o` or an array that may
 * share its storage (aliases.ts), no call that is not a rule's arithmetic (a callee may write
 * through its arguments), no control statement, no assignment of `o`, its aliases or `k`.
 */
import { aliasGroups } from "../ir/aliases";
import type { Expr, IrFunction, Key, Stmt } from "../ir/ir";
import { callsBeyondRules } from "../ir/fuse";
import { childLists, exprReads, stmtReads, walk, writtenObject } from "../ir/traverse";
import { arithmetic } from "./recompute";

export interface Increments {
  /** `o[k] = u`: its adjoint reads ō[k] and leaves it (when `t`, given, and `u` are active) */
  stores: Map<Stmt, string>;
  /** `u = t + e`: no contribution to t̄, the name given */
  sums: Map<Stmt, string>;
  /** `t = o[k]`: no contribution to ō[k] */
  reads: Set<Stmt>;
}

const found = new WeakMap<IrFunction, Increments>();

/** The increments of `fn`, found once per function. */
export function incrementsOf(fn: IrFunction): Increments {
  let result = found.get(fn);
  if (!result) {
    result = findIncrements(fn);
    found.set(fn, result);
  }
  return result;
}

const sameKey = (a: Key, b: Key): boolean =>
  a.kind === "field" ? b.kind === "field" && a.name === b.name && !a.optional && !b.optional : b.kind === "index" && sameAtom(a.index, b.index);
const sameAtom = (a: Expr, b: Expr): boolean => (a.kind === "var" && b.kind === "var" && a.name === b.name) || (a.kind === "lit" && b.kind === "lit" && a.text === b.text);

function findIncrements(fn: IrFunction): Increments {
  const result: Increments = { stores: new Map(), sums: new Map(), reads: new Set() };
  const reads = new Map<string, number>();
  const assignments = new Map<string, number>();
  for (const s of walk(fn.body)) {
    for (const n of stmtReads(s)) reads.set(n, (reads.get(n) ?? 0) + 1);
    if (s.kind === "assign") assignments.set(s.target, (assignments.get(s.target) ?? 0) + (s.accumulate ? 2 : 1));
    if (s.kind === "for") assignments.set(s.index, (assignments.get(s.index) ?? 0) + 1);
  }
  const once = (name: string) => reads.get(name) === 1 && assignments.get(name) === 1;
  const aliases = aliasGroups(fn);
  const lists: Stmt[][] = [fn.body];
  for (const s of walk(fn.body)) lists.push(...childLists(s));
  for (const list of lists) {
    list.forEach((store, at) => {
      if (store.kind !== "store" || store.accumulate || store.value.kind !== "var" || !once(store.value.name)) return;
      const u = store.value.name;
      const sumAt = list.findIndex((s, i) => i < at && s.kind === "assign" && s.target === u);
      const sum = list[sumAt];
      if (sum?.kind !== "assign" || sum.accumulate) return;
      const readOf = (t: string) => list.findIndex((s, i) => i < sumAt && s.kind === "assign" && s.target === t && s.value.kind === "get" && s.value.object.kind === "var" && s.value.object.name === store.object && sameKey(s.value.key, store.key));
      const t = incremented(sum.value).find((name) => once(name) && readOf(name) >= 0);
      if (!t) return;
      const readAt = readOf(t);
      const read = list[readAt];
      const shared = aliases(store.object);
      const named = new Set([...shared, ...(store.key.kind === "index" ? exprReads(store.key.index) : [])]);
      const between = list.slice(readAt + 1, at);
      const safe = between.every((s) => {
        if (s.kind !== "assign" && s.kind !== "store") return false;
        const object = writtenObject(s);
        if (object && shared.has(object)) return false;
        if (s.kind === "assign" && named.has(s.target)) return false;
        return !callsBeyondRules(s.value) && (s.kind !== "store" || s.key.kind !== "index" || !callsBeyondRules(s.key.index));
      });
      if (!safe) return;
      result.stores.set(store, t);
      result.sums.set(sum, t);
      result.reads.add(read);
    });
  }
  return result;
}

/** The names `t` of `t + e`, `e + t` or `t - e`: those whose derivative in the sum is 1. */
export function incremented(value: Expr): string[] {
  const token = arithmetic(value);
  const args = value.kind === "op" || value.kind === "call" ? value.args : [];
  if (args.length !== 2 || (token !== "+" && token !== "-")) return [];
  const terms = token === "+" ? args : [args[0]];
  return terms.flatMap((a) => (a.kind === "var" ? [a.name] : []));
}
