/**
 * Traversals of the IR: the children of an expression and the statement lists of a
 * statement, walks over a body without recursion, the names read and written, and maps
 * that rebuild expressions and statements. Pure functions of ir.ts's types.
 */
import { v, type Callee, type Expr, type Key, type Stmt } from "./ir";

/** The expressions a node reads directly (operands, the object read from, indices). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "var":
    case "lit":
    case "restore":
      return [];
    case "op":
      return e.args;
    case "call":
      return [...calleeExprs(e.callee), ...e.args];
    case "get":
      return e.key.kind === "index" ? [e.object, e.key.index] : [e.object];
    case "length":
    case "pop":
      return [e.object];
    case "alloc":
      return e.fill ? [e.length, e.fill] : [e.length];
    case "clone":
    case "view":
      return [e.object, ...(e.start ? [e.start] : []), ...(e.end ? [e.end] : [])];
    case "literal":
      return e.items.map((i) => i.value);
  }
}

/** The expression with `f` applied to each direct child. */
/** Every node of an expression, itself included. */
export function* walkExpr(e: Expr): Generator<Expr> {
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    stack.push(...children(node));
  }
}

export function mapChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  switch (e.kind) {
    case "var":
    case "lit":
    case "restore":
      return e;
    case "op":
      return { ...e, args: e.args.map(f) };
    case "call":
      return { ...e, callee: mapCallee(e.callee, f), args: e.args.map(f) };
    case "get":
      return { ...e, object: f(e.object), key: mapKey(e.key, f) };
    case "length":
    case "pop":
      return { ...e, object: f(e.object) };
    case "alloc":
      return { ...e, length: f(e.length), ...(e.fill ? { fill: f(e.fill) } : {}) };
    case "clone":
    case "view":
      return { ...e, object: f(e.object), ...(e.start ? { start: f(e.start) } : {}), ...(e.end ? { end: f(e.end) } : {}) };
    case "literal":
      return { ...e, items: e.items.map((i) => ({ key: i.key, value: f(i.value) })) };
  }
}

/** The expressions a callee evaluates: an opaque callee's function or object, a method's receiver. */
export function calleeExprs(callee: Callee): Expr[] {
  if (callee.kind === "opaque") return [callee.fn];
  if ((callee.kind === "differentiable" || callee.kind === "generated") && callee.receiver) return [callee.receiver];
  return [];
}

function mapCallee(callee: Callee, f: (e: Expr) => Expr): Callee {
  if (callee.kind === "opaque") return { ...callee, fn: f(callee.fn) };
  if ((callee.kind === "differentiable" || callee.kind === "generated") && callee.receiver) return { ...callee, receiver: f(callee.receiver) };
  return callee;
}

export const mapKey = (key: Key, f: (e: Expr) => Expr): Key => (key.kind === "index" ? { kind: "index", index: f(key.index) } : key);

/** Every name an expression reads, in evaluation order (with repeats). */
export function exprReads(e: Expr, out: string[] = []): string[] {
  const stack: Expr[] = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "var") out.push(node.name);
    else {
      const kids = children(node);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
  }
  return out;
}

/** The expressions a statement evaluates itself (not those of nested statements). */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "assign":
      return s.accumulate ? [v(s.target), s.value] : [s.value];
    case "store":
      return [v(s.object), ...(s.key.kind === "index" ? [s.key.index] : []), s.value];
    case "push":
      return [v(s.object), s.value];
    case "fill":
      return [v(s.object), s.value, ...(s.start ? [s.start] : []), ...(s.end ? [s.end] : [])];
    case "set":
      return [v(s.object), s.source, ...(s.offset ? [s.offset] : [])];
    case "effect":
    case "save":
    case "return":
      return [s.value];
    case "if":
    case "loop":
      return [s.cond];
    case "for":
      return [s.start, s.end];
    case "comment":
      return [];
  }
}

/** Every name a statement reads itself (nested statements not included). */
export function stmtReads(s: Stmt): string[] {
  const out: string[] = [];
  for (const e of stmtExprs(s)) exprReads(e, out);
  return out;
}

/** The statement with `f` applied to each expression it evaluates itself. */
export function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.kind) {
    case "assign":
      return { ...s, value: f(s.value) };
    case "store":
      return { ...s, key: mapKey(s.key, f), value: f(s.value) };
    case "push":
    case "effect":
    case "save":
    case "return":
      return { ...s, value: f(s.value) };
    case "fill":
      return { ...s, value: f(s.value), ...(s.start ? { start: f(s.start) } : {}), ...(s.end ? { end: f(s.end) } : {}) };
    case "set":
      return { ...s, source: f(s.source), ...(s.offset ? { offset: f(s.offset) } : {}) };
    case "if":
    case "loop":
      return { ...s, cond: f(s.cond) };
    case "for":
      return { ...s, start: f(s.start), end: f(s.end) };
    case "comment":
      return s;
  }
}

/** The statement lists nested in a statement. */
export function childLists(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case "if":
      return [s.then, s.else];
    case "loop":
      return [s.test, s.body];
    case "for":
      return [s.body];
    default:
      return [];
  }
}

/** Every statement in a body, nested ones included, in program order (no recursion). */
export function* walk(body: readonly Stmt[]): Generator<Stmt> {
  const stack: { list: readonly Stmt[]; i: number }[] = [{ list: body, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const s = top.list[top.i++];
    yield s;
    const lists = childLists(s);
    for (let k = lists.length - 1; k >= 0; k--) stack.push({ list: lists[k], i: 0 });
  }
}

/** The variable a statement assigns, if any. */
export const assigned = (s: Stmt): string | undefined => (s.kind === "assign" ? s.target : undefined);

/** The array or object a statement writes into, if any. */
export function writtenObject(s: Stmt): string | undefined {
  switch (s.kind) {
    case "store":
    case "push":
    case "fill":
    case "set":
      return s.object;
    default:
      return undefined;
  }
}

/** The variables statements assign, nested ones and loop indices included. */
export function assignedNames(body: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  for (const s of walk(body)) {
    if (s.kind === "assign") names.add(s.target);
    if (s.kind === "for") names.add(s.index);
  }
  return names;
}

/** How many statements assign each variable. */
export function assignmentCounts(body: readonly Stmt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of walk(body)) if (s.kind === "assign") counts.set(s.target, (counts.get(s.target) ?? 0) + 1);
  for (const s of walk(body)) if (s.kind === "for") counts.set(s.index, (counts.get(s.index) ?? 0) + 1);
  return counts;
}

/** An expression rebuilt bottom-up, `f` applied to every node after its children. */
export function mapDeep(e: Expr, f: (node: Expr) => Expr): Expr {
  return f(mapChildren(e, (child) => mapDeep(child, f)));
}

/** The statement with variables renamed (reads, targets and written objects alike). */
export function renameStmt(s: Stmt, rename: (name: string) => string): Stmt {
  const renamed = mapStmtExprs(s, (e) => mapDeep(e, (node) => (node.kind === "var" ? v(rename(node.name)) : node)));
  switch (renamed.kind) {
    case "assign":
      return { ...renamed, target: rename(renamed.target) };
    case "store":
    case "push":
    case "fill":
    case "set":
      return { ...renamed, object: rename(renamed.object) };
    case "for":
      return { ...renamed, index: rename(renamed.index) };
    default:
      return renamed;
  }
}

/** Removes the statements at `positions` from `list`, in place, in one pass (a splice each would be quadratic). */
export function removeAt(list: Stmt[], positions: ReadonlySet<number>): void {
  if (positions.size === 0) return;
  let kept = 0;
  for (let i = 0; i < list.length; i++) if (!positions.has(i)) list[kept++] = list[i];
  list.length = kept;
}
