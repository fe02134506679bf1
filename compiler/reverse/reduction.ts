/**
 * Reductions: the counted loops of a function body that only add into one accumulator.
 *
 * Input: the primal IR and its activity. Output: per top-level `for` loop that qualifies, the
 * accumulator it adds into. Invariant, for each loop found: an iteration's only effect that
 * outlives it is `s ← s + (something not reading s)` on one active number `s` — every other
 * variable it assigns is written before it is read in the same iteration and read nowhere
 * outside the loop, every array it writes is a local scratch array that each iteration
 * overwrites whole before reading it and nothing outside the loop reads, and it calls
 * nothing with an effect. Then the loop's adjoint is linear in s̄ and s̄ passes through it
 * unchanged, and an iteration's reverse code reads only values of the same iteration: the
 * iteration can be reversed right after it runs (inplace.ts). `s` is not read before the
 * loop, so nothing needs its value from before the loop's end.
 */
import { isFlatArray, type Expr, type IrFunction, type Stmt } from "../ir/ir";
import { aliasGroups } from "../ir/aliases";
import { calleePurity, type FunctionPurity } from "../ir/purity";
import { assignedNames, childLists, children, exprReads, stmtExprs, stmtReads, walk, writtenObject } from "../ir/traverse";
import { incremented } from "./increments";
import { readsOf } from "./plan";

export type ForStmt = Extract<Stmt, { kind: "for" }>;

export function reductions(fn: IrFunction, isActive: (name: string) => boolean, functions: FunctionPurity): Map<ForStmt, string> {
  const found = new Map<ForStmt, string>();
  fn.body.forEach((s, position) => {
    if (s.kind !== "for") return;
    const accumulator = accumulatorOf(fn, s, position, isActive, functions);
    if (accumulator) found.set(s, accumulator);
  });
  return found;
}

function accumulatorOf(fn: IrFunction, loop: ForStmt, position: number, isActive: (name: string) => boolean, functions: FunctionPurity): string | undefined {
  const inside = new Set(walk([loop]));
  const body = [...walk(loop.body)];
  if (body.some((s) => stmtExprs(s).some((e) => hasEffect(e, functions)))) return undefined;
  const before = new Set<string>();
  const after = new Set<string>();
  fn.body.forEach((s, i) => {
    if (i === position) return;
    for (const t of walk([s])) for (const name of stmtReads(t)) (i < position ? before : after).add(name);
  });
  for (const e of [loop.start, loop.end]) for (const name of exprReads(e)) before.add(name);
  const outside = (name: string) => before.has(name) || after.has(name);

  // the one variable carried from an iteration to the next: the accumulator
  const assigned = assignedNames(loop.body);
  const carried = new Set(readsOf(loop.body).filter((name) => assigned.has(name)));
  if (carried.size !== 1) return undefined;
  const [accumulator] = carried;
  if (fn.vars.get(accumulator)?.type !== "number" || !isActive(accumulator) || before.has(accumulator)) return undefined;
  if (!addsOnly(fn, accumulator, body, inside)) return undefined;
  for (const name of assigned) if (name !== accumulator && outside(name)) return undefined;

  const written = new Set<string>();
  for (const s of body) {
    const object = writtenObject(s);
    if (object) {
      if (s.kind !== "store") return undefined;
      written.add(object);
    }
  }
  const aliases = aliasGroups(fn);
  for (const name of written) {
    if (!isScratch(fn, name, position, inside) || outside(name) || aliases(name).size !== 1) return undefined;
  }
  return overwrittenBeforeRead(fn, loop.body, written, new Set()) ? accumulator : undefined;
}

/** A call with an effect, or a pop, anywhere in an expression. */
function hasEffect(e: Expr, functions: FunctionPurity): boolean {
  if (e.kind === "pop" || e.kind === "restore" || (e.kind === "call" && calleePurity(e.callee, functions) === "effect")) return true;
  return children(e).some((c) => hasEffect(c, functions));
}

/**
 * Every write of `s` in the loop is `s = s ± e`, `s += e`, or `s = t` for a temporary `t` only
 * so defined and only so read; `s` is read by nothing else in the loop.
 */
function addsOnly(fn: IrFunction, s: string, body: Stmt[], inside: Set<Stmt>): boolean {
  const sums = new Set<string>();
  const readers = new Map<string, number>();
  for (const t of walk(fn.body)) for (const name of stmtReads(t)) readers.set(name, (readers.get(name) ?? 0) + 1);
  // `s + e`, `e + s`, `s - e`, with `e` not reading `s`
  const isSum = (e: Expr): boolean => incremented(e).includes(s) && exprReads(e).filter((name) => name === s).length === 1;
  for (const t of body) {
    if (!stmtReads(t).includes(s)) continue;
    if (t.kind !== "assign" || !isSum(t.value)) return false;
    if (t.target === s) continue;
    // `t = s + e; s = t`: t is defined once, and read once, by `s = t`
    const definitions = [...walk(fn.body)].filter((u) => u.kind === "assign" && u.target === t.target);
    if (definitions.length !== 1 || readers.get(t.target) !== 1) return false;
    sums.add(t.target);
  }
  for (const t of body) {
    if (t.kind !== "assign" || t.target !== s) continue;
    if (t.accumulate) {
      if (exprReads(t.value).includes(s)) return false;
    } else if (!(t.value.kind === "var" && sums.has(t.value.name)) && !isSum(t.value)) return false;
  }
  // each sum's reader is a write of `s` inside the loop
  return [...sums].every((sum) => [...inside].some((t) => t.kind === "assign" && t.target === s && t.value.kind === "var" && t.value.name === sum));
}

/**
 * A flat local array allocated once, before the loop at the top level, with a length that is
 * a constant or a variable fixed before the allocation, and written nowhere else.
 */
function isScratch(fn: IrFunction, name: string, position: number, inside: Set<Stmt>): boolean {
  const variable = fn.vars.get(name);
  if (!variable || variable.role === "param" || !isFlatArray(variable.shape)) return false;
  const writes = [...walk(fn.body)].filter((s) => (s.kind === "assign" && s.target === name) || (writtenObject(s) === name && !inside.has(s)));
  if (writes.length !== 1) return false;
  const allocation = writes[0];
  const at = fn.body.indexOf(allocation);
  if (at < 0 || at > position || allocation.kind !== "assign" || allocation.value.kind !== "alloc") return false;
  return lengthOf(fn, allocation.value.length, at) !== undefined;
}

/** The text of an allocation's length if it stays what it was at the allocation: a literal, or a variable assigned at most once, before. */
function lengthOf(fn: IrFunction, length: Expr, at: number): string | undefined {
  if (length.kind === "lit") return `lit:${length.text}`;
  if (length.kind !== "var") return undefined;
  const definitions = [...walk(fn.body)].filter((s) => s.kind === "assign" && s.target === length.name);
  if (definitions.length > 1 || (definitions.length === 1 && !(fn.body.indexOf(definitions[0]) >= 0 && fn.body.indexOf(definitions[0]) < at))) return undefined;
  if (definitions.length === 0 && !fn.params.some((p) => p.name === length.name)) return undefined;
  return `var:${length.name}`;
}

/**
 * Every read of a scratch array in one iteration comes after a counted loop, earlier in the
 * same iteration and not inside a branch or a loop the read is outside of, that stores each
 * of its elements (`for (i = 0; i < n; i++) { …; a[i] = …; … }`, `a` allocated with length n).
 */
function overwrittenBeforeRead(fn: IrFunction, list: readonly Stmt[], scratch: ReadonlySet<string>, whole: ReadonlySet<string>): boolean {
  const full = new Set(whole);
  for (const s of list) {
    // a store reads its array only when it adds into the element
    const reads = s.kind === "store" && !s.accumulate ? stmtExprs(s).slice(1).flatMap((e) => exprReads(e)) : stmtReads(s);
    if (reads.some((name) => scratch.has(name) && !full.has(name))) return false;
    for (const child of childLists(s)) if (!overwrittenBeforeRead(fn, child, scratch, full)) return false;
    if (s.kind === "for" && s.step === 1 && s.start.kind === "lit" && s.start.text === "0") {
      for (const t of s.body) {
        if (t.kind !== "store" || t.accumulate || !scratch.has(t.object) || t.key.kind !== "index") continue;
        if (t.key.index.kind !== "var" || t.key.index.name !== s.index) continue;
        const allocation = [...walk(fn.body)].find((u) => u.kind === "assign" && u.target === t.object);
        const end = lengthOf(fn, s.end, Infinity);
        if (allocation?.kind === "assign" && allocation.value.kind === "alloc" && end !== undefined && end === lengthOf(fn, allocation.value.length, fn.body.indexOf(allocation))) full.add(t.object);
      }
    }
  }
  return true;
}
