/**
 * Purity: what evaluating an expression may do, decided by what each node is.
 *
 * - `pure`: a value of its operands alone (operators, rule calls, calls of pure
 *   `@differentiable` functions): may be merged, moved and recomputed;
 * - `reads`: reads memory (`a[i]`, `a.length`): as `pure`, as long as nothing writes that memory
 *   in between (the passes that move code check the writes);
 * - `fresh`: creates an array or object: may be dropped when unused, never merged or moved
 *   (two evaluations give two objects);
 * - `effect`: anything else (an opaque call, `pop`, a tape, a read of module state such a
 *   call may change): never merged, moved, duplicated or dropped.
 * Every pass that moves, merges or drops code (cse, hoist, the save plan's recomputation,
 * dead-code removal) asks here, and nowhere else.
 */
import { type Callee, type Expr, type OriginInfo } from "./ir";
import { children } from "./traverse";

export type Purity = "pure" | "reads" | "fresh" | "effect";

const rank: Record<Purity, number> = { pure: 0, reads: 1, fresh: 2, effect: 3 };

/** Whether a `@differentiable` function (by key) is pure; unknown ones are not. */
export type FunctionPurity = (key: string) => boolean;

/** The purity of every `@differentiable` function, and for an impure one the statement with its effect. */
export interface Purities {
  pure: FunctionPurity;
  effectOf(key: string): OriginInfo | undefined;
}

export function calleePurity(callee: Callee, functions: FunctionPurity): Purity {
  switch (callee.kind) {
    case "rule":
      return "pure";
    case "differentiable":
      return functions(callee.target) ? "pure" : "effect";
    case "opaque":
      return callee.pure ? "pure" : "effect";
    case "generated":
    case "runtime":
      return "effect";
  }
}

function own(e: Expr, functions: FunctionPurity): Purity {
  switch (e.kind) {
    case "lit":
      return e.volatile ? "effect" : "pure";
    case "var":
    case "op":
      return "pure";
    case "call":
      return calleePurity(e.callee, functions);
    case "get":
    case "length":
      return "reads";
    case "alloc":
    case "clone":
    case "view":
    case "literal":
      return "fresh";
    case "pop":
    case "restore":
      return "effect";
  }
}

/** The strongest effect anywhere in an expression. */
export function purity(e: Expr, functions: FunctionPurity): Purity {
  let worst: Purity = "pure";
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    const p = own(node, functions);
    if (rank[p] > rank[worst]) worst = p;
    if (worst === "effect") return worst;
    stack.push(...children(node));
  }
  return worst;
}

/**
 * The arrays and objects whose contents an expression reads: what it indexes, and the
 * arrays it hands to a call (a callee reads their elements). Code that reads memory may
 * move only where none of these is written in between.
 */
export function memoryReads(e: Expr, isReference: (name: string) => boolean): string[] {
  const found: string[] = [];
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if ((node.kind === "get" || node.kind === "length" || node.kind === "clone" || node.kind === "view") && node.object.kind === "var") found.push(node.object.name);
    if (node.kind === "call") for (const a of node.args) if (a.kind === "var" && isReference(a.name)) found.push(a.name);
    stack.push(...children(node));
  }
  return found;
}

/** May be evaluated any number of times, anywhere its operands hold the same values. */
export const isMovable = (e: Expr, functions: FunctionPurity): boolean => rank[purity(e, functions)] <= rank.reads;

/** May be left out when its value is unused. */
export const isDroppable = (e: Expr, functions: FunctionPurity): boolean => purity(e, functions) !== "effect";

/** Every callee counted pure: for code known to call no `@differentiable` function. */
export const noFunctions: FunctionPurity = () => false;
