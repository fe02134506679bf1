/**
 * What generating one tangent function knows: the primal, its activity, the rules, the
 * names of tangents, and how to reach the tangent functions of callees.
 */
import type { Activity } from "../ir/activity";
import { lit, v, type Expr, type IrFunction, type IrVar, type Shape } from "../ir/ir";
import type { Names } from "../naming";
import type { Rule } from "../front/rules";
import { tangentText } from "../front/types";

/** How tangent code reaches the tangent function of a `@differentiable` callee. */
export interface TangentCallees {
  /**
   * The callee's tangent function for the parameters `wrt` (the call's active arguments):
   * the key its IR is known by and its local name here; asking for it generates it.
   */
  tangent(key: string, wrt: readonly number[]): { key: string; name: string };
}

export class TangentContext {
  readonly names: Names;
  /** the output's variables: the primal's and the generated ones, with their types */
  readonly vars: Map<string, IrVar>;
  private readonly dots = new Map<string, string>();

  constructor(
    readonly fn: IrFunction,
    readonly activity: Activity,
    readonly rules: ReadonlyMap<string, Rule>,
    fileNames: Names,
    readonly callees: TangentCallees,
  ) {
    this.names = fileNames.child();
    for (const name of fn.vars.keys()) this.names.reserve(name);
    this.vars = new Map(fn.vars);
  }

  isActive(name: string): boolean {
    return this.activity.isActive(name);
  }

  /** The active variable an expression is (a name, or a non-null assertion of one). */
  activeVar(e: Expr): string | undefined {
    if (e.kind === "var" && this.isActive(e.name)) return e.name;
    if (e.kind === "op" && e.op === "nonnull") return this.activeVar(e.args[0]);
    return undefined;
  }

  isReference(name: string): boolean {
    return this.vars.get(name)?.type === "reference";
  }

  shapeOf(name: string): Shape {
    return this.vars.get(name)?.shape ?? { kind: "inactive" };
  }

  /** The tangent of a variable (`x` → `x_dot`), of the tangent's type. */
  dot(name: string): string {
    let found = this.dots.get(name);
    if (!found) {
      found = this.names.fresh(`${name}_dot`);
      this.dots.set(name, found);
      const primal = this.vars.get(name)!;
      const text = primal.tangentText ?? tangentText(primal.shape);
      const role = primal.role === "temp" ? "temp" : "local";
      this.vars.set(found, { name: found, role, type: primal.type, typeText: text, tangentText: text, shape: primal.shape });
    }
    return found;
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
    if (shape.kind === "number") return lit("0");
    return { kind: "call", callee: { kind: "runtime", name: "zerosLike" }, args: [value] };
  }

  /** A generated temporary (folded away where it is used once). */
  temp(type: IrVar["type"], typeText: string, shape?: Shape): string {
    const name = this.names.numbered("t");
    this.vars.set(name, { name, role: "temp", type, typeText, shape: shape ?? (type === "number" ? { kind: "number" } : { kind: "inactive" }) });
    return name;
  }

  /** A generated variable, named after `base`. */
  fresh(base: string, type: IrVar["type"], typeText: string, shape: Shape): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: "local", type, typeText, shape });
    return name;
  }
}
