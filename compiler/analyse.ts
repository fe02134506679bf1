/**
 * Analyse: activity of every IR variable.
 *
 * Input: an IrFunction and the parameters differentiated with respect to. Output: which
 * variables are *varied* (depend on those parameters) and *useful* (reach the result);
 * only variables that are both — numbers, or arrays and objects holding numbers — get
 * adjoint code. Also rejects a call of a function without a derivative that receives a
 * varied value (ADG2001).
 * Flow-insensitive and iterated to a fixed point, so it is exact for straight-line code
 * and safe (never misses a dependence) for any control flow. A write into an array makes
 * the array depend on the value written; two names for one array (`row = m[i]`) share
 * their activity both ways, since a write through either is seen through both.
 */
import { CompileError, codes } from "./diagnostics";
import { walk, valueArgs, valueReads, type IrFunction, type Value } from "./ir";

export interface Activity {
  varied: ReadonlySet<string>;
  useful: ReadonlySet<string>;
  isActive(name: string): boolean;
}

/** Whether an `op` value is a call (a callee name) rather than an operator token. */
export const isCallOp = (op: string): boolean => /^[A-Za-z_$]/.test(op) && op !== "typeof";

/** The variables whose derivative flows into `target` through `value`. */
function differentiableSources(value: Value): string[] {
  switch (value.kind) {
    case "op":
      if (!value.rule) return [];
      return valueArgs(value).flatMap((a) => (a.kind === "var" ? [a.name] : []));
    case "copy":
    case "call":
    case "literal":
      return valueArgs(value).flatMap((a) => (a.kind === "var" ? [a.name] : []));
    case "get":
    case "clone":
      return [value.object];
    case "length":
    case "alloc":
      return [];
  }
}

/** Edges `from → to` along which a derivative may flow. */
function flowEdges(fn: IrFunction): [string, string][] {
  const isRef = (name: string) => fn.vars.get(name)?.type === "reference";
  const edges: [string, string][] = [];
  for (const s of walk(fn.body)) {
    if (s.kind === "assign") {
      for (const from of differentiableSources(s.value)) edges.push([from, s.target]);
      // aliases: a write through `s.target` is a write into its source
      if (isRef(s.target) && (s.value.kind === "copy" || s.value.kind === "get")) {
        const source = s.value.kind === "get" ? s.value.object : s.value.arg.kind === "var" ? s.value.arg.name : undefined;
        if (source) edges.push([s.target, source]);
      }
    } else if ((s.kind === "store" || s.kind === "push") && s.value.kind === "var") {
      edges.push([s.value.name, s.object]);
    }
  }
  return edges;
}

function closure(seeds: Iterable<string>, edges: [string, string][], allowed: (name: string) => boolean): Set<string> {
  const reached = new Set([...seeds].filter(allowed));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [from, to] of edges) {
      if (reached.has(from) && !reached.has(to) && allowed(to)) {
        reached.add(to);
        changed = true;
      }
    }
  }
  return reached;
}

export function analyse(fn: IrFunction, independents: readonly string[]): Activity {
  const differentiable = (name: string) => {
    const type = fn.vars.get(name)?.type;
    return type === "number" || type === "reference";
  };
  const edges = flowEdges(fn);
  const varied = closure(independents, edges, differentiable);
  const results = [...walk(fn.body)].flatMap((s) => (s.kind === "return" && s.value.kind === "var" ? [s.value.name] : []));
  const backward = edges.map(([from, to]): [string, string] => [to, from]);
  const useful = closure(results, backward, () => true);
  return {
    varied,
    useful,
    isActive: (name) => varied.has(name) && useful.has(name) && differentiable(name),
  };
}

/**
 * A value that depends on the inputs must not flow into a call adgen cannot differentiate:
 * its derivative would be silently dropped. Checked against *all* differentiable
 * parameters, so the verdict does not depend on which gradient was asked for.
 */
export function checkCalls(fn: IrFunction): void {
  const all = analyse(fn, fn.params.map((p) => p.name));
  for (const s of walk(fn.body)) {
    if (s.kind !== "assign" || s.value.kind !== "op" || s.value.rule || !isCallOp(s.value.op)) continue;
    const active = valueReads(s.value).find((name) => all.varied.has(name));
    if (active) {
      throw new CompileError(
        codes.notDifferentiableCallee,
        `\`${s.value.op}\` has no derivative, but it receives a value that depends on the inputs (in \`${fn.origins[s.origin].text}\`). Mark it /** @differentiable */, give it a rule with defineDerivative, or pass it only values that do not depend on the inputs`,
        fn.origins[s.origin].pos,
      );
    }
  }
}

