/**
 * Cycles: mutual recursion made self recursion, so that its halves run as loops.
 *
 * Input: the lowered IR of a file's differentiable functions. Output: the same IR where each
 * member of a cycle of calls (f calls g once, g calls h once, …, the last calls f once, each
 * call outside loops) holds copies of the other members inlined along the cycle, its one
 * call of the next member replaced by that member's body, until the call left is of f
 * itself: f becomes a function that calls itself once per level, which reverse/descent.ts
 * turns into loops (so does every other member, each with the cycle inlined from where it
 * starts). The copies read the caller's argument in place of a parameter the member never
 * assigns, and a fresh local set to the argument otherwise; their locals are renamed apart,
 * their statements keep their source lines (appended to the caller's origins). Invariant:
 * each function computes exactly what it did (a member's body runs once per call, as its
 * copy does); a group whose calls are not such a cycle (two calls per level, a call in a
 * loop, a method, a name a copy would read from its module shadowed by one of the caller's
 * locals) is left as it is, and its halves keep recursing, correctly.
 */
import { nameOf, type Names } from "../naming";
import type { Expr, IrFunction, Stmt } from "./ir";
import { childLists, children, renameStmt, stmtExprs, walk } from "./traverse";

/** A call of a differentiable function; `whole` when it is a statement's whole value, outside loops (where it may be inlined). */
type CallSite = { list: Stmt[]; index: number; target: string; whole: boolean };

/** A cycle longer than this is left recursive: each member would hold a copy of all the others. */
const maxCycle = 8;

/** Rewrites, in place, each member of a cycle of `irs` (one file's functions, by key) into self recursion. */
export function inlineRecursiveCycles(irs: ReadonlyMap<string, IrFunction>, names: Names): void {
  const callees = new Map([...irs].map(([key, ir]) => [key, callSites(ir).filter((site) => irs.has(site.target))]));
  const next = new Map<string, string>();
  for (const key of irs.keys()) {
    // the calls that lead back: one per level, or the function is not a member of a cycle this rewrites
    const back = callees.get(key)!.filter((site) => reaches(site.target, key, callees));
    if (back.length === 1 && back[0].whole && back[0].target !== key) next.set(key, back[0].target);
  }
  // the originals, before any member is rewritten
  const original = new Map([...irs].map(([key, ir]) => [key, { ...ir, body: structuredClone(ir.body), vars: new Map(ir.vars), origins: [...ir.origins] }]));
  for (const [key, ir] of irs) {
    const cycle = cycleFrom(key, next);
    if (!cycle || !cycle.every((k) => copyable(original.get(k)!))) continue;
    const rewritten = { ...original.get(key)!, body: structuredClone(original.get(key)!.body), vars: new Map(ir.vars), origins: [...ir.origins] };
    const scope = names.child(rewritten.vars.keys());
    let complete = true;
    for (const member of cycle.slice(1)) complete &&= inlineCall(rewritten, member, original.get(member)!, scope);
    if (complete) Object.assign(ir, { body: rewritten.body, vars: rewritten.vars, origins: rewritten.origins });
  }
}

/** The members of the cycle through `key` in call order, `key` first; undefined when `key`'s calls do not lead back to it. */
function cycleFrom(key: string, next: ReadonlyMap<string, string>): string[] | undefined {
  const cycle = [key];
  for (let at = next.get(key); at !== key; at = next.get(at)) {
    if (at === undefined || cycle.includes(at) || cycle.length >= maxCycle) return undefined;
    cycle.push(at);
  }
  return cycle.length > 1 ? cycle : undefined;
}

/** Whether `from` calls `to`, directly or not. */
function reaches(from: string, to: string, callees: ReadonlyMap<string, CallSite[]>): boolean {
  const seen = new Set([from]);
  const work = [from];
  while (work.length) {
    const at = work.pop()!;
    if (at === to) return true;
    for (const site of callees.get(at) ?? []) if (!seen.has(site.target)) seen.add(site.target) && work.push(site.target);
  }
  return false;
}

/** Every call of a differentiable function in a function's body. */
function callSites(ir: IrFunction): CallSite[] {
  const sites: CallSite[] = [];
  const visit = (list: Stmt[], inLoop: boolean) =>
    list.forEach((s, index) => {
      const value = s.kind === "assign" && !s.accumulate ? s.value : s.kind === "effect" ? s.value : undefined;
      for (const e of stmtExprs(s).flatMap(differentiableCalls)) {
        const plain = !e.callee.receiver && !e.callee.standalone && !e.spread;
        sites.push({ list, index, target: e.callee.target, whole: e === value && plain && !inLoop });
      }
      childLists(s).forEach((inner) => visit(inner, inLoop || s.kind === "loop" || s.kind === "for"));
    });
  visit(ir.body, false);
  return sites;
}

type DifferentiableCall = Extract<Expr, { kind: "call" }> & { callee: { kind: "differentiable" } };

function differentiableCalls(root: Expr): DifferentiableCall[] {
  const found: DifferentiableCall[] = [];
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind === "call" && e.callee.kind === "differentiable") found.push(e as DifferentiableCall);
    stack.push(...children(e));
  }
  return found;
}

/** A function whose body may be copied: no `this`, no optional parameter, one `return`, last. */
function copyable(ir: IrFunction): boolean {
  if (ir.self || ir.params.some((p) => p.optional || p.initText)) return false;
  const returns = [...walk(ir.body)].filter((s) => s.kind === "return");
  return returns.length === 0 || (returns.length === 1 && returns[0] === ir.body.at(-1));
}

/** Replaces `caller`'s one call of `callee` with a copy of `callee`'s body; false when it cannot. */
function inlineCall(caller: IrFunction, calleeKey: string, callee: IrFunction, names: Names): boolean {
  const site = callSites(caller).find((s) => s.target === calleeKey && s.whole);
  const s = site?.list[site.index];
  if (!site || !s || (s.kind !== "assign" && s.kind !== "effect") || s.value.kind !== "call") return false;
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
  for (const [name, variable] of callee.vars) {
    if (renamed.has(name)) continue;
    const local = variable.role === "temp" ? names.numbered(nameOf.temporary) : names.fresh(name);
    caller.vars.set(local, { ...variable, name: local, role: variable.role === "param" ? "local" : variable.role });
    renamed.set(name, local);
  }
  const offset = caller.origins.length;
  caller.origins.push(...callee.origins);
  const rename = (name: string) => renamed.get(name) ?? name;
  const copy = (list: readonly Stmt[]): Stmt[] => list.map((t) => copyStmt(renameStmt(t, rename)));
  const copyStmt = (t: Stmt): Stmt => {
    const moved = { ...t, origin: t.origin < 0 ? t.origin : t.origin + offset };
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

/** The identifiers a function reads from its module: outside constants (`SCALE`, `Math.PI`) and the callees it names. */
function outsideNames(ir: IrFunction): string[] {
  const found = new Set<string>();
  const root = (text: string) => /^[A-Za-z_$][\w$]*/.exec(text)?.[0];
  for (const s of walk(ir.body)) {
    for (const e of stmtExprs(s)) {
      const stack = [e];
      while (stack.length) {
        const node = stack.pop()!;
        const text = node.kind === "lit" ? node.text : node.kind === "call" && (node.callee.kind === "rule" || node.callee.kind === "differentiable") ? node.callee.text : "";
        const name = root(text);
        if (name) found.add(name);
        stack.push(...children(node));
      }
    }
  }
  return [...found];
}
