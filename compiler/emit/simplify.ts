/**
 * Simplify: generated code made into code a person would write.
 *
 * Input: a generated function, straight from a derivative pass (correct, and naive: every
 * adjoint initialised and reset, every temporary its own statement). Output: the same
 * function, smaller and equal: known values propagated and constants folded
 * (propagate.ts, fold.ts), dead code and unread tape traffic removed (dce.ts), and
 * temporaries folded back into expressions (inline.ts), repeated until nothing changes.
 * `x += -e` reads `x -= e`.
 */
import { numberValue, type OutFunction, type Stmt } from "../ir/ir";
import { childLists, removeAt } from "../ir/traverse";
import type { FunctionPurity } from "../ir/purity";
import { removeDeadCode } from "./dce";
import { fold, isNegation, negated } from "./fold";
import { inlineTemporaries } from "./inline";
import { propagate } from "./propagate";

export function simplify(fn: OutFunction, functions: FunctionPurity): OutFunction {
  for (let round = 0; round < 50; round++) {
    let changed = tidy(fn.body);
    changed = propagate(fn.body, fn.vars).changed || changed;
    changed = removeDeadCode(fn, functions) || changed;
    changed = inlineTemporaries(fn, functions) || changed;
    if (!changed) break;
  }
  tidy(fn.body);
  return fn;
}

/** `x += -e` → `x -= e`; `x += 0` dropped; expressions folded. */
function tidy(list: Stmt[]): boolean {
  let changed = false;
  const dropped = new Set<number>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    childLists(s).forEach((l) => (changed = tidy(l) || changed));
    if ((s.kind === "assign" || s.kind === "store") && s.accumulate) {
      const value = fold(s.value);
      if (numberValue(value) === 0) {
        dropped.add(i);
        changed = true;
        continue;
      }
      if (isNegation(value)) {
        list[i] = { ...s, value: negated(value), accumulate: s.accumulate === "+" ? "-" : "+" };
        changed = true;
      }
    }
  }
  removeAt(list, dropped);
  return changed;
}
