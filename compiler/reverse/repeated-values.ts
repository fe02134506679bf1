/**
 * Repeated values in a loop body: a value the body computes again, read from the variable that holds it already.
 *
 * Input: a generated function, simplified (reverse loops fused). Output: the same function (changed in place) where,
 * in the statements of a counted loop's body, `u = e` whose value, with the variables the body assigned before
 * replaced by what they were assigned, is that of an earlier `t = e'` whose variable still holds it (nothing it reads
 * assigned since, no array it reads written since), reads `u = t`; simplify.ts then drops what only fed `e`.
 * Why: a fused reverse loop redoes, for each of its two adjoints, the forward values it needs (GMM's x − μ twice).
 * Invariant: only movable values of number variables are replaced; a store into an array the function did not create,
 * or a call that may have effects, ends every remembered value that reads memory (a parameter may share storage).
 */
import { aliasGroups } from "../ir/aliases";
import { type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { isMovable, memoryReads, type FunctionPurity } from "../ir/purity";
import { assignedNames, childLists, exprReads, mapDeep, stmtExprs, walk } from "../ir/traverse";
import { createdArrays } from "./fuse-sweep";

/** Replaces repeated values in the loop bodies of `fn`; whether anything changed. */
export function reuseRepeatedValues(fn: OutFunction, functions: FunctionPurity): boolean {
  const aliases = aliasGroups(fn);
  const created = createdArrays(fn);
  const isReference = (name: string) => fn.vars.get(name)?.type !== "number";
  let changed = false;

  const visitBody = (body: Stmt[]): void => {
    /** a variable → its value in terms of what the body did not assign, while it holds it */
    const known = new Map<string, Expr>();
    const text = new Map<string, string>();
    const expand = (e: Expr) => mapDeep(e, (node) => (node.kind === "var" ? (known.get(node.name) ?? node) : node));
    const forget = (s: Stmt) => {
      const assigned = assignedNames([s]);
      const stored = [...walk([s])].flatMap((x) => (x.kind === "store" || x.kind === "push" || x.kind === "fill" || x.kind === "set" ? [x.object] : []));
      // a call that may have effects, or a store into an array a parameter may share, may change any array
      const opaque = [...walk([s])].some((x) => stmtExprs(x).some((e) => !isMovable(e, functions)));
      const anyMemory = opaque || stored.some((o) => !created.has(o));
      const written = new Set(stored.flatMap((o) => [...aliases(o)]));
      for (const [name, value] of known) {
        const reads = memoryReads(value, isReference);
        if (assigned.has(name) || exprReads(value).some((n) => assigned.has(n)) || (reads.length && anyMemory) || reads.some((o) => written.has(o))) {
          known.delete(name);
          text.delete(name);
        }
      }
    };
    for (let k = 0; k < body.length; k++) {
      const s = body[k];
      if (s.kind !== "assign" || s.accumulate || fn.vars.get(s.target)?.type !== "number" || !isMovable(s.value, functions)) {
        forget(s);
        continue;
      }
      const value = expand(s.value);
      const key = JSON.stringify(value);
      const same = s.value.kind !== "var" && s.value.kind !== "lit" ? [...text].find(([name, t]) => t === key && name !== s.target)?.[0] : undefined;
      forget(s);
      if (same && known.has(same)) {
        body[k] = { ...s, value: { kind: "var", name: same } };
        changed = true;
      }
      // a value that reads the variable it is assigned to holds another value afterwards
      if (!exprReads(value).includes(s.target)) {
        known.set(s.target, value);
        text.set(s.target, key);
      }
    }
  };

  const visit = (list: Stmt[], loopBody: boolean): void => {
    if (loopBody) visitBody(list);
    for (const s of list) for (const inner of childLists(s)) visit(inner, s.kind === "for");
  };
  visit(fn.body, false);
  return changed;
}
