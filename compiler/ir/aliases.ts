/**
 * Aliases: the names that may refer to the same array or object.
 *
 * Input: an IrFunction. Output: for each name, every name it may share storage with — through
 * a copy of the reference (`b = a`), a read out of a container (`row = m[i]`), a store into
 * one (`m[i] = row`, `m.push(row)`, `m = [row]`), a view (`v = a.subarray(…)`) or a shallow copy
 * of a container (whose rows are shared). Flow-insensitive and
 * symmetric: safe for deciding whether a write may change what a read sees.
 */
import { type Expr, type IrFunction } from "./ir";
import { walk } from "./traverse";

export function aliasGroups(fn: Pick<IrFunction, "vars" | "body">): (name: string) => Set<string> {
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    for (const [x, y] of [[a, b], [b, a]]) {
      if (!links.has(x)) links.set(x, new Set());
      links.get(x)!.add(y);
    }
  };
  const isRef = (name: string) => fn.vars.get(name)?.type !== "number";
  // the name whose storage a value shares: `a`, `a!`, `a[i]`, `a[i][j]` (simplification nests reads), a view
  const source = (e: Expr): string | undefined =>
    e.kind === "var" ? e.name : e.kind === "op" && e.op === "nonnull" ? source(e.args[0]) : e.kind === "get" || e.kind === "view" || e.kind === "pop" ? source(e.object) : undefined;
  for (const s of walk(fn.body)) {
    if (s.kind === "assign" && isRef(s.target)) {
      const from = source(s.value);
      if (from) link(s.target, from);
      if (s.value.kind === "call" && (s.value.callee.kind === "differentiable" || s.value.callee.kind === "generated")) {
        for (const a of s.value.args) if (a.kind === "var" && isRef(a.name)) link(s.target, a.name);
      }
      // a literal holds its items: a write through one is seen through the other
      if (s.value.kind === "literal") for (const item of s.value.items) if (item.value.kind === "var" && isRef(item.value.name)) link(s.target, item.value.name);
      if (s.value.kind === "clone") for (const from of [source(s.value.object)]) if (from) link(s.target, from);
    }
    if ((s.kind === "store" || s.kind === "push") && s.value.kind === "var" && isRef(s.value.name)) link(s.object, s.value.name);
  }
  const cache = new Map<string, Set<string>>();
  return (name) => {
    const hit = cache.get(name);
    if (hit) return hit;
    const group = new Set([name]);
    for (const member of group) for (const next of links.get(member) ?? []) group.add(next);
    for (const member of group) cache.set(member, group);
    return group;
  };
}
