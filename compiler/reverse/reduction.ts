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
 * loop, so nothing needs its value from before the loop's end. Also per loop: what is written
 * after it, and s̄ when the forward sweep knows it already (a linear chain from s to the result).
 */
import { isFlatArray, numberValue, op, type Expr, type IrFunction, type Stmt } from "../ir/ir";
import { aliasGroups } from "../ir/aliases";
import { calleePurity, type FunctionPurity } from "../ir/purity";
import { assignedNames, childLists, children, exprReads, stmtExprs, stmtReads, walk, writtenObject } from "../ir/traverse";
import { incremented } from "./increments";
import { readsOf } from "./plan";
import { arithmetic } from "./recompute";

export type ForStmt = Extract<Stmt, { kind: "for" }>;

export interface Reduction {
  accumulator: string;
  /** the accumulator's adjoint at the loop's place in reverse, when the forward sweep knows it already (knownAdjoint) */
  adjoint?: Expr;
  /** the variables and arrays something after the loop assigns or writes, with their aliases */
  changedAfter: ReadonlySet<string>;
}

/** `seed`: the adjoint of the function's result */
export function reductions(fn: IrFunction, isActive: (name: string) => boolean, functions: FunctionPurity, seed: Expr): Map<ForStmt, Reduction> {
  const found = new Map<ForStmt, Reduction>();
  // what each top-level statement reads, and how many of them read a name: before and after a loop in one pass
  const reads = fn.body.map((s) => new Set([...walk([s])].flatMap(stmtReads)));
  const readers = new Map<string, number>();
  for (const names of reads) for (const name of names) readers.set(name, (readers.get(name) ?? 0) + 1);
  const readersBefore = new Map<string, number>();
  fn.body.forEach((s, position) => {
    if (s.kind === "for") {
      const readBefore = (name: string) => (readersBefore.get(name) ?? 0) > 0;
      const readAfter = (name: string) => (readers.get(name) ?? 0) - (readersBefore.get(name) ?? 0) - (reads[position].has(name) ? 1 : 0) > 0;
      const reduction = reductionOf(fn, s, position, { readBefore, readAfter }, isActive, functions, seed);
      if (reduction) found.set(s, reduction);
    }
    for (const name of reads[position]) readersBefore.set(name, (readersBefore.get(name) ?? 0) + 1);
  });
  return found;
}

/** Whether the top-level statements before a loop, or after it, read a name. */
interface ReadAround {
  readBefore: (name: string) => boolean;
  readAfter: (name: string) => boolean;
}

function reductionOf(
  fn: IrFunction,
  loop: ForStmt,
  position: number,
  { readBefore, readAfter }: ReadAround,
  isActive: (name: string) => boolean,
  functions: FunctionPurity,
  seed: Expr,
): Reduction | undefined {
  const inside = new Set(walk([loop]));
  const body = [...walk(loop.body)];
  if (body.some((s) => stmtExprs(s).some((e) => hasEffect(e, functions)))) return undefined;
  const bounds = new Set([loop.start, loop.end].flatMap((e) => exprReads(e)));
  const before = (name: string) => readBefore(name) || bounds.has(name);
  const outside = (name: string) => before(name) || readAfter(name);

  // the one variable carried from an iteration to the next: the accumulator
  const assigned = assignedNames(loop.body);
  const carried = new Set(readsOf(loop.body).filter((name) => assigned.has(name)));
  if (carried.size !== 1) return undefined;
  const [accumulator] = carried;
  if (fn.vars.get(accumulator)?.type !== "number" || !isActive(accumulator) || before(accumulator)) return undefined;
  if (!addsOnly(fn, accumulator, body)) return undefined;
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
  if (!overwrittenBeforeRead(fn, loop.body, written, new Set())) return undefined;
  const changedAfter = new Set<string>();
  for (const s of walk(fn.body.slice(position + 1))) {
    for (const name of [...assignedNames([s]), writtenObject(s) ?? ""]) for (const alias of aliases(name)) changedAfter.add(alias);
  }
  const adjoint = knownAdjoint(fn, position, accumulator, seed);
  return { accumulator, ...(adjoint ? { adjoint } : {}), changedAfter };
}

/**
 * The accumulator's adjoint at the loop's place in the reverse sweep, when the forward sweep already knows it:
 * `coefficient · seed`, where the statements after the loop carry `s` to the returned value along one chain of linear
 * steps (`t = s`, `t = s ± a`, `t = a ± s`, `t = c · s`, `t = s / c`, `t = -s`, c a number literal, a not reading the
 * chain) — each value of the chain read once, by the next step, at the top level — and the function returns the chain's
 * last value and nothing else anywhere. Then nothing in the reverse sweep changes s̄ but those steps, whose adjoints
 * hand it on scaled by their coefficients. Undefined otherwise (s read twice, non-linearly, in a branch or a loop,
 * overwritten, or a return elsewhere).
 */
function knownAdjoint(fn: IrFunction, position: number, accumulator: string, seed: Expr): Expr | undefined {
  const rest = fn.body.slice(position + 1);
  const last = rest.at(-1);
  if (last?.kind !== "return" || [...walk(fn.body)].some((s) => s.kind === "return" && s !== last)) return undefined;
  let live = accumulator;
  let adjoint = seed;
  const consumed = new Set<string>();
  for (const s of rest.slice(0, -1)) {
    const reads = [...walk([s])].flatMap((t) => stmtReads(t));
    if (reads.some((name) => consumed.has(name))) return undefined;
    const uses = reads.filter((name) => name === live).length;
    if (uses === 0) {
      if (assignedNames([s]).has(live)) return undefined;
      continue;
    }
    const step = uses === 1 && s.kind === "assign" && !s.accumulate ? linearStep(s.value, live) : undefined;
    if (!step || s.kind !== "assign") return undefined;
    consumed.add(live);
    consumed.delete(s.target);
    live = s.target;
    adjoint = step(adjoint);
  }
  return last.value.kind === "var" && last.value.name === live ? adjoint : undefined;
}

/** How `x`'s adjoint follows from `e`'s when `e = c · x + (terms not reading x)`, c a number literal; undefined otherwise. */
function linearStep(e: Expr, x: string): ((adjoint: Expr) => Expr) | undefined {
  const isX = (a: Expr) => a.kind === "var" && a.name === x;
  const same = (adjoint: Expr) => adjoint;
  const negated = (adjoint: Expr) => op("-", adjoint);
  const constant = (c: Expr) => (numberValue(c) === undefined ? undefined : (adjoint: Expr) => op("*", adjoint, c));
  if (isX(e)) return same;
  const token = arithmetic(e);
  if (token === undefined || (e.kind !== "op" && e.kind !== "call")) return undefined;
  const [a, b] = e.args;
  if (e.args.length === 1) return token === "-" ? negated : token === "+" ? same : undefined;
  if (e.args.length !== 2) return undefined;
  if (token === "+") return same;
  if (token === "-") return isX(a) ? same : negated;
  if (token === "*") return constant(isX(a) ? b : a);
  if (token === "/" && isX(a) && numberValue(b) !== undefined) return (adjoint: Expr) => op("/", adjoint, b);
  return undefined;
}

/** A call with an effect, or a pop, anywhere in an expression. */
function hasEffect(e: Expr, functions: FunctionPurity): boolean {
  if (e.kind === "pop" || e.kind === "restore" || (e.kind === "call" && calleePurity(e.callee, functions) === "effect")) return true;
  return children(e).some((c) => hasEffect(c, functions));
}

/**
 * Every write of `s` in the loop adds to its value: `s += e`, `s = s ± e`, or `s = t` through
 * temporaries `t = s ± e`, `u = t ± e'`, … each defined once and read once; nothing else in
 * the loop reads `s` or those temporaries, and no `e` does.
 */
function addsOnly(fn: IrFunction, s: string, body: Stmt[]): boolean {
  const readers = new Map<string, number>();
  const definitions = new Map<string, number>();
  for (const t of walk(fn.body)) {
    for (const name of stmtReads(t)) readers.set(name, (readers.get(name) ?? 0) + 1);
    if (t.kind === "assign") definitions.set(t.target, (definitions.get(t.target) ?? 0) + 1);
  }
  // `s` plus terms that do not read it
  const partial = new Set([s]);
  const sum = (e: Expr): boolean => incremented(e).some((name) => partial.has(name)) && exprReads(e).filter((name) => partial.has(name)).length === 1;
  for (const t of body) {
    if (!stmtReads(t).some((name) => partial.has(name))) {
      if (t.kind === "assign" && t.target === s) return false;
      continue;
    }
    if (t.kind !== "assign") return false;
    if (t.target === s) {
      const ok = t.accumulate ? !exprReads(t.value).some((name) => partial.has(name)) : (t.value.kind === "var" && partial.has(t.value.name)) || sum(t.value);
      if (!ok) return false;
      continue;
    }
    if (t.accumulate || !sum(t.value) || definitions.get(t.target) !== 1 || readers.get(t.target) !== 1) return false;
    partial.add(t.target);
  }
  return true;
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
  // the constant indices stored at this level, per array of constant length
  const stored = new Map<string, Set<string>>();
  for (const s of list) {
    // a store reads its array only when it adds into the element
    const reads = s.kind === "store" && !s.accumulate ? stmtExprs(s).slice(1).flatMap((e) => exprReads(e)) : stmtReads(s);
    if (reads.some((name) => scratch.has(name) && !full.has(name))) return false;
    for (const child of childLists(s)) if (!overwrittenBeforeRead(fn, child, scratch, full)) return false;
    if (s.kind === "store" && !s.accumulate && scratch.has(s.object) && s.key.kind === "index" && s.key.index.kind === "lit") {
      const length = allocatedLength(fn, s.object);
      const indices = stored.get(s.object) ?? new Set();
      stored.set(s.object, indices.add(s.key.index.text));
      if (length?.startsWith("lit:") && [...Array(Number(length.slice(4))).keys()].every((i) => indices.has(String(i)))) full.add(s.object);
    }
    if (s.kind === "for" && s.step === 1 && s.start.kind === "lit" && s.start.text === "0") {
      const end = lengthOf(fn, s.end, Infinity);
      for (const t of s.body) {
        if (t.kind !== "store" || t.accumulate || !scratch.has(t.object) || t.key.kind !== "index") continue;
        if (t.key.index.kind === "var" && t.key.index.name === s.index && end !== undefined && end === allocatedLength(fn, t.object)) full.add(t.object);
      }
    }
  }
  return true;
}

/** The length a scratch array is allocated with (see lengthOf). */
function allocatedLength(fn: IrFunction, name: string): string | undefined {
  const at = fn.body.findIndex((u) => u.kind === "assign" && u.target === name);
  const allocation = fn.body[at];
  return allocation?.kind === "assign" && allocation.value.kind === "alloc" ? lengthOf(fn, allocation.value.length, at) : undefined;
}
