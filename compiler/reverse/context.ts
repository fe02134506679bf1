/**
 * What generating one reverse-mode function knows: the primal, its activity, the rules,
 * the names of adjoints and shadows, and how to reach the generated halves of callees.
 */
import type { Activity } from "../ir/activity";
import { v, type Expr, type IrFunction, type IrVar, type Shape, type Stmt } from "../ir/ir";
import type { FunctionPurity } from "../ir/purity";
import type { Names } from "../naming";
import type { Rule } from "../front/rules";
import { tangentText } from "../front/types";

/** How generated code reaches the generated halves of a `@differentiable` callee. */
export interface Callees {
  /**
   * The local names of the callee's forward and reverse halves for the parameters `wrt`
   * (the call's active arguments); asking for them generates them.
   */
  halves(key: string, wrt: readonly number[]): { forward: string; reverse: string };
  /** the callee's parameters' shapes and its result's */
  signature(key: string): { params: Shape[]; result: Shape };
  purity: FunctionPurity;
}

export class ReverseContext {
  readonly names: Names;
  /** the output's variables: the primal's and the generated ones, with their types */
  readonly vars: Map<string, IrVar>;
  private readonly bars = new Map<string, string>();
  /** adjoint name → its primal */
  readonly primalOf = new Map<string, string>();

  constructor(
    readonly fn: IrFunction,
    readonly activity: Activity,
    readonly rules: ReadonlyMap<string, Rule>,
    fileNames: Names,
    readonly callees: Callees,
    /** the local name of the runtime namespace in the output file */
    readonly runtime: () => string,
  ) {
    this.names = fileNames.child();
    for (const name of fn.vars.keys()) this.names.reserve(name);
    this.vars = new Map(fn.vars);
  }

  isActive(name: string): boolean {
    return this.activity.isActive(name);
  }

  /** Whether an expression is an active variable (number or reference). */
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

  /** The adjoint (a number's) or shadow (an array's or object's) of a variable. */
  bar(name: string): string {
    let found = this.bars.get(name);
    if (!found) {
      found = this.names.fresh(`${name}_bar`);
      this.bars.set(name, found);
      this.primalOf.set(found, name);
      const primal = this.vars.get(name)!;
      const text = primal.tangentText ?? tangentText(primal.shape);
      // a temporary's adjoint is a temporary too: folded away where it is used once
      const role = primal.role === "temp" ? "temp" : "generated";
      this.vars.set(found, { name: found, role, type: primal.type, typeText: text, tangentText: text, shape: primal.shape });
    }
    return found;
  }

  barVar(name: string): Extract<Expr, { kind: "var" }> {
    return v(this.bar(name));
  }

  /** A generated variable of the given type. */
  fresh(base: string, type: IrVar["type"], typeText: string, shape: Shape = type === "number" ? { kind: "number" } : { kind: "inactive" }): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: "generated", type, typeText, shape });
    return name;
  }

  /** A generated temporary (folded away when used once). */
  temp(type: IrVar["type"], typeText: string, shape?: Shape): string {
    const name = this.names.numbered("t");
    this.vars.set(name, { name, role: "temp", type, typeText, shape: shape ?? (type === "number" ? { kind: "number" } : { kind: "inactive" }) });
    return name;
  }

  private pairs = 0;

  /** A fresh id tying a tape save to its restore. */
  pair(): number {
    return ++this.pairs;
  }

  runtimeCall(name: string, ...args: Expr[]): Expr {
    return { kind: "call", callee: { kind: "runtime", name }, args };
  }
}

/** `x += e` (or `-=`) as an IR statement. */
export function accumulate(target: string, value: Expr, origin: number, sign: "+" | "-" = "+"): Stmt {
  return { kind: "assign", target, value, accumulate: sign, origin };
}
