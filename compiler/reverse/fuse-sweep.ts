/**
 * Fusion of reverse loops: the adjoints of two loops the forward sweep ran one after the other, run as one loop.
 *
 * Input: a generated function, simplified. Output: the same function (changed in place) where two adjacent counted
 * loops counting down, `for (i …) A; S; for (j …) B`, are one, `for (i …) { A; B[j := i] }`, when the dependence test of
 * ir/fuse.ts allows it. Why: a reverse sweep runs the adjoints of a forward sweep's loops in turn, each over the same
 * range; one loop halves the loop overhead and keeps an element's adjoint in a register from one body to the other.
 * What the reverse sweep adds to the primal's test:
 * - the first loop may pop tapes and the second touches none, so the pops keep their order; a pop between the loops
 *   (`x = tape.pop()`) moves after the fused loop when the second loop neither reads nor assigns `x`;
 * - a statement between them that assigns a variable the value it holds already (`t = ik * d` again) is dropped;
 * - every array either loop writes is one the function created (an adjoint array, `new Float64Array(n)`), so none
 *   aliases another through the caller;
 * - the zeroing `o[j] = 0` of an adjoint element, the last access of `o` in the second loop's iteration j, which
 *   accesses `o` only at j, may move to a loop of its own after the fused one (fission), when that alone stands in
 *   the way: the first loop's later iterations may still read `o[j]`.
 * Invariant: every reordering is one the dependence test proved harmless; the loops' bounds are evaluated as before.
 */
import { forwardStores, fusionTest, renameDeep } from "../ir/fuse";
import { aliasGroups } from "../ir/aliases";
import { type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { isMovable, memoryReads, type FunctionPurity } from "../ir/purity";
import { assignedNames, childLists, children, exprReads, stmtExprs, stmtReads, walk } from "../ir/traverse";

type ForStmt = Extract<Stmt, { kind: "for" }>;

/** Fuses the reverse loops of `fn` in place; how many fusions it made. */
export function fuseSweepLoops(fn: OutFunction, functions: FunctionPurity): number {
  const created = createdArrays(fn);
  const aliases = aliasGroups(fn);
  const { fusable, movesBefore } = fusionTest(fn, functions, { popsInFirst: true, writable: (array) => created.has(array) });
  let fusions = 0;

  /** `x = e` where `x` holds `e` already: the same statement earlier in `list`, nothing it reads assigned since. */
  const redundant = (list: readonly Stmt[], at: number): boolean => {
    const s = list[at];
    if (s.kind !== "assign" || s.accumulate || !isMovable(s.value, functions) || memoryReads(s.value, (n) => fn.vars.get(n)?.type !== "number").length) return false;
    const text = JSON.stringify({ target: s.target, value: s.value });
    const reads = [s.target, ...exprReads(s.value)];
    for (let p = at - 1; p >= 0; p--) {
      const before = list[p];
      if (before.kind === "assign" && !before.accumulate && JSON.stringify({ target: before.target, value: before.value }) === text) return true;
      const assigned = assignedNames([before]);
      if (reads.some((n) => assigned.has(n))) return false;
    }
    return false;
  };

  /** A pop into a number variable, which may run after the second loop instead. */
  const popsAfter = (s: Stmt, second: ForStmt): boolean =>
    s.kind === "assign" &&
    !s.accumulate &&
    s.value.kind === "restore" &&
    fn.vars.get(s.target)?.type === "number" &&
    ![...walk([second])].some((x) => stmtReads(x).includes(s.target) || assignedNames([x]).has(s.target));

  /**
   * The second loop without the zeroings `o[j] = 0` that end its accesses of `o`, which it makes at its index only,
   * and a loop of the same range making them, when that makes the loops fusable; only the zeroings in the way move.
   */
  const fission = (first: ForStmt, loop: ForStmt): { kept: ForStmt; zeroing: ForStmt } | undefined => {
    const zeros = loop.body.filter((s, k) => {
      if (s.kind !== "store" || s.accumulate || s.value.kind !== "lit" || s.value.text !== "0" || !atIndex(s.key, loop.index)) return false;
      const group = aliases(s.object);
      return onlyAtIndex(loop.body, group, loop.index) && !loop.body.slice(k + 1).some((later) => touches(later, group));
    });
    const without = (moved: readonly Stmt[]): ForStmt => ({ ...loop, body: loop.body.filter((s) => !moved.includes(s)) });
    // a loop of zeroings alone is what fission leaves: fusing it would only make it again
    if (!zeros.length || without(zeros).body.every((s) => s.kind === "comment") || !fusable(first, without(zeros))) return undefined;
    let moved = zeros;
    for (const zero of zeros) {
      const fewer = moved.filter((s) => s !== zero);
      if (fusable(first, without(fewer))) moved = fewer;
    }
    return { kept: without(moved), zeroing: { ...loop, body: moved } };
  };

  const visit = (list: Stmt[]): void => {
    for (const s of list) childLists(s).forEach(visit);
    for (let i = 0; i < list.length; i++) {
      const first = list[i];
      if (first.kind !== "for" || first.step !== -1) continue;
      const [before, after, dropped]: Stmt[][] = [[], [], []];
      let j = i + 1;
      for (; j < list.length && list[j].kind !== "for"; j++) {
        const s = list[j];
        const poppedBefore = new Set(after.flatMap((x) => (x.kind === "assign" ? [x.target] : [])));
        const clashes = (s.kind === "assign" && poppedBefore.has(s.target)) || stmtReads(s).some((n) => poppedBefore.has(n));
        if (redundant(list, j) && !clashes) dropped.push(s);
        else if (movesBefore(s, first) && !clashes) before.push(s);
        else if (s.kind === "assign" && s.value.kind === "restore") after.push(s);
        else break;
      }
      const next = list[j];
      if (next?.kind !== "for" || next.step !== -1) continue;
      let second: ForStmt = next;
      let zeroing: ForStmt | undefined;
      if (!fusable(first, second)) {
        const split = fission(first, second);
        if (!split) continue;
        ({ kept: second, zeroing } = split);
      }
      if (!after.every((s) => popsAfter(s, second))) continue;
      // the zeroing loop's bounds are evaluated after the fused loop and the pops: they must read the same values
      const changed = new Set([...assignedNames(first.body), ...assignedNames(second.body), ...assignedNames(after)]);
      if (zeroing && [...exprReads(zeroing.start), ...exprReads(zeroing.end)].some((n) => changed.has(n))) continue;
      const renamed = second.body.map((s) => renameDeep(s, (n) => (n === second.index ? first.index : n)));
      const fused: ForStmt = { ...first, body: forwardStores(fn, [...first.body, ...renamed], first.index), integralEnd: first.integralEnd || second.integralEnd };
      list.splice(i, j - i + 1, ...before, fused, ...after, ...(zeroing ? [zeroing] : []));
      fusions++;
      // the fused loop may fuse with the next one
      i += before.length - 1;
    }
  };

  visit(fn.body);
  return fusions;
}

/** Arrays the function creates itself (`new Float64Array(n)`, `zerosLike(x)`) and assigns nothing else. */
export function createdArrays(fn: OutFunction): Set<string> {
  const fresh = (e: Expr) => e.kind === "alloc" || (e.kind === "call" && e.callee.kind === "runtime" && e.callee.name === "zerosLike");
  const params = new Set(fn.params.map((p) => p.name));
  const created = new Set<string>();
  const other = new Set<string>();
  for (const s of walk(fn.body)) if (s.kind === "assign") (fresh(s.value) && !s.accumulate ? created : other).add(s.target);
  return new Set([...created].filter((name) => !other.has(name) && !params.has(name) && fn.vars.get(name)?.type !== "number"));
}

/** Whether a key is `[index]`, the loop index itself. */
export const atIndex = (key: Extract<Stmt, { kind: "store" }>["key"], index: string) => key.kind === "index" && key.index.kind === "var" && key.index.name === index;

/** Whether every use of a name of `group` in `body` is an element read or store at exactly `index`. */
function onlyAtIndex(body: readonly Stmt[], group: ReadonlySet<string>, index: string): boolean {
  const exprOk = (e: Expr): boolean => {
    if (e.kind === "var") return !group.has(e.name);
    if (e.kind === "get" && e.object.kind === "var" && group.has(e.object.name)) return e.key.kind === "index" && e.key.index.kind === "var" && e.key.index.name === index;
    return children(e).every(exprOk);
  };
  return [...walk(body)].every((s) => {
    if ((s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set") && group.has(s.object) && !(s.kind === "store" && atIndex(s.key, index))) return false;
    const uses = s.kind === "store" ? [...(s.key.kind === "index" ? [s.key.index] : []), s.value] : stmtExprs(s);
    return uses.every(exprOk);
  });
}

/** Whether a statement (nested ones included) names a member of `group`. */
function touches(s: Stmt, group: ReadonlySet<string>): boolean {
  return [...walk([s])].some((x) => {
    const object = x.kind === "store" || x.kind === "push" || x.kind === "fill" || x.kind === "set" ? x.object : undefined;
    return (object !== undefined && group.has(object)) || stmtReads(x).some((n) => group.has(n));
  });
}
