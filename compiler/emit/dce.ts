/**
 * Dead code removal in generated functions.
 *
 * Input: a generated function. Output: the same function without the statements whose
 * work nothing observes: assignments to variables not read afterwards, writes into arrays
 * no live name can reach (aliases included; arrays of the parameters, of call results and
 * arguments and of the tapes may be held elsewhere, so they are always reachable), branches and loops left empty, and tape save/restore pairs whose restored
 * value nobody reads. Liveness is computed backwards over the structured code, loops to a
 * fixed point. Effects (purity.ts) are never removed, except such a balanced tape pair.
 */
import { aliasGroups } from "../ir/aliases";
import { type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { childLists, exprReads, removeAt, stmtExprs, stmtReads, walk } from "../ir/traverse";
import { isDroppable, type FunctionPurity } from "../ir/purity";
import { UndoableSet } from "../ir/undoable";

export function removeDeadCode(fn: OutFunction, functions: FunctionPurity): boolean {
  const aliases = aliasGroups({ vars: fn.vars, body: fn.body, params: [], origins: [] } as never);
  // storage someone else may hold: the caller's (parameters), and what a call returned, was
  // given or a tape held (a callee's forward half keeps the result's shadow for its reverse half)
  const outside = new Set(fn.params.map((p) => p.name));
  if (fn.self) outside.add("this");
  for (const s of walk(fn.body)) {
    if (s.kind === "assign" && (s.value.kind === "call" || s.value.kind === "restore" || s.value.kind === "pop")) outside.add(s.target);
    for (const e of stmtExprs(s)) if (e.kind === "call") for (const n of exprReads(e)) outside.add(n);
  }
  const reachable = (object: string) => [...aliases(object)].some((n) => live.has(n) || outside.has(n));
  const pairSaves = new Set<number>();
  for (const s of walk(fn.body)) if (s.kind === "save" && s.pair !== undefined) pairSaves.add(s.pair);
  const deadPairs = new Set<number>();
  let changed = false;

  // One set of live names for the whole function, turned from liveness after each statement
  // into liveness before it; branches and loop bodies are tried from a mark and undone.
  const live = new UndoableSet<string>();
  const addReads = (names: Iterable<string>) => {
    for (const n of names) live.add(n);
  };

  /** Turns `live` from liveness after `list` into liveness before it; removes dead statements when `rewrite`. */
  const run = (list: Stmt[], rewrite: boolean): void => {
    // dropped statements are taken out in one pass at the end (a splice each would be quadratic)
    const dropped = new Set<number>();
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i];
      const drop = () => {
        if (rewrite) {
          dropped.add(i);
          changed = true;
        }
      };
      switch (s.kind) {
        case "assign": {
          if (!s.accumulate && !live.has(s.target)) {
            if (isDroppable(s.value, functions)) {
              drop();
              continue;
            }
            if (s.value.kind === "restore" && s.value.pair !== undefined && pairSaves.has(s.value.pair)) {
              if (rewrite) deadPairs.add(s.value.pair);
              drop();
              continue;
            }
            // the value's effect stays, the unread variable goes
            if (rewrite) {
              list[i] = { kind: "effect", value: s.value, origin: s.origin };
              changed = true;
            }
            addReads(exprReads(s.value));
            continue;
          }
          if (s.accumulate && !live.has(s.target) && isDroppable(s.value, functions)) {
            drop();
            continue;
          }
          if (!s.accumulate) live.delete(s.target);
          addReads(stmtReads(s));
          break;
        }
        case "store":
        case "push":
        case "fill":
        case "set":
          if (!reachable(s.object) && stmtExprsDroppable(s, functions)) {
            drop();
            continue;
          }
          addReads(stmtReads(s));
          break;
        case "effect":
          if (isDroppable(s.value, functions)) {
            drop();
            continue;
          }
          addReads(stmtReads(s));
          break;
        case "if": {
          const after = live.mark();
          live.union(
            () => run(s.then, rewrite),
            () => run(s.else, rewrite),
          );
          if (s.then.length === 0 && s.else.length === 0 && isDroppable(s.cond, functions)) {
            live.undo(after);
            drop();
            continue;
          }
          addReads(exprReads(s.cond));
          break;
        }
        case "for": {
          // liveness at the loop's head, to a fixed point over the back edge
          const after = live.mark();
          addReads(stmtReads(s));
          growToFixedPoint(() => run(s.body, false));
          if (rewrite) {
            const head = live.mark();
            run(s.body, true);
            live.undo(head);
          }
          if (s.body.length === 0 && isDroppable(s.start, functions) && isDroppable(s.end, functions)) {
            live.undo(after);
            drop();
            continue;
          }
          live.delete(s.index);
          addReads(stmtReads(s));
          break;
        }
        case "loop": {
          // the head: live after the loop, or before the test that follows the body; the test
          // starts from what is live after the loop, before the body, and in the condition
          const after = live.mark();
          const addedAtHead = new Set<string>();
          const testAfterBody = (rewriteBody: boolean) => {
            const head = live.mark();
            run(s.body, rewriteBody);
            for (const [n, wasAtHead] of live.changedSince(head)) if (wasAtHead && !addedAtHead.has(n)) live.add(n);
            addReads(exprReads(s.cond));
          };
          growToFixedPoint(() => {
            testAfterBody(false);
            run(s.test, false);
          }, addedAtHead);
          if (rewrite) {
            const head = live.mark();
            testAfterBody(true);
            run(s.test, true);
            live.undo(head);
          }
          if (isCountdown(s)) {
            live.undo(after);
            drop();
            continue;
          }
          break;
        }
        case "return":
          live.clear();
          addReads(stmtReads(s));
          break;
        case "save":
        case "comment":
          addReads(stmtReads(s));
          break;
      }
    }
    removeAt(list, dropped);
  };
  /** Adds to `live` what `step`, run from it, leaves live, until nothing more (`added` collects what was added). */
  const growToFixedPoint = (step: () => void, added = new Set<string>()) => {
    for (;;) {
      const gained = live.gains(step);
      if (gained.length === 0) return;
      for (const n of gained) {
        live.add(n);
        added.add(n);
      }
    }
  };
  run(fn.body, true);
  if (deadPairs.size > 0) {
    const dropSaves = (list: Stmt[]) => {
      const dead = new Set<number>();
      list.forEach((s, i) => (s.kind === "save" && s.pair !== undefined && deadPairs.has(s.pair) ? dead.add(i) : childLists(s).forEach(dropSaves)));
      removeAt(list, dead);
    };
    dropSaves(fn.body);
  }
  return changed;
}

/** `while (c > 0) { c = c - 1 }`: a replay whose body became empty. */
function isCountdown(s: Extract<Stmt, { kind: "loop" }>): boolean {
  if (s.test.length !== 0 || s.body.length !== 1 || s.cond.kind !== "op" || s.cond.op !== ">") return false;
  const counter = s.cond.args[0];
  const only = s.body[0];
  return counter.kind === "var" && only.kind === "assign" && only.target === counter.name && !only.accumulate;
}

function stmtExprsDroppable(s: Stmt, functions: FunctionPurity): boolean {
  const exprs: Expr[] = s.kind === "store" ? [s.value, ...(s.key.kind === "index" ? [s.key.index] : [])] : s.kind === "push" || s.kind === "fill" ? [s.value] : s.kind === "set" ? [s.source] : [];
  return exprs.every((e) => isDroppable(e, functions));
}
