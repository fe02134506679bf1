/**
 * The state of lowering one function: names, scopes, the statement list being written, and
 * where each reference may point.
 *
 * Lowering is split by idea across this folder (expressions, calls, statements, control
 * flow, patterns, inlining); each part is a set of functions over one LowerContext.
 */
import { Node, type Expression } from "ts-morph";
import { sourcePos } from "../../diagnostics";
import type { DiffFunction } from "../../discover";
import { v, type Atom, type Expr, type IrVar, type OriginInfo, type Shape, type Stmt, type VarType } from "../../ir/ir";
import { exprReads, walk } from "../../ir/traverse";
import { Names, nameOf } from "../../naming";
import type { Rule } from "../rules";
import { inactiveInfo, numberInfo, type TypeInfo } from "../types";

/** How lowering resolves the callees it meets. */
export interface Resolver {
  /** the rule for a callee (`Math.sin`, a user function with `defineDerivative`) */
  ruleFor(callee: Expression): Rule | undefined;
  /** the rule for an operator's rule name (`mul`) */
  operatorRule(name: string): Rule | undefined;
  /** the `@differentiable` function a callee names */
  differentiable(callee: Expression): DiffFunction | undefined;
  /** the project-wide key of a differentiable function */
  keyOf(target: DiffFunction): string;
}

/** A name in scope: a variable, or a local function that calls inline. */
export type Binding = { kind: "var"; name: string } | { kind: "function"; node: LocalFunction; scopes: Map<string, Binding>[] };

/** A local function or arrow, inlined where it is called. */
export type LocalFunction = import("ts-morph").ArrowFunction | import("ts-morph").FunctionExpression | import("ts-morph").FunctionDeclaration;

/** A `break`/`continue` target: a loop, a `switch`, or a labelled statement. */
export interface JumpTarget {
  label?: string;
  loop: boolean;
  breakFlag?: string;
  continueFlag?: string;
}

/** Where a `return` goes: the function's result, or an inlined call's. */
export interface ReturnTarget {
  value: string;
  flag?: string;
  /** whether a `return` may appear before the end (then `flag` is used) */
  early: boolean;
}

export class LowerContext {
  readonly names: Names;
  readonly vars = new Map<string, IrVar>();
  scopes: Map<string, Binding>[] = [];
  readonly origins: OriginInfo[] = [];
  origin = 0;
  /** the statement list being written to */
  out: Stmt[] = [];
  /** writes into arrays and objects, with the code that does each (see ownership.ts) */
  readonly writes: { object: string; at: Node }[] = [];
  targets: JumpTarget[] = [];
  returns: ReturnTarget[] = [];
  /** the symbols of the indices of counted loops (integers) */
  readonly countedIndices = new Set<import("ts-morph").Symbol>();
  /** local functions being inlined, to reject recursion */
  readonly inlining = new Set<LocalFunction>();

  constructor(
    readonly target: DiffFunction,
    readonly resolver: Resolver,
    fileNames: Names,
  ) {
    this.names = fileNames.child();
  }

  /** Declares a user variable; it keeps its name unless another variable already has it. */
  declare(source: string, role: IrVar["role"], info: TypeInfo, typeText: string): string {
    const name = this.vars.has(source) ? this.names.fresh(source) : source;
    this.names.reserve(name);
    this.vars.set(name, { name, role, type: info.type, typeText, tangentText: info.tangent, shape: info.shape });
    this.scopes.at(-1)!.set(source, { kind: "var", name });
    return name;
  }

  /** A variable the lowering introduces (a flag, the result), named after what it holds. */
  hidden(base: string, info: TypeInfo, typeText: string): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: "local", type: info.type, typeText, tangentText: info.tangent, shape: info.shape });
    return name;
  }

  flag(base: string): string {
    return this.hidden(base, inactiveInfo, "boolean");
  }

  temp(info: TypeInfo | VarType, typeText?: string): string {
    const resolved = typeof info === "string" ? (info === "number" ? numberInfo : info === "inactive" ? inactiveInfo : undefined) : info;
    if (!resolved) throw new Error("a reference temporary needs its type");
    const name = this.names.numbered(nameOf.temporary);
    const text = typeText ?? (resolved.type === "number" ? "number" : "boolean");
    this.vars.set(name, { name, role: "temp", type: resolved.type, typeText: text, tangentText: resolved.tangent, shape: resolved.shape });
    return name;
  }

  lookup(source: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i].get(source);
      if (found) return found;
    }
    return undefined;
  }

  lookupVar(source: string): string | undefined {
    const found = this.lookup(source);
    return found?.kind === "var" ? found.name : undefined;
  }

  startOrigin(node: Node): void {
    this.origin = this.origins.push({ text: originText(node), pos: sourcePos(node) }) - 1;
  }

  emit(s: Stmt): void {
    this.out.push(s);
  }

  assign(target: string, value: Expr): void {
    this.emit({ kind: "assign", target, value, origin: this.origin });
  }

  /** Lowers `work` into a fresh statement list and returns it. */
  nested(work: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    try {
      work();
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  scoped<T>(work: () => T): T {
    this.scopes.push(new Map());
    try {
      return work();
    } finally {
      this.scopes.pop();
    }
  }

  /** `if (cond) then else`, copying the condition first if a branch assigns it. */
  emitIf(cond: Atom, then: Stmt[], otherwise: Stmt[], origin = this.origin): void {
    const name = cond.kind === "var" ? cond.name : undefined;
    if (name && [...walk([...then, ...otherwise])].some((s) => s.kind === "assign" && s.target === name)) {
      const copy = this.temp("inactive", this.vars.get(name)?.typeText);
      this.emit({ kind: "assign", target: copy, value: cond, origin });
      cond = v(copy);
    }
    this.emit({ kind: "if", cond, then, else: otherwise, origin });
  }

  /** `name = value`, through a temporary when the value reads `name` itself. */
  assignVar(name: string, value: Expr): void {
    if (exprReads(value).includes(name)) {
      const variable = this.vars.get(name)!;
      const temp = this.temp(infoOfVar(variable), variable.typeText);
      this.assign(temp, value);
      value = v(temp);
    }
    this.assign(name, value);
  }

  /** A write into an array or object, checked once lowering knows where each name may point. */
  noteWrite(object: string, at: Node): void {
    this.writes.push({ object, at });
  }

  shapeOf(name: string): Shape {
    return this.vars.get(name)?.shape ?? { kind: "inactive" };
  }
}

export function infoOfVar(variable: IrVar): TypeInfo {
  return { type: variable.type, shape: variable.shape, tangent: variable.tangentText ?? "null" };
}

/** One-line source text of a statement, for comments. */
export function originText(node: Node): string {
  // the first few hundred characters are all a comment shows: a long statement is not copied whole
  const text = node.getSourceFile().getFullText().slice(node.getStart(), Math.min(node.getEnd(), node.getStart() + 400)).replace(/\s+/g, " ").trim();
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
