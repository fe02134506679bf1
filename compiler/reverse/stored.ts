/**
 * Element reads whose value an earlier loop stored from values that are still at hand.
 *
 * Input: the primal IR and its structure. Output: for a read `t = o[i]` at the top of a
 * counted loop `for (i = a; i < b; i++)`, the expression the element holds there, in names
 * and arrays the reverse sweep can read again (`x[t18 + i] - means[t21 + i]`), when an
 * earlier loop of the same list `for (p = a; p < b; p++)` stored it as `o[p] = u`. A scratch
 * array overwritten on every pass of an outer loop is then redone from what it was computed
 * from instead of being saved element by element (recompute.ts).
 * Invariant (sound, conservative): both loops run over the same range (equal bounds, not
 * assigned from the first loop to the read); the first loop is straight-line code with one
 * store into `o`'s alias group, at `o[p]`; nothing between the loops and nothing in the
 * reading loop writes into that group or calls anything but a rule; `u` is expanded only
 * through single-assignment temporaries of the first loop, and every other name and array
 * in the expansion is assigned or written neither in the first loop, nor between, nor in
 * the reading loop; only arrays that store numbers unchanged (`Float64Array`, arrays) count.
 */
import { callsBeyondRules } from "../ir/fuse";
import type { Expr, IrFunction, Stmt } from "../ir/ir";
import { childLists, exprReads, mapChildren, walk } from "../ir/traverse";
import type { Structure } from "../ir/structure";

type ForStmt = Extract<Stmt, { kind: "for" }>;

/** The largest expression redone for one element (nodes): beyond it, saving costs less. */
const largestRedo = 16;

export function storedValues(fn: IrFunction, structure: Structure, aliases: (name: string) => ReadonlySet<string>): Map<Stmt, Expr> {
  const { all, lists, position, definitions } = structure;
  const found = new Map<Stmt, Expr>();
  const parent = new Map<Stmt, Stmt>();
  for (const s of all) for (const list of childLists(s)) for (const c of list) parent.set(c, s);
  const exact = (object: string) => {
    const shape = fn.vars.get(object)?.shape;
    return shape?.kind === "array" && shape.element.kind === "number" && shape.ctor !== "Float32Array";
  };
  const sameExpr = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);
  /** what statements assign, write into (alias groups), and whether they call beyond rules */
  const effects = (stmts: readonly Stmt[]) => {
    const assigned = new Set<string>();
    const written = new Set<string>();
    let calls = false;
    for (const s of walk(stmts)) {
      if (s.kind === "assign") assigned.add(s.target);
      if (s.kind === "for") assigned.add(s.index);
      if (s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set") for (const n of aliases(s.object)) written.add(n);
      if (s.kind === "effect" || s.kind === "save") calls = true;
      for (const e of s.kind === "assign" || s.kind === "store" || s.kind === "return" ? [s.value] : []) if (callsBeyondRules(e)) calls = true;
    }
    return { assigned, written, calls };
  };
  // one statement's effects, kept: the search for a storing loop below steps back over the same statements again
  const known = new Map<Stmt, ReturnType<typeof effects>>();
  const effectsOf = (s: Stmt) => known.get(s) ?? known.set(s, effects([s])).get(s)!;

  for (const s of all) {
    if (s.kind !== "assign" || s.value.kind !== "get" || s.value.object.kind !== "var" || s.value.key.kind !== "index") continue;
    const object = s.value.object.name;
    const index = s.value.key.index;
    const reading = parent.get(s);
    if (reading?.kind !== "for" || index.kind !== "var" || index.name !== reading.index || lists.get(s) !== reading.body || !exact(object)) continue;
    const group = aliases(object);
    const list = lists.get(reading)!;
    const inReading = effectsOf(reading);
    if (inReading.calls || inReading.written.has(object)) continue;
    // the nearest earlier statement writing into the group must be the storing loop
    let storing: ForStmt | undefined;
    for (let k = position.get(reading)! - 1; k >= 0; k--) {
      const candidate = list[k];
      const effect = effectsOf(candidate);
      if (!effect.written.has(object) && !effect.calls) continue;
      if (candidate.kind === "for") storing = candidate;
      break;
    }
    if (!storing || storing.step !== reading.step || !sameExpr(storing.start, reading.start) || !sameExpr(storing.end, reading.end)) continue;
    const between = effects(list.slice(position.get(storing)! + 1, position.get(reading)!));
    const inStoring = effectsOf(storing);
    if (between.calls || between.written.has(object) || inStoring.calls) continue;
    const bounds = [storing.start, storing.end].flatMap((e) => exprReads(e));
    if (bounds.some((n) => inStoring.assigned.has(n) || between.assigned.has(n))) continue;
    const body = storing.body;
    if (!body.every((x) => x.kind === "assign" || x.kind === "store" || x.kind === "comment")) continue;
    const stores = body.filter((x): x is Extract<Stmt, { kind: "store" }> => x.kind === "store" && group.has(x.object));
    const store = stores.length === 1 ? stores[0] : undefined;
    if (!store || store.object !== object || store.key.kind !== "index" || store.key.index.kind !== "var" || store.key.index.name !== storing.index) continue;
    // expand the stored value through the storing loop's own temporaries
    const own = new Map<string, Expr>();
    for (const x of body) if (x.kind === "assign" && !x.accumulate && definitions.get(x.target)?.length === 1) own.set(x.target, x.value);
    const changed = (n: string) => inStoring.assigned.has(n) || between.assigned.has(n) || inReading.assigned.has(n);
    const stale = (n: string) => inStoring.written.has(n) || between.written.has(n) || inReading.written.has(n);
    let size = 0;
    const expand = (e: Expr): Expr | undefined => {
      if (++size > largestRedo) return undefined;
      if (e.kind === "var") {
        if (e.name === storing!.index) return { kind: "var", name: reading.index };
        const value = own.get(e.name);
        if (value && body.indexOf(body.find((x) => x.kind === "assign" && x.target === e.name)!) < body.indexOf(store)) return expand(value);
        return changed(e.name) || stale(e.name) ? undefined : e;
      }
      if (e.kind === "get" && (e.object.kind !== "var" || stale(e.object.name))) return undefined;
      if (!["lit", "op", "get", "call"].includes(e.kind) || (e.kind === "call" && (e.callee.kind !== "rule" || e.spread))) return undefined;
      let failed = false;
      const out = mapChildren(e, (child) => {
        const expanded = failed ? undefined : expand(child);
        if (!expanded) failed = true;
        return expanded ?? child;
      });
      return failed ? undefined : out;
    };
    const value = expand(store.value);
    if (value) found.set(s, value);
  }
  return found;
}
