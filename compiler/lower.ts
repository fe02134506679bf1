/**
 * Lower: a `@differentiable` function's body to the IR.
 *
 * Input: the function's ts-morph node and how to resolve what it calls. Output: an
 * IrFunction in A-normal form: each assignment does one operation on atoms; user
 * variables keep their names (renamed only where one shadows another); nested
 * subexpressions go to temporaries `t1, t2, …`. Invariants: every name is unique in the
 * function, no assignment reads its own target, and anything this pass does not know how
 * to differentiate is a CompileError at the construct, never a silent approximation.
 */
import {
  Node,
  SyntaxKind,
  type Expression,
  type Statement,
  type Type,
} from "ts-morph";
import { CompileError, codes, sourcePos } from "./diagnostics";
import type { DiffFunction } from "./discover";
import { v, lit, valueArgs, type Atom, type IrFunction, type IrVar, type OriginInfo, type Stmt, type Value, type VarType } from "./ir";
import { Names } from "./naming";
import { operatorRules, type Rule } from "./rules";

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

/** How a construct is named in "… is not supported" messages. */
function constructName(node: Node): string {
  const names: Partial<Record<SyntaxKind, string>> = {
    [SyntaxKind.IfStatement]: "an `if` statement",
    [SyntaxKind.ForStatement]: "a `for` loop",
    [SyntaxKind.ForOfStatement]: "a `for…of` loop",
    [SyntaxKind.ForInStatement]: "a `for…in` loop",
    [SyntaxKind.WhileStatement]: "a `while` loop",
    [SyntaxKind.DoStatement]: "a `do…while` loop",
    [SyntaxKind.SwitchStatement]: "a `switch` statement",
    [SyntaxKind.TryStatement]: "a `try` statement",
    [SyntaxKind.ThrowStatement]: "a `throw` statement",
    [SyntaxKind.ConditionalExpression]: "the conditional operator `?:`",
    [SyntaxKind.ElementAccessExpression]: "element access `a[i]`",
    [SyntaxKind.PropertyAccessExpression]: "property access",
    [SyntaxKind.ArrayLiteralExpression]: "an array literal",
    [SyntaxKind.ObjectLiteralExpression]: "an object literal",
    [SyntaxKind.ArrowFunction]: "a nested function",
    [SyntaxKind.FunctionExpression]: "a nested function",
    [SyntaxKind.FunctionDeclaration]: "a nested function",
    [SyntaxKind.ClassDeclaration]: "a class declaration",
    [SyntaxKind.NewExpression]: "`new`",
    [SyntaxKind.TemplateExpression]: "a template literal",
    [SyntaxKind.AwaitExpression]: "`await`",
    [SyntaxKind.YieldExpression]: "`yield`",
    [SyntaxKind.SpreadElement]: "spread arguments",
    [SyntaxKind.ThisKeyword]: "`this`",
    [SyntaxKind.DeleteExpression]: "`delete`",
  };
  return names[node.getKind()] ?? `\`${node.getKindName()}\``;
}

export function unsupported(node: Node, what = constructName(node)): CompileError {
  return new CompileError(
    codes.unsupportedSyntax,
    `${what} is not supported in a @differentiable function yet; move it out of the function or rewrite it with the supported constructs (see the README)`,
    node,
  );
}

/** How a TypeScript type takes part: `number` is differentiable; booleans and strings are not. */
export function classify(type: Type, at: Node): VarType {
  if (type.isNumber() || type.isNumberLiteral()) return "number";
  if (type.isUnion() && type.getUnionTypes().every((t) => t.isNumberLiteral())) return "number";
  if (
    type.isBoolean() ||
    type.isBooleanLiteral() ||
    type.isString() ||
    type.isStringLiteral() ||
    type.isUndefined() ||
    type.isNull() ||
    (type.isUnion() && type.getUnionTypes().every((t) => t.isBooleanLiteral() || t.isStringLiteral()))
  ) {
    return "inactive";
  }
  throw new CompileError(
    codes.unsupportedType,
    `a value of type \`${type.getText(at)}\` is not supported in a @differentiable function yet (supported: number, boolean, string)`,
    at,
  );
}

/** One-line source text of a statement, for comments. */
function originText(node: Node): string {
  const text = node.getText().replace(/\s+/g, " ").trim();
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

export function lower(target: DiffFunction, resolver: Resolver, reserved: Iterable<string>): IrFunction {
  return new Lowering(target, resolver, reserved).run();
}

class Lowering {
  private readonly names: Names;
  private readonly vars = new Map<string, IrVar>();
  private readonly scopes: Map<string, string>[] = [];
  private readonly body: Stmt[] = [];
  private readonly origins: OriginInfo[] = [];
  private origin = 0;

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
    const params = fn.getParameters().map((param) => {
      const nameNode = param.getNameNode();
      if (!Node.isIdentifier(nameNode)) throw unsupported(param, "a destructured parameter");
      if (param.isRestParameter()) throw unsupported(param, "a rest parameter");
      if (param.hasInitializer() || param.hasQuestionToken()) throw unsupported(param, "an optional parameter");
      const type = classify(param.getType(), param);
      const typeText = param.getTypeNode()?.getText() ?? param.getType().getText(param);
      this.declare(nameNode.getText(), "param", type, typeText);
      return { name: nameNode.getText(), typeText, type };
    });
    const returnType = fn.getReturnType();
    const resultType = classify(returnType, fn.getReturnTypeNode() ?? fn);
    const resultTypeText = fn.getReturnTypeNode()?.getText() ?? returnType.getText(fn);

    const body = fn.getBody();
    if (Node.isBlock(body)) {
      this.statements(body.getStatements(), true);
    } else if (body && Node.isExpression(body)) {
      this.startOrigin(body);
      this.body.push({ kind: "return", value: this.atom(body), origin: this.origin });
    }
    if (this.body.at(-1)?.kind !== "return") {
      throw new CompileError(codes.unsupportedSyntax, `${name} must end with a \`return\` of its result`, fn);
    }
    return { name, params, resultType, resultTypeText, vars: this.vars, body: this.body, origins: this.origins };
  }

  // ── scopes and names ──────────────────────────────────────────────────────

  /** Declares a user variable; it keeps its name unless an outer one already has it. */
  private declare(source: string, role: IrVar["role"], type: VarType, typeText: string): string {
    const name = this.vars.has(source) ? this.names.fresh(source) : source;
    this.names.reserve(name);
    this.vars.set(name, { name, role, type, typeText, mutable: false });
    this.scopes.at(-1)!.set(source, name);
    return name;
  }

  private lookup(source: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i].get(source);
      if (found) return found;
    }
    return undefined;
  }

  private temp(type: VarType, typeText: string): string {
    const name = this.names.numbered("t");
    this.vars.set(name, { name, role: "temp", type, typeText, mutable: false });
    return name;
  }

  private startOrigin(node: Node): void {
    this.origin = this.origins.push({ text: originText(node), pos: sourcePos(node) }) - 1;
  }

  // ── statements ────────────────────────────────────────────────────────────

  private statements(statements: Statement[], top: boolean): void {
    statements.forEach((statement, i) => {
      const last = top && i === statements.length - 1;
      this.statement(statement, last);
    });
  }

  private statement(statement: Statement, last: boolean): void {
    if (Node.isEmptyStatement(statement)) return;
    if (Node.isBlock(statement)) {
      this.scopes.push(new Map());
      this.statements(statement.getStatements(), false);
      this.scopes.pop();
      return;
    }
    this.startOrigin(statement);
    if (Node.isVariableStatement(statement)) {
      for (const decl of statement.getDeclarations()) {
        const nameNode = decl.getNameNode();
        if (!Node.isIdentifier(nameNode)) throw unsupported(decl, "destructuring");
        const type = classify(decl.getType(), decl);
        const typeText = decl.getTypeNode()?.getText() ?? decl.getType().getBaseTypeOfLiteralType().getText(decl);
        const init = decl.getInitializer();
        // Lower the initializer before declaring: it may read an outer variable of the same name.
        const value = init ? this.value(init) : undefined;
        const name = this.declare(nameNode.getText(), "local", type, typeText);
        if (value) this.assign(name, value, true);
      }
      return;
    }
    if (Node.isReturnStatement(statement)) {
      if (!last) throw unsupported(statement, "a `return` before the end of the function");
      const expr = statement.getExpression();
      if (!expr) throw unsupported(statement, "a `return` without a value");
      this.body.push({ kind: "return", value: this.atom(expr), origin: this.origin });
      return;
    }
    if (Node.isExpressionStatement(statement)) {
      this.expressionStatement(statement.getExpression());
      return;
    }
    throw unsupported(statement);
  }

  private expressionStatement(expr: Expression): void {
    if (Node.isBinaryExpression(expr)) {
      const token = expr.getOperatorToken().getKind();
      const compound = compoundOperators[token];
      if (token === SyntaxKind.EqualsToken || compound) {
        const name = this.assignable(expr.getLeft());
        const value = compound
          ? this.operator(compound, [v(name), this.atom(expr.getRight())])
          : this.value(expr.getRight());
        this.assign(name, value, false);
        return;
      }
    }
    if (Node.isPrefixUnaryExpression(expr) || Node.isPostfixUnaryExpression(expr)) {
      const token = expr.getOperatorToken();
      if (token === SyntaxKind.PlusPlusToken || token === SyntaxKind.MinusMinusToken) {
        const name = this.assignable(expr.getOperand());
        this.assign(name, this.operator(token === SyntaxKind.PlusPlusToken ? "+" : "-", [v(name), lit("1")]), false);
        return;
      }
    }
    throw unsupported(expr, "an expression statement other than an assignment");
  }

  /** The IR name of an assignment's target, which must be a variable of this function. */
  private assignable(node: Expression): string {
    const inner = skipTransparent(node);
    if (Node.isIdentifier(inner)) {
      const name = this.lookup(inner.getText());
      if (name) return name;
      throw unsupported(node, `assigning to \`${inner.getText()}\`, which is declared outside the function,`);
    }
    throw unsupported(node, `assigning to \`${node.getText()}\``);
  }

  /** `name = value`, through a temporary when the value reads `name` itself. */
  private assign(name: string, value: Value, declares: boolean): void {
    const variable = this.vars.get(name)!;
    if (!declares || variable.role === "param") variable.mutable = true;
    if (!declares && variable.role === "local" && !this.body.some((s) => s.kind === "assign" && s.target === name)) {
      // `let x; … x = e`: the first assignment declares it.
      declares = true;
      variable.mutable = true;
    }
    if (valueArgs(value).some((a) => a.kind === "var" && a.name === name)) {
      const temp = this.temp(variable.type, variable.typeText);
      this.body.push({ kind: "assign", target: temp, value, declares: true, origin: this.origin });
      value = { kind: "copy", arg: v(temp) };
    }
    this.body.push({ kind: "assign", target: name, value, declares, origin: this.origin });
  }

  // ── expressions ───────────────────────────────────────────────────────────

  /** An expression as an atom, through a temporary unless it is already one. */
  private atom(expr: Expression): Atom {
    const value = this.value(expr);
    if (value.kind === "copy") return value.arg;
    const type = classify(expr.getType(), expr);
    const temp = this.temp(type, type === "number" ? "number" : expr.getType().getBaseTypeOfLiteralType().getText(expr));
    this.body.push({ kind: "assign", target: temp, value, declares: true, origin: this.origin });
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
    if (Node.isPropertyAccessExpression(node)) return { kind: "copy", arg: this.constant(node) };
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
      const op = binaryOperators[node.getOperatorToken().getKind()];
      if (!op) {
        const token = node.getOperatorToken().getText();
        throw unsupported(node, ["&&", "||", "??"].includes(token) ? `the \`${token}\` operator` : `\`${token}\` inside an expression`);
      }
      return this.operator(op, [this.atom(node.getLeft()), this.atom(node.getRight())]);
    }
    if (Node.isCallExpression(node)) return this.call(node);
    throw unsupported(node);
  }

  private operator(op: string, args: Atom[]): Value {
    const ruleName = operatorRules[args.length === 1 ? `unary ${op}` : op];
    const rule = ruleName ? this.resolver.operatorRule(ruleName) : undefined;
    return { kind: "op", op, args, rule: rule?.key };
  }

  private call(node: import("ts-morph").CallExpression): Value {
    const callee = node.getExpression();
    for (const arg of node.getArguments()) {
      if (Node.isSpreadElement(arg)) throw unsupported(arg);
    }
    const target = this.resolver.differentiable(callee);
    if (target) {
      const args = node.getArguments().map((a) => this.atom(a as Expression));
      return { kind: "call", callee: callee.getText(), adjoint: this.resolver.adjointRef(target, node), args };
    }
    if (Node.isIdentifier(callee) && this.lookup(callee.getText())) throw unsupported(callee, "calling a local variable");
    if (!Node.isIdentifier(callee) && !Node.isPropertyAccessExpression(callee)) throw unsupported(callee, "this kind of callee");
    const rule = this.resolver.ruleFor(callee);
    const args = node.getArguments().map((a) => this.atom(a as Expression));
    return { kind: "op", op: callee.getText(), args, rule: rule?.key };
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
    classify(node.getType(), node);
    return lit(text);
  }

  /** `Math.PI` and other constant members: inactive values printed as is. */
  private constant(node: import("ts-morph").PropertyAccessExpression): Atom {
    const root = node.getExpression();
    if (Node.isIdentifier(root) && !this.lookup(root.getText())) {
      const type = node.getType();
      if (classify(type, node) === "number" || type.isString() || type.isBoolean()) return lit(node.getText());
    }
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
