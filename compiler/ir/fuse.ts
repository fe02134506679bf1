/**
 * Loop fusion: adjacent counted loops over the same range become one, and within the fused
 * body an element read right after its store takes the stored value.
 *
 * Input: an IrFunction in A-normal form, after hoisting. Output: the same function (changed in place) where
 * `for (i = a; i < b; i++) B1; S; for (j = a; j < b; j++) B2` is `S; for (i …) { B1; B2[j := i] }`
 * when that is legal, and `t = o[i]` after `o[i] = u` in a fused body reads `u` instead.
 * Why: one loop instead of two in the primal, the forward sweep and the reverse sweep, and
 * a value forwarded from a store is computed from what the store computed it from, so the
 * reverse sweep can redo it rather than save it (recompute.ts).
 * Invariant (the dependence test, conservative): both bodies are straight-line code of
 * number assignments with movable values (rule calls only) and element stores; every array
 * either body writes is accessed in both bodies only as `o[i]`, through one name of its alias
 * group, so iteration i of either loop touches element i alone and fusion only reorders
 * accesses of different elements; no scalar assigned in one body is read or assigned in the
 * other; the bounds are not assigned in the first loop; the statements `S` between the loops
 * read nothing the first loop writes and assign nothing it reads, so they move before it.
 * Forwarding happens only for arrays that store numbers unchanged (`Float64Array`, arrays).
 */
import { aliasGroups } from "./aliases";
import { type Expr, type IrFunction, type Stmt } from "./ir";
import { assignedNames, assignmentCounts, childLists, children, exprReads, mapDeep, mapStmtExprs, renameStmt, stmtReads, walk } from "./traverse";
import { isMovable, memoryReads, type FunctionPurity } from "./purity";

type ForStmt = Extract<Stmt, { kind: "for" }>;

/** Fuses the loops of `fn` in place; how many fusions it made. */
export function fuseLoops(fn: IrFunction, functions: FunctionPurity): number {
  let fusions = 0;
  const aliases = aliasGroups(fn);
  const isReference = (name: string) => fn.vars.get(name)?.type !== "number";
  const isScalar = (name: string) => {
    const info = fn.vars.get(name);
    return !!info && (info.shape.kind === "number" || info.typeText === "number" || info.typeText === "boolean");
  };
  const sameExpr = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);
  const assignedIn = assignedNames;
  const readIn = (body: readonly Stmt[]) => new Set([...walk(body)].flatMap(stmtReads));
  const writtenIn = (body: readonly Stmt[]) => new Set([...walk(body)].flatMap((s) => (s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set" ? [...aliases(s.object)] : [])));
  const hasEffect = (body: readonly Stmt[]) => [...walk(body)].some((s) => s.kind === "effect" || s.kind === "return" || (s.kind === "assign" && !isMovable(s.value, functions)));

  /** A statement between the loops that may run before the first one instead. */
  const movesBefore = (s: Stmt, loop: ForStmt): boolean => {
    if (s.kind === "comment") return true;
    if (s.kind !== "assign" || s.accumulate || !isMovable(s.value, functions) || hasEffect([loop])) return false;
    const assigned = assignedIn([loop]);
    const written = writtenIn([loop]);
    if (exprReads(s.value).some((n) => assigned.has(n)) || memoryReads(s.value, isReference).some((n) => written.has(n))) return false;
    return !assigned.has(s.target) && !readIn([loop]).has(s.target) && !exprReads(loop.start).includes(s.target) && !exprReads(loop.end).includes(s.target);
  };

  /** Straight-line number code whose array accesses are all `o[index]`; the arrays it writes. */
  const simpleBody = (body: readonly Stmt[]): boolean =>
    body.every((s) => s.kind === "comment" || (s.kind === "assign" && isScalar(s.target) && !callsBeyondRules(s.value)) || (s.kind === "store" && s.key.kind === "index" && !callsBeyondRules(s.value)));

  const fusable = (a: ForStmt, b: ForStmt): boolean => {
    if (a.step !== b.step || !sameExpr(a.start, b.start) || !sameExpr(a.end, b.end)) return false;
    if (!simpleBody(a.body) || !simpleBody(b.body) || hasEffect(a.body) || hasEffect(b.body)) return false;
    const [assignedA, assignedB] = [assignedIn(a.body), assignedIn(b.body)];
    const [readA, readB] = [readIn(a.body), readIn(b.body)];
    if ([...exprReads(a.start), ...exprReads(a.end)].some((n) => assignedA.has(n))) return false;
    if (readA.has(b.index) || assignedA.has(b.index) || readB.has(a.index) || assignedB.has(a.index)) return false;
    for (const n of assignedA) if (readB.has(n) || assignedB.has(n)) return false;
    for (const n of assignedB) if (readA.has(n)) return false;
    // every array written is accessed as `o[index]` only, by one name of its alias group
    const written = new Set([...walk([...a.body, ...b.body])].flatMap((s) => (s.kind === "store" ? [s.object] : [])));
    for (const array of written) {
      const group = aliases(array);
      const used = new Set<string>();
      const elementAt = (object: string, index: Expr, loop: ForStmt) => {
        used.add(object);
        return index.kind === "var" && index.name === loop.index;
      };
      for (const [loop, body] of [[a, a.body], [b, b.body]] as const) {
        for (const s of body) {
          if (s.kind === "store" && group.has(s.object) && (s.key.kind !== "index" || !elementAt(s.object, s.key.index, loop))) return false;
          const exprs = s.kind === "store" ? [...(s.key.kind === "index" ? [s.key.index] : []), s.value] : s.kind === "assign" ? [s.value] : [];
          for (const e of exprs) if (!onlyElements(e, group, (object, index) => elementAt(object, index, loop))) return false;
        }
      }
      if (used.size > 1) return false;
    }
    return true;
  };

  const visit = (list: Stmt[]): void => {
    for (const s of list) childLists(s).forEach(visit);
    for (let i = 0; i < list.length; i++) {
      const first = list[i];
      if (first.kind !== "for") continue;
      let j = i + 1;
      while (j < list.length && list[j].kind !== "for" && movesBefore(list[j], first)) j++;
      const second = list[j];
      if (second?.kind !== "for" || !fusable(first, second)) continue;
      const moved = list.slice(i + 1, j);
      const renamed = second.body.map((s) => renameStmt(s, (n) => (n === second.index ? first.index : n)));
      const fused: ForStmt = { ...first, body: forwardStores([...first.body, ...renamed], first.index), integralEnd: first.integralEnd || second.integralEnd };
      list.splice(i, j - i + 1, ...moved, fused);
      fusions++;
      // the fused loop may fuse with the next one
      i += moved.length - 1;
    }
  };

  /**
   * `t = o[index]` after `o[index] = u` with no store into `o`'s group between and `u` not
   * assigned between: `t` is `u`, and later reads of a single-assignment `t` read `u`.
   */
  const forwardStores = (body: Stmt[], index: string): Stmt[] => {
    const counts = assignmentCounts(fn.body);
    const exact = (object: string) => {
      const shape = fn.vars.get(object)?.shape;
      return shape?.kind === "array" && shape.element.kind === "number" && shape.ctor !== "Float32Array";
    };
    const out = [...body];
    const replaced = new Map<string, Expr>();
    for (let p = 0; p < out.length; p++) {
      let s = out[p];
      if (replaced.size) s = out[p] = mapStmtExprs(s, (e) => mapDeep(e, (node) => (node.kind === "var" ? (replaced.get(node.name) ?? node) : node)));
      if (s.kind !== "assign" || s.value.kind !== "get" || s.value.object.kind !== "var" || s.value.key.kind !== "index") continue;
      const { name: object } = s.value.object;
      const key = s.value.key.index;
      if (key.kind !== "var" || key.name !== index || !exact(object)) continue;
      const group = aliases(object);
      for (let q = p - 1; q >= 0; q--) {
        const before = out[q];
        if (before.kind !== "store" || !group.has(before.object)) continue;
        const stored = before.value;
        const sameSlot = before.object === object && before.key.kind === "index" && before.key.index.kind === "var" && before.key.index.name === index;
        const unchanged = stored.kind === "lit" || (stored.kind === "var" && !out.slice(q + 1, p).some((x) => x.kind === "assign" && x.target === stored.name));
        if (sameSlot && unchanged && (stored.kind === "lit" || stored.kind === "var")) {
          out[p] = { ...s, value: stored };
          if (counts.get(s.target) === 1 && (stored.kind === "lit" || counts.get(stored.name) === 1)) replaced.set(s.target, stored);
        }
        break;
      }
    }
    return out;
  };

  visit(fn.body);
  return fusions;
}

/**
 * Whether an expression calls anything but a rule on single values (a callee may write
 * through its arguments; a spread rule reads a whole array), or pops a stack or a tape.
 */
export function callsBeyondRules(e: Expr): boolean {
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "call" && (node.callee.kind !== "rule" || node.spread)) return true;
    if (node.kind === "pop" || node.kind === "restore") return true;
    stack.push(...children(node));
  }
  return false;
}

/** Whether every use of a name of `group` in `e` is an element read `o[k]` that `element` accepts. */
function onlyElements(e: Expr, group: ReadonlySet<string>, element: (object: string, index: Expr) => boolean): boolean {
  if (e.kind === "var") return !group.has(e.name);
  if (e.kind === "get" && e.object.kind === "var" && group.has(e.object.name)) {
    return e.key.kind === "index" && element(e.object.name, e.key.index) && onlyElements(e.key.index, group, element);
  }
  return children(e).every((child) => onlyElements(child, group, element));
}
