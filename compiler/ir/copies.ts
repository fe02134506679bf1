/**
 * Copies of a callee's body in a caller, as ir/inline.ts (small helpers into loops) and
 * ir/cycles.ts (mutual recursion into self recursion) make them: the callee's locals declared
 * apart in the caller's scope, and the names of its module that a copy would read.
 *
 * Invariant: a renamed local is fresh in the caller's file (no name of the caller's, of the
 * file or of another copy), typed as it was; a temporary stays a temporary.
 */
import { nameOf, type Names } from "../naming";
import type { Expr, IrFunction } from "./ir";

/** Declares each of `callee`'s variables but those `bound` (its parameters, taken care of by the caller) as a local of `caller`: old name → new. */
export function renameApart(callee: IrFunction, caller: IrFunction, names: Names, bound: ReadonlySet<string>): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const [name, variable] of callee.vars) {
    if (bound.has(name)) continue;
    // a callee's second `i` (`i_2`) becomes the caller's next free `i_…`, not `i_2_2`
    const local = variable.role === "temp" ? names.numbered(nameOf.temporary) : names.fresh(name.replace(/_\d+$/, ""));
    caller.vars.set(local, { ...variable, name: local, role: variable.role === "temp" ? "temp" : "local" });
    renamed.set(name, local);
  }
  return renamed;
}

/**
 * The identifier an expression node names from its module: an outside constant (`SCALE`, `Math.PI`), a rule's callee
 * (`Math.exp`), and with `differentiable` a differentiable function by the name it is called.
 */
export function outsideName(e: Expr, differentiable = false): string | undefined {
  const named = e.kind === "call" && (e.callee.kind === "rule" || (differentiable && e.callee.kind === "differentiable"));
  const text = e.kind === "lit" ? e.text : named ? (e.callee as { text: string }).text : "";
  return /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
}
