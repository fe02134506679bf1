/**
 * Activity: which variables need derivative code.
 *
 * Input: an IrFunction and the parameters differentiated with respect to. Output: the
 * variables that are *varied* (depend on those parameters) and *useful* (reach the result);
 * only variables that are both, and can hold numbers, get adjoint or tangent code.
 * Flow-insensitive, so exact for straight-line code and safe for any control flow. Two
 * names for one array, an array read out of another (`row = m[i]`) and an array stored into
 * another (`m[i] = row`, `m.push(row)`), and a shallow copy of an array of arrays and its
 * source, share their activity both ways, since a write through either is seen through both.
 * Also checks that no value depending on the inputs flows into a call adgen cannot
 * differentiate and that could lose its derivative (ADG2001).
 */
import { CompileError, codes, messages } from "../diagnostics";
import { aliasGroups } from "./aliases";
import { isFlatArray, type Expr, type IrFunction, type Stmt } from "./ir";
import { walk } from "./traverse";

export interface Activity {
  varied: ReadonlySet<string>;
  useful: ReadonlySet<string>;
  isActive(name: string): boolean;
}

const names = (exprs: Expr[]): string[] => exprs.flatMap((e) => (e.kind === "var" ? [e.name] : e.kind === "op" && e.op === "nonnull" ? names(e.args) : []));

/** Whether a differentiable callee's parameter (by key and index) carries a derivative to its result. */
export type Carries = (key: string, index: number) => boolean;

/**
 * The variables whose derivative flows into the value of `e` (an ANF value); with `carries`,
 * not the arguments of a differentiable call whose parameter never carries one.
 */
export function derivativeSources(e: Expr, carries?: Carries): string[] {
  switch (e.kind) {
    case "var":
      return [e.name];
    case "lit":
    case "length":
    case "restore":
      return [];
    case "op":
      if (e.op === "nonnull") return names(e.args);
      if (e.op === "?:") return names(e.args.slice(1));
      return [];
    case "call": {
      const { callee } = e;
      if (callee.kind === "opaque" || callee.kind === "runtime") return [];
      return names(carries && callee.kind === "differentiable" ? e.args.filter((_, i) => carries(callee.target, i)) : e.args);
    }
    case "get":
    case "clone":
    case "view":
    case "pop":
      return names([e.object]);
    case "alloc":
      return e.fill ? names([e.fill]) : [];
    case "literal":
      return names(e.items.map((i) => i.value));
  }
}

/** Values that share storage with their source: writes through one are writes through the other. */
function aliasSource(e: Expr): string | undefined {
  if (e.kind === "var") return e.name;
  if (e.kind === "op" && e.op === "nonnull") return aliasSource(e.args[0]);
  if (e.kind === "get" || e.kind === "view" || e.kind === "pop") return e.object.kind === "var" ? e.object.name : undefined;
  return undefined;
}

/** Edges `from → to` along which a derivative may flow. */
function flowEdges(fn: IrFunction, carries?: Carries): [string, string][] {
  const isRef = (name: string) => fn.vars.get(name)?.type === "reference";
  const edges: [string, string][] = [];
  const both = (a: string, b: string) => edges.push([a, b], [b, a]);
  for (const s of walk(fn.body)) {
    switch (s.kind) {
      case "assign": {
        for (const from of derivativeSources(s.value, carries)) edges.push([from, s.target]);
        if (isRef(s.target)) {
          const source = aliasSource(s.value);
          if (source) both(s.target, source);
          // a container shares the arrays it holds: a write through it reaches them
          if (s.value.kind === "literal") names(s.value.items.map((i) => i.value)).filter(isRef).forEach((item) => both(s.target, item));
          // a shallow copy shares the arrays it holds (a copy of numbers shares nothing)
          if (s.value.kind === "clone" && s.value.object.kind === "var" && !isFlatArray(fn.vars.get(s.target)!.shape)) both(s.target, s.value.object.name);
          // a callee may return (part of) an array argument
          if (s.value.kind === "call" && s.value.callee.kind === "differentiable") names(s.value.args).filter(isRef).forEach((a) => both(s.target, a));
        }
        break;
      }
      case "store":
      case "push":
      case "fill":
        for (const from of names([s.value])) {
          if (isRef(from)) both(from, s.object);
          else edges.push([from, s.object]);
        }
        break;
      case "set":
        for (const from of names([s.source])) edges.push([from, s.object]);
        break;
      case "effect":
        if (s.value.kind === "pop" && s.value.object.kind === "var") edges.push([s.value.object.name, s.value.object.name]);
        break;
    }
  }
  return edges;
}

/** Everything reachable from `seeds` along `edges`, through names `allowed` lets in. */
function closure(seeds: Iterable<string>, edges: [string, string][], allowed: (name: string) => boolean): Set<string> {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  const reached = new Set<string>();
  const work = [...seeds].filter(allowed);
  for (const s of work) reached.add(s);
  while (work.length) {
    for (const to of next.get(work.pop()!) ?? []) {
      if (!reached.has(to) && allowed(to)) {
        reached.add(to);
        work.push(to);
      }
    }
  }
  return reached;
}

export function analyse(fn: IrFunction, independents: readonly string[], carries?: Carries): Activity {
  const differentiable = (name: string) => {
    const type = fn.vars.get(name)?.type;
    return type === "number" || type === "reference";
  };
  const edges = flowEdges(fn, carries);
  const varied = closure(independents, edges, differentiable);
  const results = [...walk(fn.body)].flatMap((s) => (s.kind === "return" ? names([s.value]) : []));
  const useful = closure(results, edges.map(([from, to]) => [to, from]), () => true);
  return { varied, useful, isActive: (name) => varied.has(name) && useful.has(name) && differentiable(name) };
}

/** Array methods that read an array without changing it. */
const readingMethods = new Set(["indexOf", "lastIndexOf", "includes", "join", "toString", "toFixed", "toPrecision", "toExponential", "at"]);
/** Methods whose result is an integer whatever the receiver's values: no derivative. */
const integerMethods = new Set(["indexOf", "lastIndexOf", "findIndex", "findLastIndex"]);

/**
 * A value that depends on the inputs must not flow into a call adgen cannot differentiate
 * where its derivative would be lost, nor an array into a call that might change it.
 * Checked against *all* differentiable parameters, so the verdict does not depend on which
 * gradient was asked for.
 */
export function checkCalls(fn: IrFunction): void {
  const all = analyse(fn, fn.params.map((p) => p.name));
  const check = (s: Stmt, call: Extract<Expr, { kind: "call" }>, resultUsed: boolean, resultActive: boolean) => {
    if (call.callee.kind !== "opaque") return;
    const { fn: target, method } = call.callee;
    const inputs = names([...call.args, ...(method ? [target] : [])]).filter((n) => all.varied.has(n));
    if (inputs.length === 0) return;
    const text = method ? `${target.kind === "lit" ? target.text : "…"}.${method}` : target.kind === "lit" ? target.text : target.kind === "var" ? target.name : "this call";
    const arrays = inputs.filter((n) => fn.vars.get(n)?.type === "reference");
    const where = fn.origins[s.origin];
    const isConsole = target.kind === "lit" && target.text === "console";
    if (arrays.length > 0 && !(method && readingMethods.has(method)) && !isConsole) {
      throw new CompileError(
        codes.notDifferentiableCallee,
        messages.opaqueArrayArgument(text, arrays[0], where.text),
        where.pos,
      );
    }
    if (resultUsed && resultActive && !(method && integerMethods.has(method))) {
      throw new CompileError(
        codes.notDifferentiableCallee,
        messages.noDerivative(text, where.text),
        where.pos,
      );
    }
  };
  checkStoppedArrays(fn);
  for (const s of walk(fn.body)) {
    if (s.kind === "assign" && s.value.kind === "call") {
      const type = fn.vars.get(s.target)?.type;
      check(s, s.value, true, type === "number" || type === "reference");
    } else if (s.kind === "effect" && s.value.kind === "call") {
      check(s, s.value, false, false);
    }
  }
}

/**
 * `stopGradient(a)` of an array is `a` itself, without a derivative: sound only while neither
 * name is written, since a write through either would be seen through the other.
 */
function checkStoppedArrays(fn: IrFunction): void {
  const aliases = aliasGroups(fn);
  const written = new Set<string>();
  for (const s of walk(fn.body)) if (s.kind === "store" || s.kind === "push" || s.kind === "fill" || s.kind === "set") for (const n of aliases(s.object)) written.add(n);
  for (const s of walk(fn.body)) {
    if (s.kind !== "assign" || s.value.kind !== "op" || s.value.op !== "stopGradient" || fn.vars.get(s.target)?.type !== "reference") continue;
    const source = names(s.value.args)[0];
    if (written.has(s.target) || (source && written.has(source))) {
      throw new CompileError(codes.unsupportedSyntax, messages.stoppedArrayWritten(source ?? "…"), fn.origins[s.origin]?.pos);
    }
  }
}
