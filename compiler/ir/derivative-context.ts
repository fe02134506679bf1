/**
 * What generating derivative code for one function knows, in either mode: the primal, its
 * activity, the rules, the output's variables with their types, and the names in scope.
 * Reverse mode adds adjoints and shadows (reverse/context.ts), forward mode tangents
 * (forward/context.ts); each companion variable is made once per primal by `companion`.
 */
import type { Activity } from "./activity";
import type { Expr, IrFunction, IrVar, Shape } from "./ir";
import { nameOf, type Names } from "../naming";
import type { Rule } from "../front/rules";
import { tangentText } from "../front/types";

/** The variables of one generated function: those it starts with, and fresh ones made with their types. */
export class GeneratedVars {
  readonly names: Names;
  /** the output's variables: the primal's and the generated ones, with their types */
  readonly vars: Map<string, IrVar>;

  constructor(
    vars: ReadonlyMap<string, IrVar>,
    fileNames: Names,
    /** the role of variables made by `fresh` */
    private readonly freshRole: IrVar["role"],
  ) {
    this.names = fileNames.child(vars.keys());
    this.vars = new Map(vars);
  }

  /** A generated variable of the given type. */
  fresh(base: string, type: IrVar["type"], typeText: string, shape: Shape = defaultShape(type)): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: this.freshRole, type, typeText, shape });
    return name;
  }

  /** A generated temporary (folded away when used once). */
  temp(type: IrVar["type"], typeText: string, shape: Shape = defaultShape(type)): string {
    const name = this.names.numbered(nameOf.temporary);
    this.vars.set(name, { name, role: "temp", type, typeText, shape });
    return name;
  }
}

export class DerivativeContext extends GeneratedVars {
  constructor(
    readonly fn: IrFunction,
    readonly activity: Activity,
    readonly rules: ReadonlyMap<string, Rule>,
    fileNames: Names,
    freshRole: IrVar["role"],
  ) {
    super(fn.vars, fileNames, freshRole);
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

  /**
   * The variable of `name`'s derivative (`x_bar`, `x_dot`), typed like its tangent and made
   * once per primal; a temporary's is a temporary too, folded away where it is used once.
   */
  protected companion(made: Map<string, string>, name: string, base: string, role: IrVar["role"]): string {
    let found = made.get(name);
    if (!found) {
      found = this.names.fresh(base);
      made.set(name, found);
      const primal = this.vars.get(name)!;
      const text = primal.tangentText ?? tangentText(primal.shape);
      this.vars.set(found, { name: found, role: primal.role === "temp" ? "temp" : role, type: primal.type, typeText: text, tangentText: text, shape: primal.shape });
    }
    return found;
  }

  runtimeCall(name: string, ...args: Expr[]): Expr {
    return { kind: "call", callee: { kind: "runtime", name }, args };
  }
}

const defaultShape = (type: IrVar["type"]): Shape => (type === "number" ? { kind: "number" } : { kind: "inactive" });
