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
 * Invariant (the dependence test, conservative): both bodies are number code, straight-line or in nested counted
 * loops, with movable values (rule calls only) and element stores; every array either body writes is accessed in both
 * bodies only as `o[k]`, through one name of its alias group, with `k` in a known span around the loop's index (the
 * index, an inner loop's index from its bounds, either plus or minus an integer), and no access of the first loop's
 * iteration i + δ (δ ≥ 1) may touch an element the second loop's iteration i touches when either writes it — the only
 * pairs fusion reorders (a written array is one the function created, ADG1003, so no parameter aliases it); no scalar assigned in one body is read or assigned in the other; the bounds are not assigned
 * in the first loop; the statements `S` between the loops read nothing the first loop writes and assign nothing it
 * reads, so they move before it. A triangular update `for (i …) for (j = i + 1 …) q[j] += …` fuses with a following
 * `for (i …) s += q[i] * q[i]`: iteration i of the second reads q[i], which later iterations of the first never write.
 * Forwarding happens only for arrays that store numbers unchanged (`Float64Array`, arrays).
 */
import { aliasGroups } from "./aliases";
import { arithmetic, type Expr, type IrFunction, type Stmt } from "./ir";
import { assignedNames, assignmentCounts, childLists, children, exprReads, mapDeep, mapStmtExprs, renameStmt, stmtExprs, stmtReads, walk, walkExpr } from "./traverse";
import { isMovable, memoryReads, type FunctionPurity } from "./purity";

type ForStmt = Extract<Stmt, { kind: "for" }>;

/** Fuses the loops of `fn` in place; how many fusions it made. */
export function fuseLoops(fn: IrFunction, functions: FunctionPurity): number {
  let fusions = 0;
  const { fusable, movesBefore } = fusionTest(fn, functions);

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
      const renamed = second.body.map((s) => renameDeep(s, (n) => (n === second.index ? first.index : n)));
      const fused: ForStmt = { ...first, body: forwardStores(fn, [...first.body, ...renamed], first.index), integralEnd: first.integralEnd || second.integralEnd };
      list.splice(i, j - i + 1, ...moved, fused);
      fusions++;
      // the fused loop may fuse with the next one
      i += moved.length - 1;
    }
  };

  visit(fn.body);
  return fusions;
}

/**
 * `t = o[index]` after `o[index] = u` with no store into `o`'s group between and `u` not
 * assigned between: `t` is `u`, and later reads of a single-assignment `t` read `u`.
 */
export function forwardStores(fn: Pick<IrFunction, "vars" | "body">, body: Stmt[], index: string): Stmt[] {
  const aliases = aliasGroups(fn);
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
      // an inner loop that writes into the group ends the search: what it wrote is not known here
      if (before.kind === "for" && [...walk(before.body)].some((x) => x.kind === "store" && group.has(x.object))) break;
      if (before.kind !== "store" || !group.has(before.object)) continue;
      const stored = before.value;
      const sameSlot = !before.accumulate && before.object === object && before.key.kind === "index" && before.key.index.kind === "var" && before.key.index.name === index;
      const unchanged = stored.kind === "lit" || (stored.kind === "var" && !assignedNames(out.slice(q + 1, p)).has(stored.name));
      if (sameSlot && unchanged && (stored.kind === "lit" || stored.kind === "var")) {
        out[p] = { ...s, value: stored };
        if (counts.get(s.target) === 1 && (stored.kind === "lit" || counts.get(stored.name) === 1)) replaced.set(s.target, stored);
      }
      break;
    }
  }
  return out;
}

/** What the dependence test may allow beyond the primal's loops. */
export interface FusionOptions {
  /** the first loop may pop tapes (assign `x = restore`), the second touching no tape: the pops keep their order */
  popsInFirst?: boolean;
  /** only arrays this accepts may be written (a reverse sweep writes its adjoint arrays, which must not alias) */
  writable?: (array: string) => boolean;
}

/** The legality test of fusing two adjacent counted loops of `fn`, and of moving a statement between them before the first. */
export function fusionTest(fn: Pick<IrFunction, "vars" | "body">, functions: FunctionPurity, options: FusionOptions = {}) {
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
  const isPop = (e: Expr, pops: boolean) => pops && e.kind === "restore";
  const hasEffect = (body: readonly Stmt[], pops = false) =>
    [...walk(body)].some((s) => s.kind === "effect" || s.kind === "return" || (s.kind === "assign" && !isMovable(s.value, functions) && !isPop(s.value, pops)));

  /** A statement between the loops that may run before the first one instead. */
  const movesBefore = (s: Stmt, loop: ForStmt): boolean => {
    if (s.kind === "comment") return true;
    if (s.kind !== "assign" || s.accumulate || !isMovable(s.value, functions) || hasEffect([loop], true)) return false;
    const assigned = assignedIn([loop]);
    const written = writtenIn([loop]);
    if (exprReads(s.value).some((n) => assigned.has(n)) || memoryReads(s.value, isReference).some((n) => written.has(n))) return false;
    return !assigned.has(s.target) && !readIn([loop]).has(s.target) && !exprReads(loop.start).includes(s.target) && !exprReads(loop.end).includes(s.target);
  };

  /** Number code, straight-line or in counted loops, that stores only into array elements (and pops, where allowed). */
  const simpleBody = (body: readonly Stmt[], pops = false): boolean =>
    body.every(
      (s) =>
        s.kind === "comment" ||
        (s.kind === "assign" && isScalar(s.target) && (!callsBeyondRules(s.value) || isPop(s.value, pops))) ||
        (s.kind === "store" && s.key.kind === "index" && !callsBeyondRules(s.value)) ||
        (s.kind === "for" && !callsBeyondRules(s.start) && !callsBeyondRules(s.end) && simpleBody(s.body, pops)),
    );

  const fusable = (a: ForStmt, b: ForStmt): boolean => {
    const pops = !!options.popsInFirst;
    if (a.step !== b.step || !sameExpr(a.start, b.start) || !sameExpr(a.end, b.end)) return false;
    if (!simpleBody(a.body, pops) || !simpleBody(b.body) || hasEffect(a.body, pops) || hasEffect(b.body)) return false;
    const [assignedA, assignedB] = [assignedIn(a.body), assignedIn(b.body)];
    const [readA, readB] = [readIn(a.body), readIn(b.body)];
    if ([...exprReads(a.start), ...exprReads(a.end)].some((n) => assignedA.has(n))) return false;
    if (readA.has(b.index) || assignedA.has(b.index) || readB.has(a.index) || assignedB.has(a.index)) return false;
    for (const n of assignedA) if (readB.has(n) || assignedB.has(n)) return false;
    for (const n of assignedB) if (readA.has(n)) return false;
    // every array written is accessed through one name of its alias group, at indices whose span is known, and no
    // access of `a`'s iteration i + δ meets one of `b`'s iteration i (which fusion puts before it) where either writes;
    // an array only one loop accesses keeps the order of its accesses, whatever their indices
    const [accessesA, accessesB] = [accessesOf(a), accessesOf(b)];
    const written = new Set([...accessesA, ...accessesB].flatMap((x) => (x.write ? [x.object] : [])));
    for (const array of written) {
      if (options.writable && !options.writable(array)) return false;
      const group = aliases(array);
      const [inA, inB] = [accessesA.filter((x) => group.has(x.object)), accessesB.filter((x) => group.has(x.object))];
      const both = inA.length > 0 && inB.length > 0;
      if (new Set([...inA, ...inB].map((x) => x.object)).size > 1 || (both && [...inA, ...inB].some((x) => !x.span))) return false;
      for (const x of inA) for (const y of inB) if ((x.write || y.write) && laterMeets(x.span!, y.span!, a.step)) return false;
      const uses = [a, b].flatMap((loop) => [...walk(loop.body)].flatMap(usesOf));
      if (!uses.every((e) => onlyElements(e, group))) return false;
    }
    return true;
  };
  return { fusable, movesBefore };
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

/** Whether every use of a name of `group` in `e` is an element read `o[k]`. */
function onlyElements(e: Expr, group: ReadonlySet<string>): boolean {
  if (e.kind === "var") return !group.has(e.name);
  if (e.kind === "get" && e.object.kind === "var" && group.has(e.object.name)) return e.key.kind === "index" && onlyElements(e.key.index, group);
  return children(e).every((child) => onlyElements(child, group));
}

/** The expressions a statement evaluates itself, without the array a store writes into. */
const usesOf = (s: Stmt): Expr[] => (s.kind === "store" ? [...(s.key.kind === "index" ? [s.key.index] : []), s.value] : stmtExprs(s));

/** The indices an access may touch in iteration i of its loop: i + lo … i + hi (integers, or unbounded). */
interface Span {
  lo: number;
  hi: number;
}

/** An element read or store in a loop's body, with its span when known. */
interface Access {
  object: string;
  write: boolean;
  span?: Span;
}

/**
 * The element accesses of a counted loop's body, nested loops included. An index has a span when it is the loop's
 * index, an inner counted loop's index (from its bounds: an inner `for (j = i + 1; j < n; j++)` spans i + 1 … ∞), or
 * one of these plus or minus an integer literal, through variables assigned so in the same iteration.
 */
function accessesOf(loop: ForStmt): Access[] {
  const accesses: Access[] = [];
  const visit = (list: readonly Stmt[], spans: Map<string, Span>) => {
    for (const s of list) {
      for (const e of usesOf(s)) {
        for (const node of walkExpr(e)) {
          if (node.kind === "get" && node.object.kind === "var" && node.key.kind === "index") {
            accesses.push({ object: node.object.name, write: false, span: spanOf(node.key.index, spans) });
          }
        }
      }
      if (s.kind === "store" && s.key.kind === "index") accesses.push({ object: s.object, write: true, span: spanOf(s.key.index, spans) });
      if (s.kind === "assign") {
        const span = s.accumulate ? undefined : spanOf(s.value, spans);
        if (span) spans.set(s.target, span);
        else spans.delete(s.target);
      }
      if (s.kind === "for") {
        const [start, end] = [spanOf(s.start, spans), spanOf(s.end, spans)];
        const index = s.step === 1 ? { lo: start?.lo ?? -Infinity, hi: end ? end.hi - 1 : Infinity } : { lo: end?.lo ?? -Infinity, hi: start?.hi ?? Infinity };
        const inner = new Map(spans);
        // a variable the inner body assigns holds, where it is read before that, a value of the iteration before
        for (const n of assignedNames(s.body)) inner.delete(n);
        visit(s.body, inner.set(s.index, index));
        for (const n of assignedNames([s])) spans.delete(n);
      }
    }
  };
  visit(loop.body, new Map([[loop.index, { lo: 0, hi: 0 }]]));
  return accesses;
}

/** The span of an index expression: a variable with a span, plus or minus an integer literal. */
function spanOf(e: Expr, spans: ReadonlyMap<string, Span>): Span | undefined {
  if (e.kind === "var") return spans.get(e.name);
  const token = arithmetic(e);
  const args = e.kind === "op" || e.kind === "call" ? e.args : [];
  if ((token !== "+" && token !== "-") || args.length !== 2) return undefined;
  const [base, shift] = token === "+" && args[0].kind === "lit" ? [args[1], args[0]] : args;
  const span = base.kind === "var" ? spans.get(base.name) : undefined;
  if (!span || shift.kind !== "lit" || !/^\d+$/.test(shift.text)) return undefined;
  const by = token === "+" ? Number(shift.text) : -Number(shift.text);
  return { lo: span.lo + by, hi: span.hi + by };
}

/**
 * Whether an access of the first loop's iteration i + δ·step (δ ≥ 1), which runs after iteration i of the second
 * loop once fused and before it apart, may touch an element that the second loop's access touches in iteration i.
 */
function laterMeets(first: Span, second: Span, step: 1 | -1): boolean {
  const flip = (span: Span): Span => ({ lo: -span.hi, hi: -span.lo });
  const [a, b] = step === 1 ? [first, second] : [flip(first), flip(second)];
  // [i + δ + a.lo, i + δ + a.hi] meets [i + b.lo, i + b.hi] for δ in [b.lo − a.hi, b.hi − a.lo]
  return b.hi - a.lo >= Math.max(1, b.lo - a.hi);
}

/** A statement renamed, its nested statements too. */
export function renameDeep(s: Stmt, rename: (name: string) => string): Stmt {
  const renamed = renameStmt(s, rename);
  return renamed.kind === "for" ? { ...renamed, body: renamed.body.map((inner) => renameDeep(inner, rename)) } : renamed;
}
