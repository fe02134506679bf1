/**
 * Lower, part one: expressions to IR values, and the state both parts share.
 *
 * Input: ts-morph expressions of a `@differentiable` function. Output: IR values and the
 * temporaries that hold their parts (A-normal form), written to the current statement
 * list. `?:` and `&&`/`||`/`??` on numbers become branches; element and field reads,
 * allocations, literals, copies and calls become their own values. lower.ts builds on this
 * with statements and control flow.
 */
import { Node, SyntaxKind, type CallExpression, type ElementAccessExpression, type Expression, type NewExpression, type PropertyAccessExpression, type BinaryExpression } from "ts-morph";
import { CompileError, codes, sourcePos } from "./diagnostics";
import type { DiffFunction } from "./discover";
import { lit, v, valueArgs, walk, type Atom, type IrVar, type Key, type OriginInfo, type SplitNames, type Stmt, type Value, type VarType } from "./ir";
import { Names } from "./naming";
import { operatorRules, type Rule } from "./rules";
import { describeType, unsupported, type TypeInfo } from "./types";

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

/** The state of lowering one function, and its expressions. */
export abstract class ValueLowering {
  protected readonly names: Names;
  protected readonly vars = new Map<string, IrVar>();
  protected readonly scopes: Map<string, string>[] = [];
  protected readonly origins: OriginInfo[] = [];
  protected origin = 0;
  /** the statement list being written to */
  protected out: Stmt[] = [];
  /** references that may point into a parameter: writing through them is rejected */
  protected readonly fromInput = new Set<string>();

  constructor(
    protected readonly target: DiffFunction,
    protected readonly resolver: Resolver,
    reserved: Iterable<string>,
  ) {
    this.names = new Names(reserved);
  }

  /** Declares a user variable; it keeps its name unless an outer one already has it. */
  protected declare(source: string, role: IrVar["role"], info: TypeInfo, typeText: string): string {
    const name = this.vars.has(source) ? this.names.fresh(source) : source;
    this.names.reserve(name);
    this.vars.set(name, { name, role, type: info.type, typeText, tangentText: info.tangent });
    this.scopes.at(-1)!.set(source, name);
    return name;
  }

  /** A variable the lowering introduces (a flag, the result), named after what it holds. */
  protected hidden(base: string, type: VarType, typeText: string, tangentText?: string): string {
    const name = this.names.fresh(base);
    this.vars.set(name, { name, role: "local", type, typeText, tangentText });
    return name;
  }

  protected lookup(source: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i].get(source);
      if (found) return found;
    }
    return undefined;
  }

  protected temp(info: TypeInfo | VarType, typeText?: string): string {
    const type = typeof info === "string" ? info : info.type;
    const tangentText = typeof info === "string" ? (type === "number" ? "number" : undefined) : info.tangent;
    const name = this.names.numbered("t");
    this.vars.set(name, { name, role: "temp", type, typeText: typeText ?? (type === "number" ? "number" : "boolean"), tangentText });
    return name;
  }

  protected startOrigin(node: Node): void {
    this.origin = this.origins.push({ text: originText(node), pos: sourcePos(node) }) - 1;
  }

  protected emit(s: Stmt): void {
    this.out.push(s);
  }

  /** Lowers `work` into a fresh statement list and returns it. */
  protected nested(work: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    try {
      work();
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  protected scoped<T>(work: () => T): T {
    this.scopes.push(new Map());
    try {
      return work();
    } finally {
      this.scopes.pop();
    }
  }

  // ── statements ────────────────────────────────────────────────────────────

  /** `if (cond) then else`, copying the condition first if a branch assigns it. */
  protected emitIf(cond: Atom, then: Stmt[], otherwise: Stmt[], origin = this.origin): void {
    const name = cond.kind === "var" ? cond.name : undefined;
    if (name && [...walk([...then, ...otherwise])].some((s) => s.kind === "assign" && s.target === name)) {
      const copy = this.temp("inactive", this.vars.get(name)?.typeText);
      this.emit({ kind: "assign", target: copy, value: { kind: "copy", arg: cond }, origin });
      cond = v(copy);
    }
    this.emit({ kind: "if", cond, then, else: otherwise, origin });
  }

  /** A fresh array may go into another (their shadows alias alike); a parameter's may not. */
  protected checkStored(value: Atom, at: Node): void {
    if (value.kind === "var" && this.fromInput.has(value.name)) {
      throw new CompileError(
        codes.storedReference,
        "storing a parameter's array or object into another array or object is not supported in a @differentiable function: the two would share elements; copy it into a fresh array first",
        at,
      );
    }
  }

  /** `name = value`, through a temporary when the value reads `name` itself. */
  protected assignVar(name: string, value: Value): void {
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

  /** An expression as an atom, through a temporary unless it is already one. */
  protected atom(expr: Expression): Atom {
    const value = this.value(expr);
    if (value.kind === "copy") return value.arg;
    const info = describeType(expr.getType(), expr);
    const typeText = info.type === "number" ? "number" : expr.getType().getBaseTypeOfLiteralType().getText(expr);
    return this.atomOf(value, info, typeText);
  }

  protected atomOf(value: Value, info: TypeInfo | VarType, typeText?: string): Atom {
    if (value.kind === "copy") return value.arg;
    const type = typeof info === "string" ? info : info.type;
    const temp = this.temp(info, typeText);
    this.emit({ kind: "assign", target: temp, value, origin: this.origin });
    if (value.kind === "get" && type === "reference" && this.fromInput.has(value.object)) this.fromInput.add(temp);
    return v(temp);
  }

  /** An expression as one operation on atoms. */
  protected value(expr: Expression): Value {
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
  protected checkItems(items: { value: Atom }[], at: Node): void {
    for (const item of items) this.checkStored(item.value, at);
  }

  /**
   * `a && b`, `a || b`, `a ?? b`. On booleans both sides are evaluated (they have no
   * effects in a differentiable function); on numbers the right side is a branch, so the
   * derivative follows the value chosen.
   */
  protected logical(node: BinaryExpression, op: "&&" | "||" | "??"): Value {
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

  protected operator(op: string, args: Atom[]): Extract<Value, { kind: "op" }> {
    const ruleName = operatorRules[args.length === 1 ? `unary ${op}` : op];
    const rule = ruleName ? this.resolver.operatorRule(ruleName) : undefined;
    return { kind: "op", op, args, rule: rule?.key };
  }

  /** `a[i]`, `p.w`, `t[0]`, `a.length`, or a module constant such as `Math.PI`. */
  protected access(node: PropertyAccessExpression | ElementAccessExpression): Value {
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

  protected key(node: PropertyAccessExpression | ElementAccessExpression): Key {
    if (Node.isPropertyAccessExpression(node)) {
      const optional = node.getExpression().getType().getProperty(node.getName())?.isOptional() ?? false;
      return optional ? { kind: "field", name: node.getName(), optional } : { kind: "field", name: node.getName() };
    }
    const arg = node.getArgumentExpressionOrThrow();
    if (Node.isStringLiteral(arg)) return { kind: "field", name: arg.getLiteralText() };
    return { kind: "index", index: this.atom(arg) };
  }

  /** The variable an array or object expression lives in (nested reads go through temps). */
  protected objectName(expr: Expression): string {
    const atom = this.atom(expr);
    if (atom.kind !== "var") throw unsupported(expr, "reading from this value");
    return atom.name;
  }

  /** `new Float64Array(n)`, `new Float32Array(n)`, `new Array(n)` (with `.fill(0)`). */
  protected allocation(node: NewExpression): Value {
    const ctor = node.getExpression().getText();
    const args = node.getArguments();
    if ((ctor === "Float64Array" || ctor === "Float32Array") && args.length === 1) {
      const type = args[0].getType();
      if (type.isNumber() || type.isNumberLiteral()) return { kind: "alloc", ctor, length: this.atom(args[0] as Expression) };
    }
    throw unsupported(node, `\`${node.getText()}\` (supported: \`new Float64Array(n)\`, \`new Float32Array(n)\`, \`new Array(n).fill(0)\`)`);
  }

  protected call(node: CallExpression): Value {
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
      const callee = node.getExpression() as PropertyAccessExpression;
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
  protected copySource(node: CallExpression): Expression | undefined {
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
  protected identifier(node: Node): Atom {
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
  protected constant(node: PropertyAccessExpression): Atom {
    const type = node.getType();
    if (describeType(type, node).type === "number" || type.isString() || type.isBoolean()) return lit(node.getText());
    throw unsupported(node, `property access \`${node.getText()}\``);
  }
}

export function skipTransparent(expr: Expression): Expression {
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
