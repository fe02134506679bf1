/**
 * Lower, statements: declarations, assignments, expression statements and `return`.
 *
 * Input: ts-morph statements. Output: IR statements in the current list. Assignments to
 * variables become `assign`, writes into arrays and objects `store`/`push`/`fill`/`set`
 * (each recorded for the ownership check), a call whose result is unused an `effect`.
 * `return` assigns the result of the function (or of the inlined call) and sets a flag that
 * skips the rest, so every lowered body has one exit. Control flow: control.ts.
 */
import { Node, SyntaxKind, type Block, type ElementAccessExpression, type Expression, type Statement, type VariableDeclaration } from "ts-morph";
import { CompileError, codes, constructs, messages } from "../../diagnostics";
import { lit, v, type Atom, type Expr, type Key } from "../../ir/ir";
import { describeType, isArrayType, numberInfo } from "../types";
import type { LocalFunction, LowerContext, ReturnTarget } from "./context";
import { jump, lowerLoop, lowerSwitch, sequence, setFlag } from "./control";
import { atom, atomOf, infoAt, key, lowerValue, objectName, operator, skipTransparent, typeTextAt } from "./expressions";
import { assignPattern, destructure } from "./patterns";
import { unsupported } from "./unsupported";
import { descendantsAll, returnsOf } from "../walk";
import { compoundOperators } from "../operators";
import { nameOf } from "../../naming";

/** An assignable place: a variable, or an element/field of an array or object. */
export type Place = { kind: "var"; name: string } | { kind: "element"; object: string; key: Key };

/** Lowers a statement list; returns the flags it may leave set (see control.ts). */
export function lowerBlock(cx: LowerContext, statements: readonly Statement[]): Set<string> {
  const live = statements.filter((s) => !Node.isEmptyStatement(s));
  // function declarations are hoisted: bind them before anything runs
  for (const s of live) if (Node.isFunctionDeclaration(s)) bindLocal(cx, s.getName() ?? "", s);
  return sequence(cx, live.filter((s) => !Node.isFunctionDeclaration(s)), (s) => lowerStatement(cx, s));
}

function bindLocal(cx: LowerContext, name: string, node: LocalFunction): void {
  cx.scopes.at(-1)!.set(name, { kind: "function", node, scopes: [...cx.scopes] });
}

export function lowerStatement(cx: LowerContext, statement: Statement): Set<string> {
  const none = new Set<string>();
  if (Node.isEmptyStatement(statement)) return none;
  // blocks and branches nest as deep as the source does: no helper frames in between
  if (Node.isBlock(statement)) {
    cx.scopes.push(new Map());
    const flags = lowerBlock(cx, statement.getStatements());
    cx.scopes.pop();
    return flags;
  }
  cx.startOrigin(statement);
  if (Node.isVariableStatement(statement)) {
    for (const decl of statement.getDeclarations()) variable(cx, decl);
    return none;
  }
  if (Node.isReturnStatement(statement)) {
    const target = cx.returns.at(-1);
    if (!target) throw unsupported(statement, constructs.returnOutside);
    const expr = statement.getExpression();
    if (expr) cx.assignVar(target.value, lowerValue(cx, expr));
    if (!target.flag) return none;
    setFlag(cx, target.flag, true);
    return new Set([target.flag]);
  }
  if (Node.isExpressionStatement(statement)) {
    expressionStatement(cx, statement.getExpression());
    return none;
  }
  if (Node.isIfStatement(statement)) {
    const cond = atom(cx, statement.getExpression());
    const origin = cx.origin;
    const outer = cx.out;
    cx.out = [];
    const escapes = lowerStatement(cx, statement.getThenStatement());
    const then = cx.out;
    cx.out = [];
    const elseStatement = statement.getElseStatement();
    if (elseStatement) for (const f of lowerStatement(cx, elseStatement)) escapes.add(f);
    const otherwise = cx.out;
    cx.out = outer;
    cx.emitIf(cond, then, otherwise, origin);
    return escapes;
  }
  if (Node.isBreakStatement(statement) || Node.isContinueStatement(statement)) return jump(cx, statement);
  if (Node.isLabeledStatement(statement)) {
    const inner = statement.getStatement();
    const label = statement.getLabel().getText();
    if (Node.isIterationStatement(inner)) return lowerLoop(cx, inner, label);
    return sequenceLabelled(cx, label, inner);
  }
  if (Node.isIterationStatement(statement)) return lowerLoop(cx, statement);
  if (Node.isSwitchStatement(statement)) return lowerSwitch(cx, statement);
  throw unsupported(statement);
}

function sequenceLabelled(cx: LowerContext, label: string, inner: Statement): Set<string> {
  const target = { label, loop: false } as const;
  return breakable(cx, { ...target }, () => lowerStatement(cx, inner));
}

/** A labelled block or a `switch`: a `break` target that is not a loop. */
export function breakable(cx: LowerContext, target: import("./context").JumpTarget, work: () => Set<string>): Set<string> {
  cx.targets.push(target);
  const origin = cx.origin;
  let escapes = new Set<string>();
  const body = cx.nested(() => (escapes = work()));
  cx.targets.pop();
  if (target.breakFlag) {
    cx.emit({ kind: "assign", target: target.breakFlag, value: lit("false"), origin });
    escapes.delete(target.breakFlag);
  }
  cx.out.push(...body);
  return escapes;
}

/** `const x = e`, `let x;`, `const { a, b } = e`, or `const f = (…) => …` (inlined where called). */
export function variable(cx: LowerContext, decl: VariableDeclaration): void {
  const init = decl.getInitializer();
  const nameNode = decl.getNameNode();
  const inner = init && skipTransparent(init);
  if (inner && (Node.isArrowFunction(inner) || Node.isFunctionExpression(inner)) && Node.isIdentifier(nameNode)) {
    bindLocal(cx, nameNode.getText(), inner);
    return;
  }
  if (!Node.isIdentifier(nameNode)) {
    if (!init) throw unsupported(decl, constructs.destructuringWithoutValue);
    destructure(cx, nameNode, atom(cx, init), decl, "declare");
    return;
  }
  const info = declaredInfo(decl);
  const typeText = decl.getTypeNode()?.getText() ?? (info.type === "number" ? "number" : declaredType(decl).getText(decl));
  // Lower the initializer before declaring: it may read an outer variable of the same name.
  const value = init ? lowerValue(cx, init) : undefined;
  const name = cx.declare(nameNode.getText(), "local", info, typeText);
  if (value) cx.assignVar(name, value);
}

/** The type of a declared variable; an evolving `[]` is typed by how it is used later. */
function declaredType(decl: VariableDeclaration) {
  const type = decl.getType().getBaseTypeOfLiteralType();
  if (!(type.isAny() || (type.isArray() && type.getArrayElementType()?.isAny()))) return type;
  const uses = decl.getNameNode().asKind(SyntaxKind.Identifier)?.findReferencesAsNodes() ?? [];
  const last = uses.filter((u) => u.getSourceFile() === decl.getSourceFile()).at(-1);
  return last ? last.getType() : type;
}

function declaredInfo(decl: VariableDeclaration) {
  const type = declaredType(decl);
  return type.isNumber() || type.isNumberLiteral() ? numberInfo : describeType(type, decl);
}

/** A call or assignment evaluated for its effect. */
export function expressionStatement(cx: LowerContext, expr: Expression): void {
  const node = skipTransparent(expr);
  if (Node.isBinaryExpression(node)) {
    const token = node.getOperatorToken().getKind();
    if (token === SyntaxKind.CommaToken) {
      expressionStatement(cx, node.getLeft());
      expressionStatement(cx, node.getRight());
      return;
    }
    const left = skipTransparent(node.getLeft());
    if (token === SyntaxKind.EqualsToken && (Node.isArrayLiteralExpression(left) || Node.isObjectLiteralExpression(left))) {
      assignPattern(cx, left, node.getRight(), node);
      return;
    }
    if (token === SyntaxKind.EqualsToken && appendsAtEnd(cx, left, node.getRight())) {
      const object = objectName(cx, (left as ElementAccessExpression).getExpression());
      cx.noteWrite(object, node);
      cx.emit({ kind: "push", object, value: atom(cx, node.getRight()), origin: cx.origin });
      return;
    }
    const compound = compoundOperators[token];
    if (token === SyntaxKind.EqualsToken || compound) {
      const target = place(cx, node.getLeft());
      const value = compound ? operator(cx, compound, [readPlace(cx, target), atom(cx, node.getRight())]) : lowerValue(cx, node.getRight());
      write(cx, target, value, node);
      return;
    }
  }
  if (Node.isPrefixUnaryExpression(node) || Node.isPostfixUnaryExpression(node)) {
    const token = node.getOperatorToken();
    if (token === SyntaxKind.PlusPlusToken || token === SyntaxKind.MinusMinusToken) {
      const target = place(cx, node.getOperand());
      write(cx, target, operator(cx, token === SyntaxKind.PlusPlusToken ? "+" : "-", [readPlace(cx, target), lit("1")]), node);
      return;
    }
  }
  if (Node.isCallExpression(node) && arrayStatement(cx, node)) return;
  if (Node.isVoidExpression(node)) return expressionStatement(cx, node.getExpression());
  const value = lowerValue(cx, node);
  if (value.kind === "call" || value.kind === "pop") cx.emit({ kind: "effect", value, origin: cx.origin });
}

/** `a.push(x)`, `a.fill(v)`, `a.set(src, offset)` as statements. */
function arrayStatement(cx: LowerContext, node: import("ts-morph").CallExpression): boolean {
  const callee = skipTransparent(node.getExpression());
  if (!Node.isPropertyAccessExpression(callee)) return false;
  const receiverType = callee.getExpression().getType().getNonNullableType();
  const isArray = isArrayType(receiverType);
  const name = callee.getName();
  if (!isArray || !["push", "fill", "set"].includes(name)) return false;
  const object = objectName(cx, callee.getExpression());
  cx.noteWrite(object, node);
  const args = node.getArguments() as Expression[];
  if (name === "push") {
    for (const arg of args) {
      if (Node.isSpreadElement(arg)) throw unsupported(arg, constructs.pushSpread);
      cx.emit({ kind: "push", object, value: atom(cx, arg), origin: cx.origin });
    }
  } else if (name === "fill") {
    const [value, start, end] = args.map((a) => atom(cx, a));
    cx.emit({ kind: "fill", object, value: value ?? lit("undefined"), ...(start ? { start } : {}), ...(end ? { end } : {}), origin: cx.origin });
  } else {
    const [source, offset] = args;
    cx.emit({ kind: "set", object, source: v(objectName(cx, source)), ...(offset ? { offset: atom(cx, offset) } : {}), origin: cx.origin });
  }
  return true;
}

/**
 * Whether `xs[xs.length] = e` on a JavaScript array (not a typed one, which ignores a write past its end): a push, and
 * lowered as one, so its adjoint pops as a push's does (an index write past the end would leave its adjoint's slot
 * behind, under the adjoints an earlier push pops). Only where `e` calls nothing but `Math` and assigns nothing, which
 * could change the length between the index's reading and the write.
 */
function appendsAtEnd(cx: LowerContext, left: Node, right: Expression): boolean {
  if (!Node.isElementAccessExpression(left)) return false;
  const array = skipTransparent(left.getExpression());
  const index = skipTransparent(left.getArgumentExpressionOrThrow());
  if (!Node.isIdentifier(array) || !Node.isPropertyAccessExpression(index) || index.getName() !== "length") return false;
  const of = skipTransparent(index.getExpression());
  if (!Node.isIdentifier(of) || of.getText() !== array.getText()) return false;
  const name = cx.lookupVar(array.getText());
  const shape = name ? cx.shapeOf(name) : undefined;
  if (shape?.kind !== "array" || shape.ctor !== "Array") return false;
  const changes = (n: Node) =>
    Node.isBinaryExpression(n) ? n.getOperatorToken().getKind() >= SyntaxKind.FirstAssignment && n.getOperatorToken().getKind() <= SyntaxKind.LastAssignment
    : Node.isCallExpression(n) ? !n.getExpression().getText().startsWith("Math.")
    : Node.isPrefixUnaryExpression(n) || Node.isPostfixUnaryExpression(n) ? [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(n.getOperatorToken())
    : false;
  return ![...descendantsAll(right)].some(changes);
}

/** What an assignment writes to. */
export function place(cx: LowerContext, node: Expression): Place {
  const inner = skipTransparent(node);
  if (Node.isIdentifier(inner)) {
    const name = cx.lookupVar(inner.getText());
    if (name) return { kind: "var", name };
    throw new CompileError(codes.moduleWrite, messages.moduleWrite(inner.getText()), node);
  }
  if (Node.isElementAccessExpression(inner) || Node.isPropertyAccessExpression(inner)) {
    if (Node.isPropertyAccessExpression(inner) && inner.getName() === "length") throw unsupported(inner, constructs.lengthAssignment);
    const object = objectName(cx, inner.getExpression());
    return { kind: "element", object, key: key(cx, inner) };
  }
  throw unsupported(node, constructs.assignmentTarget(node.getText()));
}

function readPlace(cx: LowerContext, target: Place): Atom {
  if (target.kind === "var") return v(target.name);
  return atomOf(cx, { kind: "get", object: v(target.object), key: target.key }, "number");
}

export function write(cx: LowerContext, target: Place, value: Expr, at: Node): void {
  if (target.kind === "var") return cx.assignVar(target.name, value);
  cx.noteWrite(target.object, at);
  const stored = value.kind === "var" || value.kind === "lit" ? value : atomOf(cx, value, Node.isExpression(at) ? infoAt(at) : numberInfo, Node.isExpression(at) ? typeTextAt(at, infoAt(at)) : "number");
  cx.emit({ kind: "store", object: target.object, key: target.key, value: stored, origin: cx.origin });
}

/**
 * A function body into `result`: a single final `return` is lowered in place; otherwise
 * each `return` sets the result and a flag that skips the rest (see control.ts).
 */
export function lowerFunctionBody(cx: LowerContext, body: Block, result: string, fn: Node): void {
  const statements = body.getStatements();
  const returns = returnsOf(body);
  const last = statements.at(-1);
  const single = returns.length === 0 || (returns.length === 1 && returns[0] === last);
  const target: ReturnTarget = { value: result, early: !single };
  if (!single) {
    target.flag = cx.flag(nameOf.returned);
    setFlag(cx, target.flag, false);
  }
  cx.returns.push(target);
  try {
    cx.scoped(() => lowerBlock(cx, statements));
  } finally {
    cx.returns.pop();
  }
}

