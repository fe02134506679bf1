/**
 * Level stacks: where a half that runs its recursion as loops (descent.ts, frames.ts) keeps
 * each level's values.
 *
 * Input: the values a level keeps (each pushed from an expression, popped into a variable,
 * with its type). Output: the statements that push them all and that pop them all back, in
 * the opposite order. Numbers go on the runtime's `levelStack()` and booleans on its
 * `levelFlagStack()` (typed stacks shared by every half, their buffers reused from call to call,
 * so a level allocates nothing), arrays and objects on a JavaScript array each. Invariant: a
 * half pops exactly what it pushed, after whatever it calls in between popped what that
 * pushed, so halves share the stacks as they share the tapes; the gradient's tape mark
 * covers them, so one that throws leaves them as it found them (a tangent function that
 * loops takes a tape mark of its own: generate.ts).
 */
import { v, type Expr, type IrVar, type Shape, type Stmt } from "../ir/ir";

/** What turning a recursive function into loops needs of the derivative context it was generated in. */
export interface LoopContext {
  readonly vars: ReadonlyMap<string, IrVar>;
  fresh(base: string, type: IrVar["type"], typeText: string, shape?: Shape): string;
  temp(type: IrVar["type"], typeText: string, shape?: Shape): string;
  /** the runtime namespace's local name */
  readonly runtime: () => string;
}

export interface Kept {
  /** what a level pushes */
  value: Expr;
  /** the variable the value comes back into */
  target: string;
  typeText: string;
}

/** The runtime's functions giving the shared level stacks: numbers', booleans'. */
export const levelStackNames = ["levelStack", "levelFlagStack"] as const;

export interface LevelStacks {
  /** the locals naming the stacks, before the loops */
  setup: Stmt[];
  push: Stmt[];
  pop: Stmt[];
}

export function levelStacks(cx: LoopContext, kept: readonly Kept[]): LevelStacks {
  const setup: Stmt[] = [];
  const shared = new Map<string, string>();
  const stackOf = ({ target, typeText }: Kept): string => {
    const runtimeStack = typeText === "number" ? levelStackNames[0] : typeText === "boolean" ? levelStackNames[1] : undefined;
    if (!runtimeStack) {
      const own = cx.fresh(`${target}_levels`, "inactive", `${typeText}[]`);
      setup.push({ kind: "assign", target: own, value: { kind: "literal", shape: "array", items: [] }, origin: -1 });
      return own;
    }
    const known = shared.get(runtimeStack);
    if (known) return known;
    const local = cx.fresh(typeText === "number" ? "levelTape" : "levelFlags", "inactive", `${cx.runtime()}.${typeText === "number" ? "Float64Stack" : "BooleanStack"}`);
    // taken from a call: storage held elsewhere, so dead code removal keeps what is pushed on it
    setup.push({ kind: "assign", target: local, value: { kind: "call", callee: { kind: "runtime", name: runtimeStack }, args: [] }, origin: -1 });
    shared.set(runtimeStack, local);
    return local;
  };
  const stacks = kept.map(stackOf);
  return {
    setup,
    push: kept.map((k, i): Stmt => ({ kind: "push", object: stacks[i], value: k.value, origin: -1 })),
    pop: kept.map((k, i): Stmt => ({ kind: "assign", target: k.target, value: { kind: "pop", object: v(stacks[i]) }, origin: -1 })).reverse(),
  };
}
