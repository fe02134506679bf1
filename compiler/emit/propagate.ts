/**
 * Propagation of known values through generated code.
 *
 * Input: a generated function's body. Output: the same body where a generated variable
 * known to hold a literal, or the same value as another variable, is read as that literal
 * or variable; `x += e` on an `x` known to be 0 becomes `x = e`; and an assignment that
 * leaves its target as it was (`x = y` while `x` already equals `y`) is dropped. Facts are
 * followed through branches (kept where both agree) and loops (kept where the loop keeps
 * them, to a fixed point), so an adjoint reset at the end of every reverse iteration is
 * known to be 0 at the start of the next. Only generated variables and temporaries are
 * rewritten; the user's variables keep their names in the output.
 */
import { v, type Expr, type IrVar, type Stmt } from "../ir/ir";
import { childLists, mapDeep, mapStmtExprs, removeAt, walk } from "../ir/traverse";
import { UndoableMap } from "../ir/undoable";
import { fold } from "./fold";

/**
 * `x → literal` or `x → y` (x holds what y holds now), indexed by `y` so an assignment of y
 * forgets in one step. One set of facts serves the whole function: a branch or a loop body
 * is run from a mark and undone afterwards, and a join looks only at the names changed since.
 */
class Facts extends UndoableMap<string, Expr> {
  private readonly holders = new Map<string, Set<string>>();

  /** `name` changes: what it held and what held it are no longer known. */
  kill(name: string): void {
    this.set(name, undefined);
    const holders = this.holders.get(name);
    if (holders) for (const holder of [...holders]) this.set(holder, undefined);
  }

  protected override replace(name: string, old: Expr | undefined, value: Expr | undefined): void {
    if (old?.kind === "var") this.holders.get(old.name)?.delete(name);
    if (value?.kind === "var") (this.holders.get(value.name) ?? this.holders.set(value.name, new Set()).get(value.name)!).add(name);
    super.replace(name, old, value);
  }
}

/** Two facts (literals or variables) say the same. */
const sameFact = (a: Expr | undefined, b: Expr | undefined): boolean =>
  a !== undefined && b !== undefined && (a === b || (a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b)));

export function propagate(body: Stmt[], vars: ReadonlyMap<string, IrVar>): { body: Stmt[]; changed: boolean } {
  let changed = false;
  const tracked = (name: string) => {
    const role = vars.get(name)?.role;
    return role === "temp" || role === "generated";
  };
  const facts = new Facts();
  const substitute = (e: Expr): Expr => fold(mapDeep(e, (node) => (node.kind === "var" && facts.has(node.name) ? facts.get(node.name)! : node)));
  const assignedIn = (stmts: readonly Stmt[]) => {
    const names = new Set<string>();
    for (const s of walk(stmts)) {
      if (s.kind === "assign") names.add(s.target);
      if (s.kind === "for") names.add(s.index);
    }
    return names;
  };
  /** Runs `list` from the facts now, leaving the facts after it; rewrites it when `rewrite`. */
  const run = (list: Stmt[], rewrite: boolean): void => {
    const dropped = new Set<number>();
    for (let i = 0; i < list.length; i++) {
      let s = list[i];
      if (s.kind === "if") {
        // kept after the branch: what both branches agree on
        const cond = substitute(s.cond);
        const mark = facts.mark();
        run(s.then, rewrite);
        const then = facts.nowChangedSince(mark);
        facts.undo(mark);
        run(s.else, rewrite);
        const otherwise = facts.changedSince(mark);
        for (const name of new Set([...then.keys(), ...otherwise.keys()])) {
          const inThen = then.has(name) ? then.get(name) : otherwise.get(name);
          if (!sameFact(inThen, facts.get(name))) facts.set(name, undefined);
        }
        if (rewrite) list[i] = { ...s, cond };
        continue;
      }
      if (s.kind === "loop" || s.kind === "for") {
        // at the loop's head: the facts before it that every pass through the body keeps, to a fixed point
        const loop = s;
        const lists = childLists(loop);
        // a `for`'s start is evaluated once, before the loop; its end before every pass (below)
        const start = loop.kind === "for" ? substitute(loop.start) : undefined;
        if (loop.kind === "for") facts.kill(loop.index);
        for (;;) {
          const mark = facts.mark();
          for (const list of lists) run(list, false);
          if (loop.kind === "for") facts.kill(loop.index);
          const atEnd = facts.nowChangedSince(mark);
          facts.undo(mark);
          const lost = [...atEnd].filter(([name, after]) => facts.has(name) && !sameFact(after, facts.get(name)));
          if (lost.length === 0) break;
          for (const [name] of lost) facts.set(name, undefined);
        }
        for (const name of assignedIn(lists.flat())) if (!facts.has(name)) facts.kill(name);
        if (rewrite) {
          const mark = facts.mark();
          if (loop.kind === "loop") {
            run(loop.test, true);
            const cond = substitute(loop.cond);
            run(loop.body, true);
            list[i] = { ...loop, cond };
          } else {
            const end = substitute(loop.end);
            run(loop.body, true);
            list[i] = { ...loop, start: start!, end };
          }
          facts.undo(mark);
        }
        if (loop.kind === "loop") run(loop.test, false);
        continue;
      }
      s = mapStmtExprs(s, substitute);
      if (s.kind === "assign") {
        const known = facts.get(s.target);
        if (s.accumulate && known?.kind === "lit" && known.text === "0" && tracked(s.target)) {
          s = { ...s, accumulate: undefined, value: s.accumulate === "-" ? fold({ kind: "op", op: "-", args: [s.value] }) : s.value };
        }
        const same = !s.accumulate && ((s.value.kind === "var" && s.value.name === s.target) || (sameFact(known, s.value) && s.value.kind !== "restore"));
        if (same && tracked(s.target)) {
          if (rewrite) {
            dropped.add(i);
            changed = true;
          }
          continue;
        }
        facts.kill(s.target);
        const value = s.value;
        if (!s.accumulate && tracked(s.target) && ((value.kind === "lit" && !value.volatile) || (value.kind === "var" && value.name !== s.target))) facts.set(s.target, value);
        if (!s.accumulate && value.kind === "var" && value.name !== s.target && tracked(value.name) && !tracked(s.target) && !facts.has(value.name)) {
          // `x = t` for a generated `t` and a user's `x`: t now holds what x holds
          facts.set(value.name, v(s.target));
        }
      }
      if (rewrite && JSON.stringify(s) !== JSON.stringify(list[i])) {
        list[i] = s;
        changed = true;
      }
    }
    removeAt(list, dropped);
  };
  run(body, true);
  return { body, changed };
}
