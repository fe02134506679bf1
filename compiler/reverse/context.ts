/**
 * What generating one reverse-mode function knows: the primal, its activity, the rules,
 * the names of adjoints and shadows, and how to reach the generated halves of callees.
 */
import type { Activity } from "../ir/activity";
import { v, type Expr, type IrFunction, type Shape, type Stmt } from "../ir/ir";
import { DerivativeContext } from "../ir/derivative-context";
import type { FunctionPurity } from "../ir/purity";
import { nameOf, type Names } from "../naming";
import type { Rule } from "../front/rules";

/** How generated code reaches the generated halves of a `@differentiable` callee. */
export interface Callees {
  /**
   * The local names of the callee's forward and reverse halves for the parameters `wrt`
   * (the call's active arguments); asking for them generates them.
   */
  halves(key: string, wrt: readonly number[]): { forward: string; reverse: string };
  /** the callee's parameters' shapes and its result's */
  signature(key: string): { params: Shape[]; result: Shape };
  /** whether the callee's parameter `index` carries a derivative out of it (ir/carried.ts) */
  carries(key: string, index: number): boolean;
  purity: FunctionPurity;
}

export class ReverseContext extends DerivativeContext {
  private readonly bars = new Map<string, string>();
  /** adjoint name → its primal */
  readonly primalOf = new Map<string, string>();

  constructor(
    fn: IrFunction,
    activity: Activity,
    rules: ReadonlyMap<string, Rule>,
    fileNames: Names,
    readonly callees: Callees,
    /** the local name of the runtime namespace in the output file */
    readonly runtime: () => string,
  ) {
    super(fn, activity, rules, fileNames, "generated");
  }

  /** The adjoint (a number's) or shadow (an array's or object's) of a variable. */
  bar(name: string): string {
    const found = this.companion(this.bars, name, nameOf.adjoint(name), "generated");
    this.primalOf.set(found, name);
    return found;
  }

  barVar(name: string): Extract<Expr, { kind: "var" }> {
    return v(this.bar(name));
  }

  private pairs = 0;

  /** A fresh id tying a tape save to its restore. */
  pair(): number {
    return ++this.pairs;
  }
}

/** `x += e` (or `-=`) as an IR statement. */
export function accumulate(target: string, value: Expr, origin: number, sign: "+" | "-" = "+"): Stmt {
  return { kind: "assign", target, value, accumulate: sign, origin };
}
