/**
 * Known-zero adjoint elements: the adjoint of a scratch array, zero wherever the reverse sweep first adds into it.
 *
 * Input: a generated function, simplified (reverse loops fused). Output: the same function (changed in place) where,
 * for an array `o` the function creates (zero), that only it accesses, by element, through no other name:
 * - the first store into `o[i]` in the body of the counted loop over `i` that makes every access of `o` (its
 *   iteration i accesses `o[i]` only, its last access `o[i] = 0`), or of such a loop followed by a loop of the same
 *   range zeroing `o` (`for (j …) o[j] = 0`, all of `o`'s accesses in the two), assigns instead of adding: `o[i]` is zero
 *   there, as every iteration before left what it wrote zero again and no other iteration writes `o[i]`;
 * - reads of `o[i]` after that store in the iteration, before another store into `o`, read the value stored;
 * - the zeroing loop is dropped when every read of `o` left in the first reads an element the loop wrote before in
 *   the same run (`o[i]` after its store, or `o[j]` in an inner loop over j from the outer loop's start down to
 *   i + 1): each element read is then assigned before, and the zeros are never read;
 * - an array no statement reads any more loses its stores.
 * Why: the adjoint of a forward loop that overwrites a scratch array reads each element's adjoint and zeroes it; the
 * reverse loop that adds into it first then loads a zero, and a loop of its own puts the zeros back.
 * Invariant: when a condition is not proved the code stays as it is.
 */
import { aliasGroups } from "../ir/aliases";
import { arithmetic, op, v, type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { assignedNames, childLists, children, exprReads, mapDeep, mapStmtExprs, stmtExprs, walk, walkExpr } from "../ir/traverse";
import { atIndex, createdArrays } from "./fuse-sweep";

type ForStmt = Extract<Stmt, { kind: "for" }>;

/** Rewrites the known-zero adjoint elements of `fn` in place; whether anything changed. `temp` names a number temporary. */
export function zeroKnownAdjoints(fn: OutFunction, temp: () => string): boolean {
  const aliases = aliasGroups(fn);
  const arrays = [...createdArrays(fn)].filter((name) => zeroFloat64(fn, name) && aliases(name).size === 1 && elementsOnly(fn.body, name));
  let changed = false;
  for (const array of arrays) {
    const site = findSite(fn.body, array);
    if (!site) continue;
    const { loop, zeroing, list } = site;
    if (!assignFirst(loop, array)) continue;
    changed = true;
    forwardStores(loop, array, temp);
    if (zeroing && readsCovered(loop, array)) {
      zeroing.body = zeroing.body.filter((s) => !(s.kind === "store" && s.object === array));
      if (zeroing.body.every((s) => s.kind === "comment")) list.splice(list.indexOf(zeroing), 1);
    }
    if (![...walk(fn.body)].some((s) => stmtExprs(s).some((e) => readsArray(e, array)))) removeStores(fn.body, array);
  }
  return changed;
}

/**
 * The loop that makes every access of `array`, each iteration at its index only and top-level stores only, with the
 * zeroing that ends each iteration or a zeroing loop of the same range right after it (nothing between touching it).
 */
function findSite(body: Stmt[], array: string): { loop: ForStmt; zeroing?: ForStmt; list: Stmt[] } | undefined {
  const total = [...walk(body)].filter((s) => touchesItself(s, array)).length;
  for (const list of lists(body)) {
    for (let p = 0; p < list.length; p++) {
      const loop = list[p];
      if (loop.kind !== "for" || [...walk(loop.body)].some((s) => s.kind === "return")) continue;
      const inLoop = [...walk(loop.body)].filter((s) => touchesItself(s, array));
      if (!inLoop.length || !storesAtIndex(loop, array)) continue;
      const last = loop.body.filter((s) => touches(s, array)).at(-1);
      const endsZero = last && isZeroStore(last, array, loop.index);
      if (endsZero && inLoop.length === total && readsAtIndexOnly(loop, array)) return { loop, list };
      const q = list.findIndex((s, k) => k > p && touches(s, array));
      const zeroing = list[q];
      if (zeroing?.kind !== "for" || zeroing.step !== loop.step || !same(zeroing.start, loop.start) || !same(zeroing.end, loop.end)) continue;
      if (!zeroing.body.every((s) => s.kind === "comment" || (s.kind === "store" && isZeroStore(s, s.object, zeroing.index)))) continue;
      const between = list.slice(p, q);
      const changed = assignedNames(between);
      if ([...exprReads(loop.start), ...exprReads(loop.end)].some((n) => changed.has(n))) continue;
      if (inLoop.length + zeroing.body.filter((s) => touchesItself(s, array)).length === total) return { loop, zeroing, list };
    }
  }
  return undefined;
}

/** The first top-level store into `array[i]` assigns (`+= e` is `= e`, `-= e` is `= -e`); false when there is none. */
function assignFirst(loop: ForStmt, array: string): boolean {
  const at = loop.body.findIndex((s) => touches(s, array));
  const first = loop.body[at];
  if (first?.kind !== "store" || first.object !== array) return false;
  if (first.accumulate) loop.body[at] = { ...first, accumulate: undefined, value: first.accumulate === "-" ? { kind: "op", op: "-", args: [first.value] } : first.value };
  return true;
}

/**
 * From the first store on, each top-level store into `array[i]` stores a temporary holding the element's new value
 * (`+= e` is the last one plus e), and reads of `array[i]` read the temporary; up to a statement that stores into the
 * array inside a nested block, where the element's value is no longer known.
 */
function forwardStores(loop: ForStmt, array: string, temp: () => string): void {
  const element = (e: Expr) => e.kind === "get" && e.object.kind === "var" && e.object.name === array && atIndex(e.key, loop.index);
  let current: string | undefined;
  const known = (e: Expr) => (current ? mapDeep(e, (node) => (element(node) ? v(current!) : node)) : e);
  for (let k = loop.body.findIndex((s) => touches(s, array)); k < loop.body.length; k++) {
    const s = loop.body[k];
    if (s.kind === "store" && s.object === array) {
      const value = s.accumulate ? op(s.accumulate, v(current!), known(s.value)) : known(s.value);
      const name = temp();
      loop.body.splice(k, 1, { kind: "assign", target: name, value, origin: s.origin }, { ...s, accumulate: undefined, value: v(name) });
      current = name;
      k++;
      continue;
    }
    if ([...walk([s])].some((x) => x.kind === "store" && x.object === array)) return;
    loop.body[k] = mapStmtDeep(s, known);
  }
}

/** A statement with `f` applied to its expressions and to those of the statements nested in it. */
function mapStmtDeep(s: Stmt, f: (e: Expr) => Expr): Stmt {
  const mapped = mapStmtExprs(s, f);
  if (mapped.kind === "for" || mapped.kind === "loop") return { ...mapped, body: mapped.body.map((x) => mapStmtDeep(x, f)), ...(mapped.kind === "loop" ? { test: mapped.test.map((x) => mapStmtDeep(x, f)) } : {}) };
  if (mapped.kind === "if") return { ...mapped, then: mapped.then.map((x) => mapStmtDeep(x, f)), else: mapped.else.map((x) => mapStmtDeep(x, f)) };
  return mapped;
}

/**
 * Whether every read of `array` in the loop reads an element written before in the same run of the loop: `array[i]`
 * after the first store, or `array[j]` in an inner loop counting j down from the loop's own start to i + c (c ≥ 1).
 */
function readsCovered(loop: ForStmt, array: string): boolean {
  if (loop.step !== -1 || [...exprReads(loop.start)].some((n) => assignedNames(loop.body).has(n))) return false;
  const first = loop.body.findIndex((s) => touches(s, array));
  const single = (name: string) => [...walk(loop.body)].filter((s) => s.kind === "assign" && s.target === name);
  /** `i + c` with c ≥ 1, directly or through a variable assigned so once, at the top of the body, before `before`. */
  const above = (e: Expr, before: number): boolean => {
    if (e.kind === "var") {
      const defs = single(e.name);
      const at = loop.body.findIndex((s) => defs.includes(s));
      return defs.length === 1 && at >= 0 && at < before && defs[0].kind === "assign" && !defs[0].accumulate && above(defs[0].value, at);
    }
    const args = e.kind === "op" || e.kind === "call" ? e.args : [];
    const [base, shift] = args[0]?.kind === "lit" ? [args[1], args[0]] : args;
    return arithmetic(e) === "+" && args.length === 2 && base.kind === "var" && base.name === loop.index && shift.kind === "lit" && /^[1-9]\d*$/.test(shift.text);
  };
  /** `top`: the top-level statement of the body the list lies in (undefined for the body itself). */
  const covered = (list: readonly Stmt[], top: number | undefined, inner?: ForStmt): boolean =>
    list.every((s, k) => {
      const at = top ?? k;
      const readsOk = stmtExprs(s).every((e) =>
        [...walkExpr(e)].every((node) => {
          if (node.kind !== "get" || node.object.kind !== "var" || node.object.name !== array) return true;
          return (atIndex(node.key, loop.index) && at > first) || (!!inner && atIndex(node.key, inner.index));
        }),
      );
      const down = s.kind === "for" && s.step === -1 && same(s.start, loop.start) && above(s.end, at);
      return readsOk && childLists(s).every((nested) => covered(nested, at, down ? s : inner));
    });
  return covered(loop.body, undefined);
}

function storesAtIndex(loop: ForStmt, array: string): boolean {
  const nested = loop.body.flatMap((s) => (s.kind === "for" || s.kind === "if" || s.kind === "loop" ? [...walk(childLists(s).flat())] : []));
  if (nested.some((s) => s.kind === "store" && s.object === array)) return false;
  return loop.body.every((s) => s.kind !== "store" || s.object !== array || atIndex(s.key, loop.index));
}

function readsAtIndexOnly(loop: ForStmt, array: string): boolean {
  return [...walk(loop.body)].every((s) =>
    stmtExprs(s).every((e) => [...walkExpr(e)].every((node) => node.kind !== "get" || node.object.kind !== "var" || node.object.name !== array || atIndex(node.key, loop.index))),
  );
}

/** Whether the array is made of zeros, as a `Float64Array` (an element stored reads back unchanged). */
function zeroFloat64(fn: OutFunction, array: string): boolean {
  return [...walk(fn.body)].every((s) => {
    if (s.kind !== "assign" || s.target !== array) return true;
    const e = s.value;
    if (e.kind === "alloc") return e.ctor === "Float64Array" && (!e.fill || (e.fill.kind === "lit" && e.fill.text === "0"));
    return e.kind === "call" && e.callee.kind === "runtime" && e.callee.name === "zerosLike" && fn.vars.get(array)?.typeText === "Float64Array";
  });
}

/** Whether every use of `array` is an element read or a store into an element (its creation aside). */
function elementsOnly(body: readonly Stmt[], array: string): boolean {
  const ok = (e: Expr): boolean => {
    if (e.kind === "var") return e.name !== array;
    if (e.kind === "get" && e.object.kind === "var" && e.object.name === array) return e.key.kind === "index" && ok(e.key.index);
    return children(e).every(ok);
  };
  return [...walk(body)].every((s) => {
    if ((s.kind === "push" || s.kind === "fill" || s.kind === "set") && s.object === array) return false;
    if (s.kind === "store" && s.object === array && s.key.kind !== "index") return false;
    if (s.kind === "assign" && s.target === array) return true;
    const uses = s.kind === "store" ? [...(s.key.kind === "index" ? [s.key.index] : []), s.value] : stmtExprs(s);
    return uses.every(ok);
  });
}

function removeStores(list: Stmt[], array: string): void {
  for (let k = list.length - 1; k >= 0; k--) {
    const s = list[k];
    if (s.kind === "store" && s.object === array) list.splice(k, 1);
    else childLists(s).forEach((inner) => removeStores(inner, array));
  }
}

function* lists(body: Stmt[]): Generator<Stmt[]> {
  yield body;
  for (const s of body) for (const inner of childLists(s)) yield* lists(inner);
}

const same = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);
const isZeroStore = (s: Stmt, array: string, index: string) =>
  s.kind === "store" && s.object === array && !s.accumulate && s.value.kind === "lit" && s.value.text === "0" && atIndex(s.key, index);
const readsArray = (e: Expr, array: string) => [...walkExpr(e)].some((node) => node.kind === "get" && node.object.kind === "var" && node.object.name === array);

/** Whether a statement, nested ones included, reads or writes `array`. */
const touches = (s: Stmt, array: string): boolean => [...walk([s])].some((x) => touchesItself(x, array));

/** Whether a statement itself (its own expressions, not nested statements') reads or writes `array`. */
const touchesItself = (s: Stmt, array: string): boolean => (s.kind === "store" && s.object === array) || stmtExprs(s).some((e) => exprReads(e).includes(array));
