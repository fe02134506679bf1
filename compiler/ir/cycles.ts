/**
 * Cycles: mutual recursion made self recursion, so that its halves run as loops.
 *
 * Input: the lowered IR of the project's differentiable functions. Output: the same IR where
 * each function that calls itself through others (f calls g, g calls h or f, …) holds copies
 * of those others inlined: each call of one of them is replaced by its body, again in the
 * copies, until the only calls left in the group are of f itself. f then calls itself once per
 * level (a cycle: reverse/descent.ts turns its halves into two loops) or from several places
 * (reverse/frames.ts runs them as one loop over frames); so does every other member, each with
 * the group inlined from where it starts. The copies read the caller's argument in place of a
 * parameter the member never assigns, and a fresh local set to the argument otherwise; their
 * locals are renamed apart, their statements keep their source lines (appended to the caller's
 * origins). A call inside a loop is inlined as well: the copy runs at each turn, and its calls
 * of f leave f calling itself from a loop (frames again). Methods calling each other on `this`
 * are inlined the same way, the copy's `this` being the caller's. A member of another file is
 * copied only when it reads nothing of its module but globals (`Math`) and calls nothing but
 * the group (`portable`), its statements taking the call's source line; where one is not, the
 * member that would copy it stays as it is, its halves calling the other members' (which loop
 * where those could copy it in turn).
 * Invariant: each function computes exactly what it did (a member's body runs once per call,
 * as its copy does). A group where a call of another member is not a statement's whole value
 * (a spread argument, a method called on another object), where the expansion takes more than
 * `maxCopies` copies (the others calling each other without f), where a member has an optional
 * or defaulted parameter, or where a name a copy would read from its module is shadowed by one
 * of the caller's locals, is left as it is, and its halves keep recursing, correctly.
 */
import type { Names } from "../naming";
import { outsideName, renameApart } from "./copies";
import type { Expr, IrFunction, Stmt } from "./ir";
import { childLists, mapDeep, mapStmtExprs, renameStmt, stmtExprs, walk, walkExpr } from "./traverse";

/** A call of a differentiable function; `whole` when it is a statement's whole value (where it may be inlined). */
type CallSite = { list: Stmt[]; index: number; target: string; whole: boolean };

/** A member whose expansion would take more copies of the others than this is left recursive. */
const maxCopies = 16;

/**
 * Rewrites, in place, each member of a group of `irs` (the project's functions, by key) calling each other into self
 * recursion; `namesOf` gives the names of a function's file, `fileOf` the file.
 */
export function inlineRecursiveCycles(irs: ReadonlyMap<string, IrFunction>, namesOf: (key: string) => Names, fileOf: (key: string) => unknown): void {
  const callees = new Map([...irs].map(([key, ir]) => [key, callSites(ir).filter((site) => irs.has(site.target))]));
  // each function that recursion through others leads back to, with those others
  const groups = new Map<string, Set<string>>();
  const reach = new Map<string, Set<string>>();
  const reachOf = (key: string) => reach.get(key) ?? reach.set(key, reachable(key, callees)).get(key)!;
  for (const key of irs.keys()) {
    const partners = new Set([...reachOf(key)].filter((other) => other !== key && reachOf(other).has(key)));
    if (partners.size > 0) groups.set(key, partners);
  }
  // the originals, before any member is rewritten
  const original = new Map([...groups.keys()].map((key) => [key, clone(irs.get(key)!)]));
  for (const [key, partners] of groups) {
    const group = new Set([key, ...partners]);
    const elsewhere = [...partners].filter((k) => fileOf(k) !== fileOf(key));
    if (![...group].every((k) => copyable(original.get(k)!)) || !elsewhere.every((k) => portable(original.get(k)!, group))) continue;
    const rewritten = clone(original.get(key)!);
    const scope = namesOf(key).child(rewritten.vars.keys());
    let complete = true;
    for (let copies = 0, site = partnerCall(rewritten, partners); site && complete; site = partnerCall(rewritten, partners)) {
      const sameFile = fileOf(site.target) === fileOf(key);
      complete = site.whole && ++copies <= maxCopies && inlineCall(rewritten, site, original.get(site.target)!, scope, sameFile);
    }
    if (complete) Object.assign(irs.get(key)!, { body: rewritten.body, vars: rewritten.vars, origins: rewritten.origins });
  }
}

const clone = (ir: IrFunction): IrFunction => ({ ...ir, body: structuredClone(ir.body), vars: new Map(ir.vars), origins: [...ir.origins] });

/** The first call of a partner left in a member's body. */
const partnerCall = (ir: IrFunction, partners: ReadonlySet<string>): CallSite | undefined => callSites(ir).find((site) => partners.has(site.target));

/** Every function `from` calls, directly or not (itself only through a call). */
function reachable(from: string, callees: ReadonlyMap<string, CallSite[]>): Set<string> {
  const seen = new Set<string>();
  const work = [from];
  while (work.length) {
    for (const site of callees.get(work.pop()!) ?? []) if (!seen.has(site.target)) seen.add(site.target) && work.push(site.target);
  }
  return seen;
}

/** Every call of a differentiable function in a function's body. */
function callSites(ir: IrFunction): CallSite[] {
  const sites: CallSite[] = [];
  const visit = (list: Stmt[]) =>
    list.forEach((s, index) => {
      const value = s.kind === "assign" && !s.accumulate ? s.value : s.kind === "effect" ? s.value : undefined;
      for (const e of stmtExprs(s).flatMap(differentiableCalls)) {
        // a function's call, or a method's on `this` (a copy's `this` is then the caller's, the same object)
        const receiver = e.callee.receiver;
        const plain = (!receiver || (ir.self !== undefined && receiver.kind === "var" && receiver.name === "this")) && !e.callee.standalone && !e.spread;
        sites.push({ list, index, target: e.callee.target, whole: e === value && plain });
      }
      childLists(s).forEach(visit);
    });
  visit(ir.body);
  return sites;
}

type DifferentiableCall = Extract<Expr, { kind: "call" }> & { callee: { kind: "differentiable" } };

function differentiableCalls(root: Expr): DifferentiableCall[] {
  return [...walkExpr(root)].filter((e): e is DifferentiableCall => e.kind === "call" && e.callee.kind === "differentiable");
}

/** A function whose body may be copied: no optional parameter, one `return`, last. */
function copyable(ir: IrFunction): boolean {
  if (ir.params.some((p) => p.optional || p.initText)) return false;
  const returns = [...walk(ir.body)].filter((s) => s.kind === "return");
  return returns.length === 0 || (returns.length === 1 && returns[0] === ir.body.at(-1));
}

/** The names JavaScript gives every module: all a copy in another file may read of its own module. */
const globals = new Set(["Math", "Number", "Infinity", "NaN", "undefined", "true", "false", "null"]);

/**
 * Whether a member may be copied into another file: it reads nothing of its module but globals (`Math.PI`, the
 * built-in rules of `Math`) and calls no differentiable function but the group's (which the copies inline or call by
 * key), nor a method: everything else it names is bound in its own file only.
 */
function portable(ir: IrFunction, group: ReadonlySet<string>): boolean {
  if (ir.self) return false;
  const calls = [...walk(ir.body)].flatMap((s) => stmtExprs(s).flatMap(differentiableCalls));
  return calls.every((e) => group.has(e.callee.target)) && outsideNames(ir, false).every((name) => globals.has(name));
}

/**
 * Replaces the call at `site` in `caller` with a copy of `callee`'s body; false when it cannot. A copy from the caller's
 * own file keeps its statements' source lines; one from another file takes the call's (its positions are another
 * file's, which the caller's source map and diagnostics cannot name).
 */
function inlineCall(caller: IrFunction, site: CallSite, callee: IrFunction, names: Names, sameFile: boolean): boolean {
  const s = site.list[site.index];
  if ((s.kind !== "assign" && s.kind !== "effect") || s.value.kind !== "call") return false;
  const args = s.value.args;
  if (args.length !== callee.params.length || outsideNames(callee).some((name) => caller.vars.has(name))) return false;
  const assigned = new Set([...walk(callee.body)].flatMap((t) => (t.kind === "assign" ? [t.target] : t.kind === "for" ? [t.index] : [])));
  const renamed = new Map<string, string>();
  const copies: Stmt[] = [];
  for (const [k, p] of callee.params.entries()) {
    const arg = args[k];
    if (arg.kind === "var" && !assigned.has(p.name)) {
      renamed.set(p.name, arg.name);
      continue;
    }
    // a parameter the member assigns (or a literal argument) becomes a local of its own; an array's would alias
    if (p.type === "reference") return false;
    const local = names.fresh(p.name);
    caller.vars.set(local, { name: local, type: p.type, typeText: p.typeText, tangentText: p.tangentText, shape: p.shape, role: "local" });
    renamed.set(p.name, local);
    copies.push({ kind: "assign", target: local, value: arg, origin: s.origin });
  }
  if (callee.self) renamed.set("this", "this");
  for (const [name, local] of renameApart(callee, caller, names, new Set(renamed.keys()))) renamed.set(name, local);
  const offset = caller.origins.length;
  if (sameFile) caller.origins.push(...callee.origins);
  const rename = (name: string) => renamed.get(name) ?? name;
  // another file calls the caller by the name it imports it under: here it is called by its own
  const ownName = (e: Expr): Expr =>
    e.kind === "call" && e.callee.kind === "differentiable" && e.callee.target === caller.key ? { ...e, callee: { ...e.callee, text: caller.callText } } : e;
  const named = (t: Stmt): Stmt => (sameFile ? t : mapStmtExprs(t, (e) => mapDeep(e, ownName)));
  const copy = (list: readonly Stmt[]): Stmt[] => list.map((t) => copyStmt(named(renameStmt(t, rename))));
  const copyStmt = (t: Stmt): Stmt => {
    const moved = { ...t, origin: t.origin < 0 ? t.origin : sameFile ? t.origin + offset : s.origin };
    if (moved.kind === "if") return { ...moved, then: copy(moved.then), else: copy(moved.else) };
    if (moved.kind === "loop") return { ...moved, test: copy(moved.test), body: copy(moved.body) };
    if (moved.kind === "for") return { ...moved, body: copy(moved.body) };
    return moved;
  };
  const body = copy(callee.body);
  const last = body.at(-1);
  const result: Stmt[] = last?.kind === "return" && s.kind === "assign" ? [{ kind: "assign", target: s.target, value: last.value, origin: s.origin }] : [];
  site.list.splice(site.index, 1, ...copies, ...(last?.kind === "return" ? body.slice(0, -1) : body), ...result);
  return true;
}

/** The identifiers a function reads from its module (`outsideName`), with `differentiable` the differentiable functions it calls. */
function outsideNames(ir: IrFunction, differentiable = true): string[] {
  const found = new Set<string>();
  for (const s of walk(ir.body)) {
    for (const node of stmtExprs(s).flatMap((e) => [...walkExpr(e)])) {
      const name = outsideName(node, differentiable);
      if (name) found.add(name);
    }
  }
  return [...found];
}
