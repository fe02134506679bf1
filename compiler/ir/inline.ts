/**
 * Inline: small `@differentiable` helpers called in loops, copied into their callers before differentiation.
 *
 * Input: a lowered IrFunction and the lowered IR of the functions it may call. Output: the same function with each call
 * `t = f(a, b)` inside a loop of a leaf helper replaced by the helper's statements, its parameters read as the arguments
 * and its locals (loop indices included) renamed apart, then `t = <its result>`. A leaf helper returns a number, once, at
 * its end; its parameters are numbers or flat arrays, never reassigned; its body is assignments and counted loops of
 * arithmetic, rule calls, element reads and lengths of its array parameters (at most `maxStatements` statements, nested
 * ones included); it writes no array and calls nothing else — so no helper is ever inlined into itself. Why: through
 * split halves such a call costs two calls, the halves' own tape protocol and a boxed number per result in every
 * iteration — for the sigmoid of an LSTM step more than its arithmetic (2.5× → 1.3× the hand-written gradient), for
 * the log-sum-exp of a GMM point a third of the gradient; inlined, its values are saved or recomputed with the
 * caller's, and a reduction loop that calls it can be reversed in place. A call outside loops runs once and reads
 * better as a call: it stays. Only helpers of the caller's own file are offered (pipeline.ts), so an edit of one file
 * never leaves a stale copy in another's output.
 * Invariant: the caller computes exactly what it did. An array argument is read in place, not copied: sound because
 * the helper writes no array and its copy runs with no caller statement in between, so every element it reads is what
 * the call would have read. The copies carry the call's origin, so their adjoints sit under the source line of the call.
 */
import type { Names } from "../naming";
import { outsideName, renameApart } from "./copies";
import { isFlatArray, v, type Expr, type IrFunction, type Stmt } from "./ir";
import { childLists, mapDeep, mapStmtExprs, walk, walkExpr } from "./traverse";

const maxStatements = 24;

/** Inlines the leaf helpers `fn` calls; `helperOf` gives the lowered function of a key, when it may be inlined. */
export function inlineLeafCalls(fn: IrFunction, helperOf: (key: string) => IrFunction | undefined, fileNames: Names): void {
  const names = fileNames.child(fn.vars.keys());
  const visit = (list: Stmt[], inLoop: boolean): void => {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      childLists(s).forEach((inner) => visit(inner, inLoop || s.kind === "loop" || s.kind === "for"));
      const helper = inLoop && s.kind === "assign" && !s.accumulate && leafCall(s.value, fn, helperOf);
      if (!helper || s.kind !== "assign" || s.value.kind !== "call") continue;
      const copy = inlined(helper, s.value.args, s.origin, fn, names);
      copy.push({ kind: "assign", target: s.target, value: copy.result, origin: s.origin });
      list.splice(i, 1, ...copy);
      i += copy.length - 1;
    }
  };
  visit(fn.body, false);
}

/** The helper a call calls, when it is a leaf this pass inlines. */
function leafCall(e: Expr, caller: IrFunction, helperOf: (key: string) => IrFunction | undefined): IrFunction | undefined {
  if (e.kind !== "call" || e.callee.kind !== "differentiable" || e.callee.receiver || e.callee.standalone || e.spread) return undefined;
  const helper = helperOf(e.callee.target);
  if (!helper || helper === caller || helper.self || e.args.length !== helper.params.length) return undefined;
  if (helper.result.type !== "number" || helper.params.some((p) => p.initText)) return undefined;
  // an array is passed as the caller's own name: a literal or an inactive argument has none to read in place
  const arrays = new Set(helper.params.filter((p) => p.type === "reference").map((p) => p.name));
  if (helper.params.some((p, k) => p.type === "reference" && !(isFlatArray(p.shape) && e.args[k].kind === "var"))) return undefined;
  const body = helper.body.filter((s) => s.kind !== "comment");
  const last = body.at(-1);
  if (!last || last.kind !== "return" || [...walk(body)].length > maxStatements) return undefined;
  const params = new Set(helper.params.map((p) => p.name));
  // a name the helper reads from its module (a constant, a rule's function) must not be one of the caller's locals
  const inScope = (e: Expr) => !caller.vars.has(outsideName(e) ?? "");
  const readable = (e: Expr) => isArithmetic(e) || ((e.kind === "get" || e.kind === "length") && e.object.kind === "var" && arrays.has(e.object.name));
  const copyable = (e: Expr) => [...walkExpr(e)].every((node) => readable(node) && inScope(node));
  const plain = (list: readonly Stmt[]): boolean =>
    list.every((s) =>
      s.kind === "assign"
        ? !params.has(s.target) && copyable(s.value)
        : s.kind === "for" && !params.has(s.index) && copyable(s.start) && copyable(s.end) && plain(s.body.filter((t) => t.kind !== "comment")),
    );
  return plain(body.slice(0, -1)) && copyable(last.value) ? helper : undefined;
}

/** Operators, literals, names and rule calls (`Math.exp`): nothing that calls, reads memory or allocates. */
const isArithmetic = (e: Expr): boolean => e.kind === "var" || e.kind === "lit" || e.kind === "op" || (e.kind === "call" && e.callee.kind === "rule" && !e.spread);

/** The helper's statements with its parameters read as `args` and its locals renamed into the caller. */
function inlined(helper: IrFunction, args: Expr[], origin: number, caller: IrFunction, names: Names): Stmt[] & { result: Expr } {
  const bound = new Map<string, Expr>(helper.params.map((p, k) => [p.name, args[k]]));
  for (const [name, local] of renameApart(helper, caller, names, new Set(bound.keys()))) bound.set(name, v(local));
  const substitute = (e: Expr): Expr => mapDeep(e, (node) => (node.kind === "var" ? (bound.get(node.name) ?? node) : node));
  const rename = (name: string): string => (bound.get(name) as Extract<Expr, { kind: "var" }>).name;
  const copy = (s: Stmt): Stmt[] => {
    if (s.kind === "assign") return [{ ...mapStmtExprs(s, substitute), target: rename(s.target), origin } as Stmt];
    if (s.kind === "for") return [{ ...(mapStmtExprs(s, substitute) as typeof s), index: rename(s.index), body: s.body.flatMap(copy), origin }];
    return [];
  };
  const statements = helper.body.flatMap(copy);
  const last = helper.body.at(-1);
  const result = last?.kind === "return" ? substitute(last.value) : v("");
  return Object.assign(statements, { result });
}
