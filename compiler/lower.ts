/**
 * Lower: a `@differentiable` function's body to the IR.
 *
 * Input: the function's ts-morph node and how to resolve what it calls. Output: an
 * IrFunction in A-normal form: each assignment does one operation on atoms; user
 * variables keep their names (renamed only where one shadows another); nested
 * subexpressions go to temporaries `t1, t2, …`. Jumps become flags: `break`, `continue`
 * and an early `return` set a boolean, and the statements after them run under
 * `if (!flag)`, so the IR has structured `if`/`loop` only and one final `return`.
 * Invariants: every name is unique in the function, no assignment reads its own target,
 * an `if` never assigns its own condition, and anything this pass does not know how to
 * differentiate is a CompileError at the construct, never a silent approximation.
 */
import { Node, SyntaxKind, type Expression, type Statement } from "ts-morph";
import { CompileError, codes, sourcePos } from "./diagnostics";
import type { DiffFunction } from "./discover";
import { lit, v, valueArgs, walk, type Atom, type IrFunction, type IrVar, type Key, type OriginInfo, type SplitNames, type Stmt, type Value, type VarType } from "./ir";
import { Names } from "./naming";
import { operatorRules, type Rule } from "./rules";
import { describeType, unsupported, type TypeInfo } from "./types";

export { classify, unsupported } from "./types";

/** How lowering resolves the callees it meets. */
export interface Resolver {
  /** the rule for a callee (`Math.sin`, a user function with `defineDerivative`) */
  ruleFor(callee: Expression): Rule | undefined;
  /** the rule for an operator's rule name (`mul`) */
  operatorRule(name: string): Rule | undefined;
  /** the `@differentiable` function a callee names */
  differentiable(callee: Expression): DiffFunction | undefined;
  /** the local name of a differentiable function's adjoint, in the file being generated */
  adjointRef(target: DiffFunction, at: Node): string;
  /** the local names of its forward and reverse halves (generated because this asks) */
  splitRef(target: DiffFunction, at: Node): SplitNames;
}

const binaryOperators: Record<number, string> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.AsteriskAsteriskToken]: "**",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
  [SyntaxKind.EqualsEqualsToken]: "==",
  [SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsToken]: "!=",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [SyntaxKind.AmpersandToken]: "&",
  [SyntaxKind.BarToken]: "|",
  [SyntaxKind.CaretToken]: "^",
  [SyntaxKind.LessThanLessThanToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanToken]: ">>",
  [SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: ">>>",
};

const compoundOperators: Record<number, string> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "**",
};

const logicalOperators: Record<number, "&&" | "||" | "??"> = {
  [SyntaxKind.AmpersandAmpersandToken]: "&&",
  [SyntaxKind.BarBarToken]: "||",
  [SyntaxKind.QuestionQuestionToken]: "??",
};

/** One-line source text of a statement, for comments. */
function originText(node: Node): string {
  const text = node.getText().replace(/\s+/g, " ").trim();
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

export function lower(target: DiffFunction, resolver: Resolver, reserved: Iterable<string>): IrFunction {
  return new Lowering(target, resolver, reserved).run();
}

/** A `break`/`continue` target: a loop, a `switch`, or a labelled statement. */
interface JumpTarget {
  label?: string;
  loop: boolean;
  breakFlag?: string;
  continueFlag?: string;
}

/** An assignable place: a variable, or an element/field of a local array or object. */
type Place = { kind: "var"; name: string } | { kind: "element"; object: string; key: Key };

class Lowering {
  private readonly names: Names;
  private readonly vars = new Map<string, IrVar>();
  private readonly scopes: Map<string, string>[] = [];
  private readonly origins: OriginInfo[] = [];
  private origin = 0;
  /** the statement list being written to */
  private out: Stmt[] = [];
  private readonly targets: JumpTarget[] = [];
  /** set when the body returns from more than one place */
  private result?: { value: string; flag: string };
  /** references that may point into a parameter: writing through them is rejected */
  private readonly fromInput = new Set<string>();

  constructor(
    private readonly target: DiffFunction,
    private readonly resolver: Resolver,
    reserved: Iterable<string>,
  ) {
    this.names = new Names(reserved);
  }

  run(): IrFunction {
    const { fn, name } = this.target;
    this.scopes.push(new Map());
    if (this.target.self) this.vars.set("this", { name: "this", role: "param", type: "inactive", typeText: this.target.self });
    const body = fn.getBody();
    if (body) this.rejectNested(body);

    const params = fn.getParameters().map((param, i) => {
      if (param.isRestParameter()) throw unsupported(param, "a rest parameter");
      if (param.hasInitializer() || param.hasQuestionToken()) throw unsupported(param, "an optional parameter");
      const info = describeType(param.getType(), param);
      const typeText = param.getTypeNode()?.getText() ?? param.getType().getText(param);
      const nameNode = param.getNameNode();
      const paramName = Node.isIdentifier(nameNode) ? nameNode.getText() : this.names.fresh(`arg${i}`);
      const declared = this.declare(paramName, "param", info, typeText);
      if (info.type === "reference") this.fromInput.add(declared);
      return { name: declared, typeText, type: info.type, tangentText: info.tangent, pattern: nameNode };
    });
    const returnType = fn.getReturnType();
    const resultInfo = describeType(returnType, fn.getReturnTypeNode() ?? fn);
    const resultTypeText = fn.getReturnTypeNode()?.getText() ?? returnType.getText(fn);

    if (Node.isBlock(body)) {
      const statements = body.getStatements();
      for (const p of params) {
        if (!Node.isIdentifier(p.pattern)) {
          this.startOrigin(p.pattern.getParentOrThrow());
          this.destructure(p.pattern, v(p.name), p.pattern);
        }
      }
      const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((r) => r.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) === fn);
      const last = statements.at(-1);
      const single = returns.length === 1 && returns[0] === last;
      if (!single) {
        this.result = {
          value: this.hidden("result", resultInfo.type, resultTypeText, resultInfo.tangent),
          flag: this.hidden("returned", "inactive", "boolean"),
        };
        this.origin = this.origins.push({ text: `(${name} has not returned yet)`, pos: sourcePos(body) }) - 1;
        this.emit({ kind: "assign", target: this.result.flag, value: { kind: "copy", arg: lit("false") }, origin: this.origin });
      }
      this.block(single ? statements.slice(0, -1) : statements);
      if (single && last && Node.isReturnStatement(last)) {
        this.startOrigin(last);
        const expr = last.getExpression();
        if (!expr) throw unsupported(last, "a `return` without a value");
        this.emit({ kind: "return", value: this.atom(expr), origin: this.origin });
      } else if (this.result) {
        this.origin = this.origins.push({ text: `(${name} returns what a \`return\` above set)`, pos: sourcePos(fn) }) - 1;
        this.emit({ kind: "return", value: v(this.result.value), origin: this.origin });
      }
    } else if (body && Node.isExpression(body)) {
      this.startOrigin(body);
      this.emit({ kind: "return", value: this.atom(body), origin: this.origin });
    }
    if (this.out.at(-1)?.kind !== "return") {
      throw new CompileError(codes.unsupportedSyntax, `${name} must end with a \`return\` of its result`, fn);
    }
    return {
      name,
      callText: this.target.callText,
      self: this.target.self,
      params: params.map(({ pattern: _, ...p }) => p),
      resultType: resultInfo.type,
      resultTypeText,
      resultTangentText: resultInfo.tangent,
      vars: this.vars,
      body: this.out,
      origins: this.origins,
    };
  }

  /** Constructs rejected wherever they appear, with their own codes. */
  private rejectNested(root: Node): void {
    const check = (node: Node, traversal: { skip(): void }) => {
      if (Node.isTryStatement(node) || Node.isThrowStatement(node)) {
        throw new CompileError(
          codes.exceptions,
          `${Node.isTryStatement(node) ? "`try`" : "`throw`"} is not supported in a @differentiable function: the reverse sweep cannot follow an exception; check the condition before the function is called, or move the guarded code out of it`,
          node,
        );
      }
      if (Node.isYieldExpression(node) || Node.isAwaitExpression(node)) {
        throw new CompileError(
          codes.generator,
          `${Node.isYieldExpression(node) ? "`yield`" : "`await`"} is not supported in a @differentiable function: it must run to completion in one call; compute the values first and pass them in`,
          node,
        );
      }
      if (Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node)) {
        throw new CompileError(
          codes.closure,
          "a nested function is not supported in a @differentiable function: its derivative would be lost; write it as a top-level /** @differentiable */ function and call that",
          node,
        );
      }
      if (Node.isClassDeclaration(node) || Node.isClassExpression(node)) traversal.skip();
    };
    check(root, { skip() {} });
    root.forEachDescendant(check);
  }

  // ── scopes and names ──────────────────────────────────────────────────────

  /** Declares a user variable; it keeps its name unless an outer one already has it. */
  private declare(source: string, role: IrVar["role"], info: TypeInfo, typeText: string): string {
    const name = this.vars.has(source) ? this.names.fresh(source) : source;
    this.names.reserve(name);
    this.vars.set(name, { name, role, type: info.type, typeText, tangentText: info.tangent });
    this.scopes.at(-1)!.set(source, name);
    return name;
  }

  /** A variable the lowering introduces (a flag, the result), named after what it holds. */
  private hidden(base: string, type: VarType, typeText: string, tangentText?: string): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: "local", type, typeText, tangentText });
    return name;
  }

  private lookup(source: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i].get(source);
      if (found) return found;
    }
    return undefined;
  }

  private temp(info: TypeInfo | VarType, typeText?: string): string {
    const type = typeof info === "string" ? info : info.type;
    const tangentText = typeof info === "string" ? (type === "number" ? "number" : undefined) : info.tangent;
    const name = this.names.numbered("t");
    this.vars.set(name, { name, role: "temp", type, typeText: typeText ?? (type === "number" ? "number" : "boolean"), tangentText });
    return name;
  }

  private startOrigin(node: Node): void {
    this.origin = this.origins.push({ text: originText(node), pos: sourcePos(node) }) - 1;
  }

  private emit(s: Stmt): void {
    this.out.push(s);
  }

  /** Lowers `work` into a fresh statement list and returns it. */
  private nested(work: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    try {
      work();
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  private scoped<T>(work: () => T): T {
    this.scopes.push(new Map());
    try {
      return work();
    } finally {
      this.scopes.pop();
    }
  }

  // ── statements ────────────────────────────────────────────────────────────

  /**
   * Lowers a statement list. Returns the flags it may leave set: after a statement that
   * may jump, the rest of the list runs only under `if (!flag)`.
   */
  private block(statements: readonly Statement[]): Set<string> {
    const live = statements.filter((s) => !Node.isEmptyStatement(s));
    return this.sequence(live.map((s) => () => this.statement(s)));
  }

  /** Lowers parts in order; after one that may jump, the rest run only if no flag is set. */
  private sequence(parts: (() => Set<string>)[]): Set<string> {
    const escapes = new Set<string>();
    for (let i = 0; i < parts.length; i++) {
      const flags = parts[i]();
      for (const f of flags) escapes.add(f);
      if (flags.size > 0 && i < parts.length - 1) {
        const skip = this.anyOf([...flags]);
        const origin = this.origin;
        const rest = this.nested(() => this.sequence(parts.slice(i + 1)).forEach((f) => escapes.add(f)));
        this.emitIf(skip, [], rest, origin);
        break;
      }
    }
    return escapes;
  }

  /** A boolean atom that is true when any of `flags` is set. */
  private anyOf(flags: string[]): Atom {
    let atom = v(flags[0]);
    for (const flag of flags.slice(1)) {
      const t = this.temp("inactive");
      this.emit({ kind: "assign", target: t, value: { kind: "op", op: "||", args: [atom, v(flag)] }, origin: this.origin });
      atom = v(t);
    }
    return atom;
  }

  /** `if (cond) then else`, copying the condition first if a branch assigns it. */
  private emitIf(cond: Atom, then: Stmt[], otherwise: Stmt[], origin = this.origin): void {
    const name = cond.kind === "var" ? cond.name : undefined;
    if (name && [...walk([...then, ...otherwise])].some((s) => s.kind === "assign" && s.target === name)) {
      const copy = this.temp("inactive", this.vars.get(name)?.typeText);
      this.emit({ kind: "assign", target: copy, value: { kind: "copy", arg: cond }, origin });
      cond = v(copy);
    }
    this.emit({ kind: "if", cond, then, else: otherwise, origin });
  }

  private setFlag(flag: string, value: boolean): void {
    this.emit({ kind: "assign", target: flag, value: { kind: "copy", arg: lit(String(value)) }, origin: this.origin });
  }

  private statement(statement: Statement): Set<string> {
    const none = new Set<string>();
    if (Node.isEmptyStatement(statement)) return none;
    if (Node.isBlock(statement)) return this.scoped(() => this.block(statement.getStatements()));
    this.startOrigin(statement);
    if (Node.isVariableStatement(statement)) {
      for (const decl of statement.getDeclarations()) this.variable(decl);
      return none;
    }
    if (Node.isReturnStatement(statement)) {
      const expr = statement.getExpression();
      if (!expr) throw unsupported(statement, "a `return` without a value");
      const { value, flag } = this.result!;
      this.assignVar(value, this.value(expr));
      this.setFlag(flag, true);
      return new Set([flag]);
    }
    if (Node.isExpressionStatement(statement)) {
      this.expressionStatement(statement.getExpression());
      return none;
    }
    if (Node.isIfStatement(statement)) {
      const cond = this.atom(statement.getExpression());
      const origin = this.origin;
      const escapes = new Set<string>();
      const then = this.nested(() => this.statement(statement.getThenStatement()).forEach((f) => escapes.add(f)));
      const elseStatement = statement.getElseStatement();
      const otherwise = elseStatement ? this.nested(() => this.statement(elseStatement).forEach((f) => escapes.add(f))) : [];
      this.emitIf(cond, then, otherwise, origin);
      return escapes;
    }
    if (Node.isBreakStatement(statement) || Node.isContinueStatement(statement)) return this.jump(statement);
    if (Node.isLabeledStatement(statement)) {
      const inner = statement.getStatement();
      const label = statement.getLabel().getText();
      if (Node.isIterationStatement(inner)) return this.loop(inner, label);
      const target: JumpTarget = { label, loop: false };
      return this.breakable(target, () => this.statement(inner));
    }
    if (Node.isIterationStatement(statement)) return this.loop(statement);
    if (Node.isSwitchStatement(statement)) return this.switchStatement(statement);
    throw unsupported(statement);
  }

  /** `const x = e`, `let x;` or `const { a, b } = e`. */
  private variable(decl: import("ts-morph").VariableDeclaration): void {
    const init = decl.getInitializer();
    const nameNode = decl.getNameNode();
    if (!Node.isIdentifier(nameNode)) {
      if (!init) throw unsupported(decl, "destructuring without an initializer");
      this.destructure(nameNode, this.atom(init), decl);
      return;
    }
    const info = describeType(decl.getType(), decl);
    const typeText = decl.getTypeNode()?.getText() ?? decl.getType().getBaseTypeOfLiteralType().getText(decl);
    // Lower the initializer before declaring: it may read an outer variable of the same name.
    const value = init ? this.value(init) : undefined;
    const name = this.declare(nameNode.getText(), "local", info, typeText);
    if (value) this.assignVar(name, value);
  }

  /** `break`/`continue`: set the target's flag. */
  private jump(statement: import("ts-morph").BreakStatement | import("ts-morph").ContinueStatement): Set<string> {
    const isBreak = Node.isBreakStatement(statement);
    const label = statement.getLabel()?.getText();
    const target = [...this.targets].reverse().find((t) => (label ? t.label === label : isBreak || t.loop) && (isBreak || t.loop));
    if (!target) throw unsupported(statement, `this \`${isBreak ? "break" : "continue"}\``);
    const flag = isBreak
      ? (target.breakFlag ??= this.hidden("broke", "inactive", "boolean"))
      : (target.continueFlag ??= this.hidden("skipped", "inactive", "boolean"));
    this.setFlag(flag, true);
    return new Set([flag]);
  }

  /** A labelled block or a `switch`: a `break` target that is not a loop. */
  private breakable(target: JumpTarget, work: () => Set<string>): Set<string> {
    this.targets.push(target);
    const origin = this.origin;
    let escapes: Set<string>;
    const body = this.nested(() => (escapes = work()));
    this.targets.pop();
    if (target.breakFlag) {
      this.emit({ kind: "assign", target: target.breakFlag, value: { kind: "copy", arg: lit("false") }, origin });
      escapes!.delete(target.breakFlag);
    }
    this.out.push(...body);
    return escapes!;
  }

  /**
   * Every loop becomes `loop { test; if (!cond) break; body }`. A flag that a jump in the
   * body may leave set (this loop's `break`, an outer `break`/`continue`, a `return`) also
   * ends it; its own `continue` flag only skips the rest of one iteration.
   */
  private loop(statement: import("ts-morph").IterationStatement, label?: string): Set<string> {
    const target: JumpTarget = { label, loop: true };
    const origin = this.origin;
    return this.scoped(() => {
      let test: () => Atom;
      let body: () => Set<string>;
      let update: () => void = () => {};
      if (Node.isForStatement(statement)) {
        const init = statement.getInitializer();
        if (init) {
          if (Node.isVariableDeclarationList(init)) {
            for (const decl of init.getDeclarations()) this.variable(decl);
          } else {
            this.expressionStatement(init as Expression);
          }
        }
        const cond = statement.getCondition();
        test = () => {
          if (!cond) return lit("true");
          this.startOrigin(cond);
          return this.atom(cond);
        };
        body = () => this.statement(statement.getStatement());
        const inc = statement.getIncrementor();
        if (inc) {
          update = () => {
            this.startOrigin(inc);
            this.expressionStatement(inc);
          };
        }
      } else if (Node.isWhileStatement(statement)) {
        test = () => {
          this.startOrigin(statement.getExpression());
          return this.atom(statement.getExpression());
        };
        body = () => this.statement(statement.getStatement());
      } else if (Node.isDoStatement(statement)) {
        return this.doLoop(statement, target, origin);
      } else if (Node.isForOfStatement(statement)) {
        const iterated = statement.getExpression();
        if (!iterated.getType().isArray() && !/^(readonly )?Float(32|64)Array/.test(iterated.getType().getText())) {
          throw unsupported(iterated, "`for…of` over something other than an array");
        }
        const arrayName = this.objectName(iterated);
        const index = this.hidden("index", "number", "number");
        const length = this.temp("number");
        this.emit({ kind: "assign", target: index, value: { kind: "copy", arg: lit("0") }, origin: this.origin });
        this.emit({ kind: "assign", target: length, value: { kind: "length", object: arrayName }, origin: this.origin });
        test = () => {
          const t = this.temp("inactive");
          this.emit({ kind: "assign", target: t, value: { kind: "op", op: "<", args: [v(index), v(length)] }, origin: this.origin });
          return v(t);
        };
        const init = statement.getInitializer();
        body = () =>
          this.scoped(() => {
            if (!Node.isVariableDeclarationList(init)) throw unsupported(init, "a `for…of` without a declaration");
            const decl = init.getDeclarations()[0];
            const element: Value = { kind: "get", object: arrayName, key: { kind: "index", index: v(index) } };
            const nameNode = decl.getNameNode();
            if (Node.isIdentifier(nameNode)) {
              const info = describeType(decl.getType(), decl);
              const name = this.declare(nameNode.getText(), "local", info, decl.getType().getText(decl));
              this.assignVar(name, element);
              if (info.type === "reference" && this.fromInput.has(arrayName)) this.fromInput.add(name);
            } else {
              const info = describeType(decl.getType(), decl);
              const t = this.temp(info, decl.getType().getText(decl));
              this.assignVar(t, element);
              if (this.fromInput.has(arrayName)) this.fromInput.add(t);
              this.destructure(nameNode, v(t), decl);
            }
            return this.statement(statement.getStatement());
          });
        update = () => this.assignVar(index, this.operator("+", [v(index), lit("1")]));
      } else {
        throw unsupported(statement);
      }
      return this.finishLoop(target, origin, test, body, update);
    });
  }

  private finishLoop(target: JumpTarget, origin: number, test: () => Atom, body: () => Set<string>, update: () => void): Set<string> {
    this.targets.push(target);
    let escapes = new Set<string>();
    const bodyStmts = this.nested(() => {
      escapes = body();
      const stop = [...escapes].filter((f) => f !== target.continueFlag);
      if (stop.length > 0) {
        // the update runs after a `continue`, not after a `break` or `return`
        const skip = this.anyOf(stop);
        this.emitIf(skip, [], this.nested(update));
      } else {
        update();
      }
    });
    this.targets.pop();
    const exits = [...escapes].filter((f) => f !== target.continueFlag);
    let cond: Atom = lit("true");
    const testBody = this.nested(() => (cond = test()));
    const testStmts = this.guardedTest(exits, testBody, cond, (c) => (cond = c));
    if (target.continueFlag) bodyStmts.unshift({ kind: "assign", target: target.continueFlag, value: { kind: "copy", arg: lit("false") }, origin });
    if (target.breakFlag) this.emit({ kind: "assign", target: target.breakFlag, value: { kind: "copy", arg: lit("false") }, origin });
    this.emit({ kind: "loop", test: testStmts, cond, body: bodyStmts, origin });
    return new Set(exits.filter((f) => f !== target.breakFlag));
  }

  /**
   * The loop test when jumps may end the loop: `go = !(flags); if (go) { test; go = c }`,
   * so a test is never evaluated after a `break` (its reads could be out of range).
   */
  private guardedTest(exits: string[], testBody: Stmt[], cond: Atom, setCond: (c: Atom) => void): Stmt[] {
    if (exits.length === 0) return testBody;
    return this.nested(() => {
      const stop = this.anyOf(exits);
      const go = this.hidden("running", "inactive", "boolean");
      this.emit({ kind: "assign", target: go, value: { kind: "op", op: "!", args: [stop] }, origin: this.origin });
      const inner = [...testBody, { kind: "assign" as const, target: go, value: { kind: "copy" as const, arg: cond }, origin: this.origin }];
      this.emitIf(stop, [], inner);
      setCond(v(go));
    });
  }

  private doLoop(statement: import("ts-morph").DoStatement, target: JumpTarget, origin: number): Set<string> {
    this.targets.push(target);
    let escapes = new Set<string>();
    let cond: Atom = lit("true");
    const testStmts = this.nested(() => {
      escapes = this.statement(statement.getStatement());
      const stop = [...escapes].filter((f) => f !== target.continueFlag);
      const testBody = this.nested(() => (cond = this.atom(statement.getExpression())));
      if (stop.length === 0) this.out.push(...testBody);
      else this.out.push(...this.guardedTest(stop, testBody, cond, (c) => (cond = c)));
    });
    this.targets.pop();
    if (target.continueFlag) testStmts.unshift({ kind: "assign", target: target.continueFlag, value: { kind: "copy", arg: lit("false") }, origin });
    if (target.breakFlag) this.emit({ kind: "assign", target: target.breakFlag, value: { kind: "copy", arg: lit("false") }, origin });
    this.emit({ kind: "loop", test: testStmts, cond, body: [], origin });
    return new Set([...escapes].filter((f) => f !== target.continueFlag && f !== target.breakFlag));
  }

  /**
   * `switch (d) { case a: …; case b: … }`: find the entry clause once, then run each
   * clause from the entry on (fallthrough) until a `break` sets the switch's flag.
   */
  private switchStatement(statement: import("ts-morph").SwitchStatement): Set<string> {
    const disc = this.atom(statement.getExpression());
    const clauses = statement.getCaseBlock().getClauses();
    const entry = this.hidden("entry", "inactive", "number");
    const defaultIndex = clauses.findIndex((c) => Node.isDefaultClause(c));
    this.emit({ kind: "assign", target: entry, value: { kind: "copy", arg: lit(String(defaultIndex >= 0 ? defaultIndex : clauses.length)) }, origin: this.origin });
    const chain = (i: number): void => {
      const clause = clauses[i];
      if (!clause) return;
      if (!Node.isCaseClause(clause)) return chain(i + 1);
      const test = this.atom(clause.getExpression());
      const match = this.temp("inactive");
      this.emit({ kind: "assign", target: match, value: { kind: "op", op: "===", args: [disc, test] }, origin: this.origin });
      const then = this.nested(() => this.emit({ kind: "assign", target: entry, value: { kind: "copy", arg: lit(String(i)) }, origin: this.origin }));
      this.emitIf(v(match), then, this.nested(() => chain(i + 1)));
    };
    chain(0);
    const clause = (i: number) => () => {
      const from = this.temp("inactive");
      this.emit({ kind: "assign", target: from, value: { kind: "op", op: "<=", args: [v(entry), lit(String(i))] }, origin: this.origin });
      let flags = new Set<string>();
      const body = this.nested(() => (flags = this.block(clauses[i].getStatements())));
      this.emitIf(v(from), body, []);
      return flags;
    };
    return this.breakable({ loop: false }, () => this.scoped(() => this.sequence(clauses.map((_, i) => clause(i)))));
  }

  private expressionStatement(expr: Expression): void {
    const node = skipTransparent(expr);
    if (Node.isBinaryExpression(node)) {
      const token = node.getOperatorToken().getKind();
      if (token === SyntaxKind.CommaToken) {
        // `i++, j--` in a `for` header: one statement after the other
        this.expressionStatement(node.getLeft());
        this.expressionStatement(node.getRight());
        return;
      }
      const compound = compoundOperators[token];
      if (token === SyntaxKind.EqualsToken || compound) {
        const place = this.place(node.getLeft());
        const value = compound
          ? this.operator(compound, [this.read(place), this.atom(node.getRight())])
          : this.value(node.getRight());
        this.write(place, value, node);
        return;
      }
    }
    if (Node.isPrefixUnaryExpression(node) || Node.isPostfixUnaryExpression(node)) {
      const token = node.getOperatorToken();
      if (token === SyntaxKind.PlusPlusToken || token === SyntaxKind.MinusMinusToken) {
        const place = this.place(node.getOperand());
        this.write(place, this.operator(token === SyntaxKind.PlusPlusToken ? "+" : "-", [this.read(place), lit("1")]), node);
        return;
      }
    }
    if (Node.isCallExpression(node)) {
      const callee = node.getExpression();
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === "push") {
        const object = this.objectName(callee.getExpression());
        this.checkWritable(object, node);
        for (const arg of node.getArguments()) {
          const value = this.atom(arg as Expression);
          this.checkStored(value, arg);
          this.emit({ kind: "push", object, value, origin: this.origin });
        }
        return;
      }
      // a call for its effect only: lowered like any other, its result unused
      this.atom(node);
      return;
    }
    throw unsupported(expr, "an expression statement other than an assignment or a call");
  }

  /** What an assignment writes to. */
  private place(node: Expression): Place {
    const inner = skipTransparent(node);
    if (Node.isIdentifier(inner)) {
      const name = this.lookup(inner.getText());
      if (name) return { kind: "var", name };
      throw unsupported(node, `assigning to \`${inner.getText()}\`, which is declared outside the function,`);
    }
    if (Node.isElementAccessExpression(inner) || Node.isPropertyAccessExpression(inner)) {
      const object = this.objectName(inner.getExpression());
      return { kind: "element", object, key: this.key(inner) };
    }
    throw unsupported(node, `assigning to \`${node.getText()}\``);
  }

  private read(place: Place): Atom {
    if (place.kind === "var") return v(place.name);
    const t = this.temp("number");
    this.emit({ kind: "assign", target: t, value: { kind: "get", object: place.object, key: place.key }, origin: this.origin });
    return v(t);
  }

  private write(place: Place, value: Value, at: Node): void {
    if (place.kind === "var") return this.assignVar(place.name, value);
    this.checkWritable(place.object, at);
    const atom = this.atomOf(value, "number");
    this.checkStored(atom, at);
    this.emit({ kind: "store", object: place.object, key: place.key, value: atom, origin: this.origin });
  }

  /** A fresh array may go into another (their shadows alias alike); a parameter's may not. */
  private checkStored(value: Atom, at: Node): void {
    if (value.kind === "var" && this.fromInput.has(value.name)) {
      throw new CompileError(
        codes.storedReference,
        "storing a parameter's array or object into another array or object is not supported in a @differentiable function: the two would share elements; copy it into a fresh array first",
        at,
      );
    }
  }

  private checkWritable(object: string, at: Node): void {
    if (this.fromInput.has(object)) {
      throw new CompileError(
        codes.writeToInput,
        `\`${at.getText().replace(/\s+/g, " ")}\` writes into an array or object that belongs to a parameter; a @differentiable function must leave its inputs unchanged. Copy it into a local array first (e.g. \`const a = Float64Array.from(x)\`)`,
        at,
      );
    }
  }

  /** `name = value`, through a temporary when the value reads `name` itself. */
  private assignVar(name: string, value: Value): void {
    const variable = this.vars.get(name)!;
    if (valueArgs(value).some((a) => a.kind === "var" && a.name === name) || ((value.kind === "get" || value.kind === "length") && value.object === name)) {
      const temp = this.temp(variable.type, variable.typeText);
      this.emit({ kind: "assign", target: temp, value, origin: this.origin });
      value = { kind: "copy", arg: v(temp) };
    }
    if (variable.type === "reference") {
      const source = value.kind === "copy" && value.arg.kind === "var" ? value.arg.name : value.kind === "get" ? value.object : undefined;
      if (source && this.fromInput.has(source)) this.fromInput.add(name);
    }
    this.emit({ kind: "assign", target: name, value, origin: this.origin });
  }

  /** `const { a, b: [c, d] } = value` as one read per name. */
  private destructure(pattern: Node, source: Atom, at: Node): void {
    if (source.kind !== "var") throw unsupported(at, "destructuring a literal");
    const object = source.name;
    const bind = (element: Node, key: Key) => {
      if (!Node.isBindingElement(element)) return;
      if (element.getInitializer()) throw unsupported(element, "a default value in destructuring");
      if (element.getDotDotDotToken()) throw unsupported(element, "a rest element in destructuring");
      const nameNode = element.getNameNode();
      const info = describeType(element.getType(), element);
      const get: Value = { kind: "get", object, key };
      if (Node.isIdentifier(nameNode)) {
        const name = this.declare(nameNode.getText(), "local", info, element.getType().getText(element));
        this.assignVar(name, get);
        if (info.type === "reference" && this.fromInput.has(object)) this.fromInput.add(name);
      } else {
        const t = this.temp(info, element.getType().getText(element));
        this.emit({ kind: "assign", target: t, value: get, origin: this.origin });
        if (this.fromInput.has(object)) this.fromInput.add(t);
        this.destructure(nameNode, v(t), element);
      }
    };
    if (Node.isObjectBindingPattern(pattern)) {
      for (const element of pattern.getElements()) {
        const prop = element.getPropertyNameNode();
        const key = prop ? prop.getText() : element.getName();
        if (prop && !Node.isIdentifier(prop)) throw unsupported(prop, "a computed key in destructuring");
        bind(element, { kind: "field", name: key });
      }
    } else if (Node.isArrayBindingPattern(pattern)) {
      pattern.getElements().forEach((element, i) => bind(element, { kind: "index", index: lit(String(i)) }));
    } else {
      throw unsupported(pattern, "this binding pattern");
    }
  }

  // ── expressions ───────────────────────────────────────────────────────────

  /** An expression as an atom, through a temporary unless it is already one. */
  private atom(expr: Expression): Atom {
    const value = this.value(expr);
    if (value.kind === "copy") return value.arg;
    const info = describeType(expr.getType(), expr);
    const typeText = info.type === "number" ? "number" : expr.getType().getBaseTypeOfLiteralType().getText(expr);
    return this.atomOf(value, info, typeText);
  }

  private atomOf(value: Value, info: TypeInfo | VarType, typeText?: string): Atom {
    if (value.kind === "copy") return value.arg;
    const type = typeof info === "string" ? info : info.type;
    const temp = this.temp(info, typeText);
    this.emit({ kind: "assign", target: temp, value, origin: this.origin });
    if (value.kind === "get" && type === "reference" && this.fromInput.has(value.object)) this.fromInput.add(temp);
    return v(temp);
  }

  /** An expression as one operation on atoms. */
  private value(expr: Expression): Value {
    const node = skipTransparent(expr);
    if (Node.isNumericLiteral(node) || Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
      return { kind: "copy", arg: lit(node.getText()) };
    }
    if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node)) {
      return { kind: "copy", arg: lit(node.getText()) };
    }
    if (Node.isIdentifier(node)) return { kind: "copy", arg: this.identifier(node) };
    if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return this.access(node);
    if (Node.isPrefixUnaryExpression(node)) {
      const token = node.getOperatorToken();
      const operand = node.getOperand();
      if (token === SyntaxKind.MinusToken && Node.isNumericLiteral(operand)) {
        return { kind: "copy", arg: lit(node.getText()) };
      }
      const op = { [SyntaxKind.MinusToken]: "-", [SyntaxKind.PlusToken]: "+", [SyntaxKind.ExclamationToken]: "!", [SyntaxKind.TildeToken]: "~" }[token as number];
      if (!op) throw unsupported(node, "`++`/`--` inside an expression");
      return this.operator(op, [this.atom(operand)]);
    }
    if (Node.isBinaryExpression(node)) {
      const kind = node.getOperatorToken().getKind();
      const logical = logicalOperators[kind];
      if (logical) return this.logical(node, logical);
      const op = binaryOperators[kind];
      if (!op) throw unsupported(node, `\`${node.getOperatorToken().getText()}\` inside an expression`);
      return this.operator(op, [this.atom(node.getLeft()), this.atom(node.getRight())]);
    }
    if (Node.isConditionalExpression(node)) {
      const cond = this.atom(node.getCondition());
      const info = describeType(node.getType(), node);
      const t = this.temp(info, info.type === "number" ? "number" : node.getType().getBaseTypeOfLiteralType().getText(node));
      const then = this.nested(() => this.assignVar(t, this.value(node.getWhenTrue())));
      const otherwise = this.nested(() => this.assignVar(t, this.value(node.getWhenFalse())));
      this.emitIf(cond, then, otherwise);
      return { kind: "copy", arg: v(t) };
    }
    if (Node.isCallExpression(node)) return this.call(node);
    if (Node.isNewExpression(node)) return this.allocation(node);
    if (Node.isArrayLiteralExpression(node)) {
      const items = node.getElements().map((e, i) => {
        if (Node.isSpreadElement(e) || Node.isOmittedExpression(e)) throw unsupported(e, "spread or holes in an array literal");
        return { key: String(i), value: this.atom(e) };
      });
      this.checkItems(items, node);
      return { kind: "literal", shape: "array", items };
    }
    if (Node.isObjectLiteralExpression(node)) {
      const items = node.getProperties().map((p) => {
        if (Node.isPropertyAssignment(p)) {
          const nameNode = p.getNameNode();
          if (!Node.isIdentifier(nameNode) && !Node.isStringLiteral(nameNode)) throw unsupported(nameNode, "a computed key");
          return { key: nameNode.getText(), value: this.atom(p.getInitializerOrThrow()) };
        }
        if (Node.isShorthandPropertyAssignment(p)) return { key: p.getName(), value: this.identifier(p.getNameNode()) };
        throw unsupported(p, "this kind of object member");
      });
      this.checkItems(items, node);
      return { kind: "literal", shape: "object", items };
    }
    if (Node.isThisExpression(node)) {
      if (this.target.self) return { kind: "copy", arg: v("this") };
      throw unsupported(node, "`this` outside an instance method");
    }
    throw unsupported(node);
  }

  /** A literal may hold numbers and fresh arrays, but not a parameter's arrays (they would alias). */
  private checkItems(items: { value: Atom }[], at: Node): void {
    for (const item of items) this.checkStored(item.value, at);
  }

  /**
   * `a && b`, `a || b`, `a ?? b`. On booleans both sides are evaluated (they have no
   * effects in a differentiable function); on numbers the right side is a branch, so the
   * derivative follows the value chosen.
   */
  private logical(node: import("ts-morph").BinaryExpression, op: "&&" | "||" | "??"): Value {
    const info = describeType(node.getType(), node);
    const left = this.atom(node.getLeft());
    if (info.type === "inactive") return { kind: "op", op, args: [left, this.atom(node.getRight())] };
    const t = this.temp(info, info.type === "number" ? "number" : node.getType().getText(node));
    let cond: Atom = left;
    if (op === "??") {
      const isNull = this.temp("inactive");
      this.emit({ kind: "assign", target: isNull, value: { kind: "op", op: "==", args: [left, lit("null")] }, origin: this.origin });
      cond = v(isNull);
    }
    // both branches assign, so TypeScript narrows `left` where it is chosen
    const right = this.nested(() => this.assignVar(t, this.value(node.getRight())));
    const keep = this.nested(() => this.assignVar(t, { kind: "copy", arg: left }));
    if (op === "&&") this.emitIf(cond, right, keep);
    else if (op === "||") this.emitIf(cond, keep, right);
    else this.emitIf(cond, right, keep);
    return { kind: "copy", arg: v(t) };
  }

  private operator(op: string, args: Atom[]): Extract<Value, { kind: "op" }> {
    const ruleName = operatorRules[args.length === 1 ? `unary ${op}` : op];
    const rule = ruleName ? this.resolver.operatorRule(ruleName) : undefined;
    return { kind: "op", op, args, rule: rule?.key };
  }

  /** `a[i]`, `p.w`, `t[0]`, `a.length`, or a module constant such as `Math.PI`. */
  private access(node: import("ts-morph").PropertyAccessExpression | import("ts-morph").ElementAccessExpression): Value {
    const base = skipTransparent(node.getExpression());
    if (Node.isPropertyAccessExpression(node) && Node.isIdentifier(base) && !this.lookup(base.getText())) {
      return { kind: "copy", arg: this.constant(node) };
    }
    if (Node.isPropertyAccessExpression(node) && node.getName() === "length") {
      return { kind: "length", object: this.objectName(node.getExpression()) };
    }
    const object = this.objectName(node.getExpression());
    return { kind: "get", object, key: this.key(node) };
  }

  private key(node: import("ts-morph").PropertyAccessExpression | import("ts-morph").ElementAccessExpression): Key {
    if (Node.isPropertyAccessExpression(node)) {
      const optional = node.getExpression().getType().getProperty(node.getName())?.isOptional() ?? false;
      return optional ? { kind: "field", name: node.getName(), optional } : { kind: "field", name: node.getName() };
    }
    const arg = node.getArgumentExpressionOrThrow();
    if (Node.isStringLiteral(arg)) return { kind: "field", name: arg.getLiteralText() };
    return { kind: "index", index: this.atom(arg) };
  }

  /** The variable an array or object expression lives in (nested reads go through temps). */
  private objectName(expr: Expression): string {
    const atom = this.atom(expr);
    if (atom.kind !== "var") throw unsupported(expr, "reading from this value");
    return atom.name;
  }

  /** `new Float64Array(n)`, `new Float32Array(n)`, `new Array(n)` (with `.fill(0)`). */
  private allocation(node: import("ts-morph").NewExpression): Value {
    const ctor = node.getExpression().getText();
    const args = node.getArguments();
    if ((ctor === "Float64Array" || ctor === "Float32Array") && args.length === 1) {
      const type = args[0].getType();
      if (type.isNumber() || type.isNumberLiteral()) return { kind: "alloc", ctor, length: this.atom(args[0] as Expression) };
    }
    throw unsupported(node, `\`${node.getText()}\` (supported: \`new Float64Array(n)\`, \`new Float32Array(n)\`, \`new Array(n).fill(0)\`)`);
  }

  private call(node: import("ts-morph").CallExpression): Value {
    const callee = node.getExpression();
    for (const arg of node.getArguments()) {
      if (Node.isSpreadElement(arg)) throw unsupported(arg, "spread arguments");
    }
    const copied = this.copySource(node);
    if (copied) {
      const info = describeType(copied.getType(), copied);
      if (info.type === "reference" && info.tangent.endsWith("[][]")) {
        throw new CompileError(codes.storedReference, "copying a nested array copies only its rows' references: the copy would share elements with it; copy it row by row", node);
      }
      const callee = node.getExpression() as import("ts-morph").PropertyAccessExpression;
      const from = callee.getName() === "from" ? `${callee.getExpression().getText()}.from` : undefined;
      return { kind: "clone", object: this.objectName(copied), from };
    }
    // `new Array(n).fill(0)` / `Array(n).fill(0)`
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === "fill") {
      const inner = skipTransparent(callee.getExpression());
      const args = node.getArguments();
      if ((Node.isNewExpression(inner) || Node.isCallExpression(inner)) && inner.getExpression().getText() === "Array" && args.length === 1 && args[0].getText() === "0") {
        const length = inner.getArguments()[0];
        if (length && inner.getArguments().length === 1) return { kind: "alloc", ctor: "Array", length: this.atom(length as Expression) };
      }
    }
    const target = this.resolver.differentiable(callee);
    if (target) {
      let receiver: string | undefined;
      if (target.self) {
        if (!Node.isPropertyAccessExpression(callee) || !Node.isThisExpression(callee.getExpression()) || !this.target.self) {
          throw unsupported(node, `calling the method \`${target.name}\` on anything but \`this\``);
        }
        receiver = "this";
      }
      const args = node.getArguments().map((a) => this.atom(a as Expression));
      return {
        kind: "call",
        callee: callee.getText(),
        adjoint: this.resolver.adjointRef(target, node),
        split: this.resolver.splitRef(target, node),
        args,
        receiver,
      };
    }
    if (Node.isIdentifier(callee) && this.lookup(callee.getText())) throw unsupported(callee, "calling a local variable");
    if (Node.isPropertyAccessExpression(callee)) {
      const root = skipTransparent(callee.getExpression());
      if (!Node.isIdentifier(root) || this.lookup(root.getText())) {
        throw unsupported(node, `the method call \`${node.getText().replace(/\s+/g, " ")}\``);
      }
    } else if (!Node.isIdentifier(callee)) {
      throw unsupported(callee, "this kind of callee");
    }
    const rule = this.resolver.ruleFor(callee);
    const args = node.getArguments().map((a) => this.atom(a as Expression));
    return { kind: "op", op: callee.getText(), args, rule: rule?.key };
  }

  /** The array copied by `Float64Array.from(a)`, `Float32Array.from(a)`, `Array.from(a)` or `a.slice()`. */
  private copySource(node: import("ts-morph").CallExpression): Expression | undefined {
    const callee = node.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) return undefined;
    const args = node.getArguments();
    if (callee.getName() === "from" && args.length === 1 && ["Float64Array", "Float32Array", "Array"].includes(callee.getExpression().getText())) {
      return args[0] as Expression;
    }
    if (callee.getName() === "slice" && args.length === 0 && describeType(callee.getExpression().getType(), callee).type === "reference") {
      return callee.getExpression();
    }
    return undefined;
  }

  /** A name read in the function: a local, or a module-level constant printed as is. */
  private identifier(node: Node): Atom {
    const text = node.getText();
    const local = this.lookup(text);
    if (local) return v(local);
    if (text === "undefined" || text === "NaN" || text === "Infinity") return lit(text);
    const decl = node.getSymbol()?.getDeclarations()[0];
    if (decl && !decl.getSourceFile().isDeclarationFile() && !isModuleLevel(decl)) {
      throw unsupported(node, `reading \`${text}\` from an enclosing function`);
    }
    if (describeType(node.getType(), node).type === "reference") {
      throw unsupported(node, `reading the module-level array or object \`${text}\``);
    }
    return lit(text);
  }

  /** `Math.PI` and other constant members: inactive values printed as is. */
  private constant(node: import("ts-morph").PropertyAccessExpression): Atom {
    const type = node.getType();
    if (describeType(type, node).type === "number" || type.isString() || type.isBoolean()) return lit(node.getText());
    throw unsupported(node, `property access \`${node.getText()}\``);
  }
}

function skipTransparent(expr: Expression): Expression {
  let node: Node = expr;
  while (
    Node.isParenthesizedExpression(node) ||
    Node.isAsExpression(node) ||
    Node.isNonNullExpression(node) ||
    Node.isSatisfiesExpression(node) ||
    Node.isTypeAssertion(node)
  ) {
    node = node.getExpression();
  }
  return node as Expression;
}

function isModuleLevel(decl: Node): boolean {
  for (let node = decl.getParent(); node; node = node.getParent()) {
    if (Node.isSourceFile(node)) return true;
    if (Node.isFunctionLikeDeclaration(node) || Node.isClassDeclaration(node) || Node.isBlock(node)) return false;
  }
  return false;
}
