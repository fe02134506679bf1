/**
 * Lower, counted loops: which source loops are counted `for`s, and their IR.
 *
 * Input: a ts-morph `for` (or a `for…of` that control.ts found to be one). Output: a `for`
 * statement of the IR with an index declared in its head, stepped by one, or nothing when
 * the loop is not counted. Invariant: a loop is counted only when its index is never
 * assigned in the body, its bounds cannot change inside (no calls in them; no writes to the
 * locals they read and no change of the lengths they read, neither in the body nor in a
 * function it may call: a local one, or one adgen cannot see into, unseen.ts), and the body
 * cannot leave it early; the reverse sweep then runs it again backwards without counting its
 * trips.
 */
import { Node, SyntaxKind, type Expression, type ForStatement, type Statement } from "ts-morph";
import { lit, type Atom } from "../../ir/ir";
import { floatArrayKind, numberInfo } from "../types";
import type { JumpTarget, LowerContext } from "./context";
import { atom, atomOf, operator, skipTransparent } from "./expressions";
import { lowerStatement } from "./statements";
import { descendants, descendantsAll } from "../walk";
import { callsUnseen, localFunctions } from "./unseen";

/** The head of a counted `for`, and its body lowered with `continue` as a flag. */
export function countedBody(
  cx: LowerContext,
  target: JumpTarget,
  origin: number,
  head: { index: string; start: Atom; end: Atom; step: 1 | -1; integralEnd: boolean },
  body: () => Set<string>,
): Set<string> {
  cx.targets.push(target);
  const stmts = cx.nested(() => body());
  cx.targets.pop();
  if (target.continueFlag) stmts.unshift({ kind: "assign", target: target.continueFlag, value: lit("false"), origin });
  cx.emit({ kind: "for", ...head, body: stmts, origin });
  return new Set();
}

/**
 * `for (let i = a; i < b; i++)` (or `<=`, or downwards with `>`/`>=` and `i--`) as a
 * counted loop, when it is one: see the module header.
 */
export function countedLoop(cx: LowerContext, statement: ForStatement, target: JumpTarget, origin: number): Set<string> | undefined {
  const init = statement.getInitializer();
  const cond = statement.getCondition();
  const inc = statement.getIncrementor();
  if (!init || !Node.isVariableDeclarationList(init) || !cond || !inc) return undefined;
  const decls = init.getDeclarations();
  if (decls.length !== 1 || !Node.isIdentifier(decls[0].getNameNode()) || !decls[0].getInitializer()) return undefined;
  const decl = decls[0];
  const symbol = decl.getNameNode().getSymbol();
  const test = skipTransparent(cond);
  if (!symbol || !Node.isBinaryExpression(test) || skipTransparent(test.getLeft()).getSymbol() !== symbol) return undefined;
  const step = stepOf(inc, symbol);
  const comparison = test.getOperatorToken().getKind();
  const up = comparison === SyntaxKind.LessThanToken || comparison === SyntaxKind.LessThanEqualsToken;
  const down = comparison === SyntaxKind.GreaterThanToken || comparison === SyntaxKind.GreaterThanEqualsToken;
  if (!step || (step === 1 && !up) || (step === -1 && !down)) return undefined;
  const body = statement.getStatement();
  const bound = test.getRight();
  if (writes(body, symbol) || !isIntegral(cx, decl.getInitializerOrThrow()) || !isInvariant(cx, bound, body) || leavesEarly(body, target.label)) return undefined;
  if (!decl.getType().isNumber()) return undefined;

  const start = atom(cx, decl.getInitializerOrThrow());
  let end = atom(cx, bound);
  const inclusive = comparison === SyntaxKind.LessThanEqualsToken || comparison === SyntaxKind.GreaterThanToken;
  if (inclusive) end = atomOf(cx, operator(cx, "+", [end, lit("1")]), "number");
  const index = cx.declare(decl.getName(), "local", numberInfo, "number");
  cx.countedIndices.add(symbol);
  cx.startOrigin(statement);
  return countedBody(cx, target, origin, { index, start, end, step, integralEnd: isIntegral(cx, bound) }, () => lowerStatement(cx, body));
}

/** `i++`, `++i`, `i += 1`, `i = i + 1` → 1; the same downwards → -1. */
function stepOf(inc: Expression, symbol: import("ts-morph").Symbol): 1 | -1 | undefined {
  const node = skipTransparent(inc);
  const isI = (e: Node) => skipTransparent(e as Expression).getSymbol() === symbol;
  if ((Node.isPostfixUnaryExpression(node) || Node.isPrefixUnaryExpression(node)) && isI(node.getOperand())) {
    return node.getOperatorToken() === SyntaxKind.PlusPlusToken ? 1 : node.getOperatorToken() === SyntaxKind.MinusMinusToken ? -1 : undefined;
  }
  if (Node.isBinaryExpression(node) && isI(node.getLeft())) {
    const token = node.getOperatorToken().getKind();
    const right = skipTransparent(node.getRight());
    if ((token === SyntaxKind.PlusEqualsToken || token === SyntaxKind.MinusEqualsToken) && right.getText() === "1") return token === SyntaxKind.PlusEqualsToken ? 1 : -1;
    if (token === SyntaxKind.EqualsToken && Node.isBinaryExpression(right) && isI(right.getLeft()) && right.getRight().getText() === "1") {
      const k = right.getOperatorToken().getKind();
      return k === SyntaxKind.PlusToken ? 1 : k === SyntaxKind.MinusToken ? -1 : undefined;
    }
  }
  return undefined;
}

const assignmentTokens = new Set([
  SyntaxKind.EqualsToken, SyntaxKind.PlusEqualsToken, SyntaxKind.MinusEqualsToken, SyntaxKind.AsteriskEqualsToken,
  SyntaxKind.SlashEqualsToken, SyntaxKind.PercentEqualsToken, SyntaxKind.AsteriskAsteriskEqualsToken, SyntaxKind.AmpersandEqualsToken,
  SyntaxKind.BarEqualsToken, SyntaxKind.CaretEqualsToken, SyntaxKind.LessThanLessThanEqualsToken, SyntaxKind.GreaterThanGreaterThanEqualsToken,
  SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, SyntaxKind.BarBarEqualsToken, SyntaxKind.AmpersandAmpersandEqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
]);

/** Whether `root` may assign the variable `symbol` (including inside functions it defines). */
function writes(root: Node, symbol: import("ts-morph").Symbol): boolean {
  const name = symbol.getName();
  for (const node of descendantsAll(root)) {
    if (!Node.isIdentifier(node) || node.getText() !== name || node.getSymbol() !== symbol) continue;
    const parent = node.getParent();
    if ((Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(parent.getOperatorToken())) return true;
    for (let n: Node | undefined = node; n && n !== root; n = n.getParent()) {
      const p = n.getParent();
      if (Node.isBinaryExpression(p) && assignmentTokens.has(p.getOperatorToken().getKind()) && p.getLeft() === n) return true;
      if ((Node.isForOfStatement(p) || Node.isForInStatement(p)) && p.getInitializer() === n) return true;
      if (!(Node.isParenthesizedExpression(p) || Node.isArrayLiteralExpression(p) || Node.isObjectLiteralExpression(p) || Node.isShorthandPropertyAssignment(p) || Node.isPropertyAssignment(p) || Node.isSpreadElement(p))) break;
    }
  }
  return false;
}

/** Whether the variable `symbol` may be assigned while `body` runs: in the body, or in a function it may call. */
export function rebindsWhile(body: Statement, symbol: import("ts-morph").Symbol): boolean {
  return writes(body, symbol) || localFunctions(body).some((f) => writes(f, symbol));
}

/**
 * Whether the length of the array `array` names may change while `body` runs: a typed
 * array's never does; a parameter's or module constant's only through a function adgen
 * cannot see into; any other through `push`, `length =`… in the body or a function it may call.
 */
export function lengthMayChange(cx: LowerContext, array: Expression, body: Statement): boolean {
  if (floatArrayKind(array.getType())) return false;
  const places = [body, ...localFunctions(body)];
  return (!isInput(array) && places.some(bodyChangesLengths)) || places.some((place) => callsUnseen(cx, place));
}

/** A variable declared outside the function being lowered that is not `const`: an unseen call may assign it. */
function isOuterVariable(symbol: import("ts-morph").Symbol, body: Node): boolean {
  const around = body.getAncestors().filter(Node.isFunctionLikeDeclaration).at(-1);
  return symbol.getDeclarations().some((d) => Node.isVariableDeclaration(d) && d.getVariableStatement()?.getDeclarationKind() !== "const" && !(around && d.getAncestors().includes(around)));
}

/** A loop bound the body cannot change: locals it does not assign, lengths it cannot change, no calls. */
function isInvariant(cx: LowerContext, bound: Expression, body: Statement): boolean {
  for (const node of descendants(bound)) {
    if (Node.isCallExpression(node)) {
      const callee = node.getExpression();
      if (!(Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === "Math")) return false;
    } else if (Node.isElementAccessExpression(node)) {
      return false;
    } else if (Node.isPropertyAccessExpression(node)) {
      if (node.getExpression().getText() === "Math") continue;
      if (node.getName() !== "length") return false;
      if (lengthMayChange(cx, node.getExpression(), body)) return false;
    } else if (Node.isIdentifier(node)) {
      const symbol = node.getSymbol();
      const parent = node.getParent();
      if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node) continue;
      if (symbol && (rebindsWhile(body, symbol) || (isOuterVariable(symbol, body) && callsUnseen(cx, body)))) return false;
    }
  }
  return true;
}

/**
 * A parameter's array or a module constant: the function cannot change it (ownership.ts
 * rejects any write), so its length is the same throughout.
 */
export function isInput(expr: Expression): boolean {
  const node = skipTransparent(expr);
  if (!Node.isIdentifier(node)) return false;
  const decl = node.getSymbol()?.getDeclarations()[0];
  if (Node.isParameterDeclaration(decl)) return true;
  return Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getDeclarationKind() === "const" && Node.isSourceFile(decl.getVariableStatement()?.getParent());
}

/** Whether a body may change an array's length (`push`, `pop`, `splice`, `length =`, …). */
export function bodyChangesLengths(body: Node): boolean {
  for (const node of descendants(body)) {
    if (Node.isPropertyAccessExpression(node) && ["push", "pop", "shift", "unshift", "splice", "length"].includes(node.getName())) {
      const parent = node.getParent();
      if (node.getName() !== "length" || (Node.isBinaryExpression(parent) && parent.getLeft() === node)) return true;
    }
  }
  return false;
}

/** Whether a loop body may leave the loop early: `break` of it, `return`, or a jump outside. */
export function leavesEarly(body: Statement, ownLabel: string | undefined): boolean {
  for (const node of descendants(body)) {
    if (Node.isReturnStatement(node)) return true;
    if (!Node.isBreakStatement(node) && !Node.isContinueStatement(node)) continue;
    const target = node.getLabel()?.getText();
    const isBreak = Node.isBreakStatement(node);
    if (target) {
      if (!isBreak && target === ownLabel) continue;
      if (!labelInside(node, body, target)) return true;
    } else if (!enclosedBy(node, body, isBreak)) {
      if (isBreak) return true;
    }
  }
  return false;
}

/** Whether an unlabelled jump targets a loop (or, for `break`, a `switch`) inside `body`. */
function enclosedBy(node: Node, body: Node, isBreak: boolean): boolean {
  for (let n = node.getParent(); n && n !== body.getParent(); n = n.getParent()) {
    if (n === body) return false;
    if (Node.isIterationStatement(n) || (isBreak && Node.isSwitchStatement(n))) return true;
  }
  return false;
}

function labelInside(node: Node, body: Node, label: string): boolean {
  for (let n = node.getParent(); n && n !== body; n = n.getParent()) {
    if (Node.isLabeledStatement(n) && n.getLabel().getText() === label) return true;
  }
  return false;
}

/** Whether an expression's value is an integer whatever the inputs: literals, lengths, indices, floors. */
function isIntegral(cx: LowerContext, expr: Expression): boolean {
  const node = skipTransparent(expr);
  if (Node.isNumericLiteral(node)) return Number.isInteger(Number(node.getLiteralValue()));
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken) return isIntegral(cx, node.getOperand());
  if (Node.isPropertyAccessExpression(node)) return node.getName() === "length";
  if (Node.isBinaryExpression(node)) {
    const token = node.getOperatorToken().getKind();
    if ([SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken].includes(token)) return isIntegral(cx, node.getLeft()) && isIntegral(cx, node.getRight());
    return [SyntaxKind.BarToken, SyntaxKind.AmpersandToken, SyntaxKind.GreaterThanGreaterThanToken, SyntaxKind.LessThanLessThanToken].includes(token);
  }
  if (Node.isCallExpression(node)) return ["Math.floor", "Math.ceil", "Math.round", "Math.trunc"].includes(node.getExpression().getText());
  if (Node.isIdentifier(node)) {
    const symbol = node.getSymbol();
    if (symbol && cx.countedIndices.has(symbol)) return true;
    const decl = symbol?.getDeclarations()[0];
    if (Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getDeclarationKind() === "const" && decl.getInitializer()) {
      return decl.getStart() < node.getStart() && isIntegral(cx, decl.getInitializerOrThrow());
    }
  }
  return false;
}
