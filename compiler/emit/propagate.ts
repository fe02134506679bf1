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
import { childLists, mapDeep, mapStmtExprs, walk } from "../ir/traverse";
import { fold } from "./fold";

/** `x → literal` or `x → y` (x holds what y holds now), indexed by `y` so an assignment of y forgets in one step. */
class Facts {
  private readonly values = new Map<string, Expr>();
  private readonly holders = new Map<string, Set<string>>();

  get size(): number {
    return this.values.size;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  get(name: string): Expr | undefined {
    return this.values.get(name);
  }

  entries(): IterableIterator<[string, Expr]> {
    return this.values.entries();
  }

  set(name: string, value: Expr): void {
    this.forget(name);
    this.values.set(name, value);
    if (value.kind === "var") (this.holders.get(value.name) ?? this.holders.set(value.name, new Set()).get(value.name)!).add(name);
  }

  /** `name` changes: what it held and what held it are no longer known. */
  kill(name: string): void {
    this.forget(name);
    for (const holder of this.holders.get(name) ?? []) this.values.delete(holder);
    this.holders.delete(name);
  }

  private forget(name: string): void {
    const value = this.values.get(name);
    if (value?.kind === "var") this.holders.get(value.name)?.delete(name);
    this.values.delete(name);
  }

  copy(): Facts {
    const out = new Facts();
    for (const [name, value] of this.values) out.set(name, value);
    return out;
  }
}

export function propagate(body: Stmt[], vars: ReadonlyMap<string, IrVar>): { body: Stmt[]; changed: boolean } {
  let changed = false;
  const tracked = (name: string) => {
    const role = vars.get(name)?.role;
    return role === "temp" || role === "generated";
  };

  const kill = (facts: Facts, name: string) => facts.kill(name);
  const substitute = (e: Expr, facts: Facts): Expr =>
    fold(mapDeep(e, (node) => (node.kind === "var" && facts.has(node.name) ? facts.get(node.name)! : node)));
  const intersect = (a: Facts, b: Facts): Facts => {
    const out = new Facts();
    for (const [x, value] of a.entries()) {
      const other = b.get(x);
      if (other && JSON.stringify(other) === JSON.stringify(value)) out.set(x, value);
    }
    return out;
  };
  const assignedIn = (stmts: readonly Stmt[]) => {
    const names = new Set<string>();
    for (const s of walk(stmts)) {
      if (s.kind === "assign") names.add(s.target);
      if (s.kind === "for") names.add(s.index);
    }
    return names;
  };

  /** Runs `list` from `facts`; rewrites it when `rewrite`; returns the facts after it. */
  const run = (list: Stmt[], facts: Facts, rewrite: boolean): Facts => {
    for (let i = 0; i < list.length; i++) {
      let s = list[i];
      if (s.kind === "if") {
        const cond = substitute(s.cond, facts);
        const then = run(rewrite ? s.then : [...s.then], facts.copy(), rewrite);
        const otherwise = run(rewrite ? s.else : [...s.else], facts.copy(), rewrite);
        if (rewrite) list[i] = { ...s, cond };
        facts = intersect(then, otherwise);
        continue;
      }
      if (s.kind === "loop" || s.kind === "for") {
        const loop = s;
        const lists = childLists(loop);
        const before = facts.copy();
        if (loop.kind === "for") kill(before, loop.index);
        let entry = before;
        for (;;) {
          const atEnd = lists.reduce((f, l) => run([...l], f, false), entry.copy());
          if (loop.kind === "for") kill(atEnd, loop.index);
          const next = intersect(intersect(before, atEnd), entry);
          if (next.size === entry.size) break;
          entry = next;
        }
        for (const name of assignedIn(lists.flat())) if (!entry.has(name)) kill(entry, name);
        if (rewrite) {
          const heads = loop.kind === "for" ? { start: substitute(loop.start, facts), end: substitute(loop.end, facts) } : {};
          if (loop.kind === "loop") {
            const afterTest = run(loop.test, entry.copy(), true);
            run(loop.body, afterTest, true);
            list[i] = { ...loop, cond: substitute(loop.cond, afterTest) };
          } else {
            run(loop.body, entry.copy(), true);
            list[i] = { ...loop, ...heads };
          }
        }
        facts = loop.kind === "loop" ? run([...loop.test], entry.copy(), false) : entry;
        continue;
      }
      s = mapStmtExprs(s, (e) => substitute(e, facts));
      if (s.kind === "assign") {
        const known = facts.get(s.target);
        if (s.accumulate && known?.kind === "lit" && known.text === "0" && tracked(s.target)) {
          s = { ...s, accumulate: undefined, value: s.accumulate === "-" ? fold({ kind: "op", op: "-", args: [s.value] }) : s.value };
        }
        const same = !s.accumulate && ((s.value.kind === "var" && s.value.name === s.target) || (known && JSON.stringify(known) === JSON.stringify(s.value) && s.value.kind !== "restore"));
        if (same && tracked(s.target)) {
          if (rewrite) {
            list.splice(i--, 1);
            changed = true;
          }
          continue;
        }
        kill(facts, s.target);
        const value = s.value;
        if (!s.accumulate && tracked(s.target) && (value.kind === "lit" || (value.kind === "var" && value.name !== s.target))) facts.set(s.target, value);
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
    return facts;
  };
  run(body, new Facts(), true);
  return { body, changed };
}

