/**
 * What generating one tangent function knows: the primal, its activity, the rules, the
 * names of tangents, and how to reach the tangent functions of callees.
 */
import type { Activity } from "../ir/activity";
import { lit, v, type Expr, type IrFunction, type Shape } from "../ir/ir";
import { DerivativeContext } from "../ir/derivative-context";
import { nameOf, type Names } from "../naming";
import type { Rule } from "../front/rules";

/** How tangent code reaches the tangent function of a `@differentiable` callee. */
export interface TangentCallees {
  /**
   * The callee's tangent function for the parameters `wrt` (the call's active arguments):
   * the key its IR is known by and its local name here; asking for it generates it.
   */
  tangent(key: string, wrt: readonly number[]): { key: string; name: string };
}

export class TangentContext extends DerivativeContext {
  private readonly dots = new Map<string, string>();

  constructor(fn: IrFunction, activity: Activity, rules: ReadonlyMap<string, Rule>, fileNames: Names, readonly callees: TangentCallees) {
    super(fn, activity, rules, fileNames, "local");
  }

  /** The tangent of a variable (`x` → `x_dot`), of the tangent's type. */
  dot(name: string): string {
    return this.companion(this.dots, name, nameOf.tangent(name), "local");
  }

  dotVar(name: string): Extract<Expr, { kind: "var" }> {
    return v(this.dot(name));
  }

  /**
   * The tangent of an expression used as a value of `shape`: an active variable's own, or
   * zero (`0`, or zeros shaped like the value for an array or object).
   */
  tangentOf(e: Expr, shape: Shape): Expr {
    const active = this.activeVar(e);
    if (active) return e.kind === "op" && e.op === "nonnull" && this.isReference(active) ? { kind: "op", op: "nonnull", args: [this.dotVar(active)] } : this.dotVar(active);
    return this.zero(e, shape);
  }

  /** A zero tangent for a value of `shape`. */
  zero(value: Expr, shape: Shape): Expr {
    return shape.kind === "number" ? lit("0") : this.runtimeCall("zerosLike", value);
  }
}
