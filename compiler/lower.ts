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
import { Node, SyntaxKind, type BreakStatement, type ContinueStatement, type DoStatement, type Expression, type IterationStatement, type Statement, type SwitchStatement, type VariableDeclaration } from "ts-morph";
import { CompileError, codes, sourcePos } from "./diagnostics";
import type { DiffFunction } from "./discover";
import { lit, v, type Atom, type IrFunction, type Key, type Stmt, type Value } from "./ir";
import { skipTransparent, ValueLowering, type Resolver } from "./lower-values";
import { describeType, unsupported } from "./types";

export { classify, unsupported } from "./types";
export type { Resolver } from "./lower-values";

const compoundOperators: Record<number, string> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "**",
};

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

/** Statements and control flow, on the expressions of ValueLowering. */
class Lowering extends ValueLowering {
  private readonly targets: JumpTarget[] = [];
  /** set when the body returns from more than one place */
  private result?: { value: string; flag: string };

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
  private variable(decl: VariableDeclaration): void {
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
  private jump(statement: BreakStatement | ContinueStatement): Set<string> {
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
  private loop(statement: IterationStatement, label?: string): Set<string> {
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

  private doLoop(statement: DoStatement, target: JumpTarget, origin: number): Set<string> {
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
  private switchStatement(statement: SwitchStatement): Set<string> {
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

  private checkWritable(object: string, at: Node): void {
    if (this.fromInput.has(object)) {
      throw new CompileError(
        codes.writeToInput,
        `\`${at.getText().replace(/\s+/g, " ")}\` writes into an array or object that belongs to a parameter; a @differentiable function must leave its inputs unchanged. Copy it into a local array first (e.g. \`const a = Float64Array.from(x)\`)`,
        at,
      );
    }
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
}
