/**
 * Lower, control flow: loops, `switch`, and jumps as flags.
 *
 * Input: ts-morph loops, `switch`, `break`/`continue`. Output: structured IR: a counted
 * `for` where the source loop is one (an index declared in its head, stepped by one, never
 * assigned in the body, bounds that do not change inside, no early exit), otherwise
 * `loop { test; if (!cond) break; body }`. `break`, `continue` and an early `return` set a
 * boolean flag, and the statements after them run only under `if (!flag)`, so the IR has
 * no jumps and every function one exit.
 */
import { Node, SyntaxKind, type BreakStatement, type ContinueStatement, type DoStatement, type Expression, type ForOfStatement, type ForStatement, type IterationStatement, type Statement, type SwitchStatement } from "ts-morph";
import { lit, v, type Atom, type Stmt } from "../../ir/ir";
import { describeType, floatArrayKind, isArrayType, numberInfo } from "../types";
import type { JumpTarget, LowerContext } from "./context";
import { atom, atomOf, objectName, operator, skipTransparent } from "./expressions";
import { destructure } from "./patterns";
import { breakable, expressionStatement, lowerBlock, lowerStatement, variable } from "./statements";
import { unsupported } from "./unsupported";
import { descendants } from "../walk";

/**
 * Lowers parts in order; after one that may jump, the rest run only if no flag is set. A
 * loop, not recursion: each jump opens a guarded list for the rest, closed at the end.
 */
export function sequence<T>(cx: LowerContext, parts: readonly T[], lowerOne: (part: T) => Set<string>): Set<string> {
  const escapes = new Set<string>();
  const guards: { out: Stmt[]; skip: Atom; origin: number }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const flags = lowerOne(parts[i]);
    for (const f of flags) escapes.add(f);
    if (flags.size > 0 && i < parts.length - 1) {
      guards.push({ out: cx.out, skip: anyOf(cx, [...flags]), origin: cx.origin });
      cx.out = [];
    }
  }
  while (guards.length) {
    const { out, skip, origin } = guards.pop()!;
    const rest = cx.out;
    cx.out = out;
    cx.emitIf(skip, [], rest, origin);
  }
  return escapes;
}

/** A boolean atom that is true when any of `flags` is set. */
export function anyOf(cx: LowerContext, flags: string[]): Atom {
  let acc: Atom = v(flags[0]);
  for (const flag of flags.slice(1)) acc = atomOf(cx, { kind: "op", op: "||", args: [acc, v(flag)] }, "inactive");
  return acc;
}

export function setFlag(cx: LowerContext, flag: string, value: boolean): void {
  cx.assign(flag, lit(String(value)));
}

/** `break`/`continue`: set the target's flag. */
export function jump(cx: LowerContext, statement: BreakStatement | ContinueStatement): Set<string> {
  const isBreak = Node.isBreakStatement(statement);
  const label = statement.getLabel()?.getText();
  const target = [...cx.targets].reverse().find((t) => (label ? t.label === label : isBreak || t.loop) && (isBreak || t.loop));
  if (!target) throw unsupported(statement, `this \`${isBreak ? "break" : "continue"}\``);
  const flag = isBreak ? (target.breakFlag ??= cx.flag("broke")) : (target.continueFlag ??= cx.flag("skipped"));
  setFlag(cx, flag, true);
  return new Set([flag]);
}

export function lowerLoop(cx: LowerContext, statement: IterationStatement, label?: string): Set<string> {
  const target: JumpTarget = { label, loop: true };
  const origin = cx.origin;
  return cx.scoped(() => {
    if (Node.isForStatement(statement)) {
      const counted = countedLoop(cx, statement, target, origin);
      if (counted) return counted;
      const init = statement.getInitializer();
      if (init && Node.isVariableDeclarationList(init)) init.getDeclarations().forEach((d) => variable(cx, d));
      else if (init) expressionStatement(cx, init as Expression);
      const cond = statement.getCondition();
      const inc = statement.getIncrementor();
      return finishLoop(cx, target, origin, () => (cond ? (cx.startOrigin(cond), atom(cx, cond)) : lit("true")), () => lowerStatement(cx, statement.getStatement()), () => {
        if (inc) {
          cx.startOrigin(inc);
          expressionStatement(cx, inc);
        }
      });
    }
    if (Node.isWhileStatement(statement)) {
      const cond = statement.getExpression();
      return finishLoop(cx, target, origin, () => (cx.startOrigin(cond), atom(cx, cond)), () => lowerStatement(cx, statement.getStatement()), () => {});
    }
    if (Node.isDoStatement(statement)) return doLoop(cx, statement, target, origin);
    if (Node.isForOfStatement(statement)) return forOf(cx, statement, target, origin);
    throw unsupported(statement, undefined, "write it as a `for` loop over indices");
  });
}

/**
 * `for (const x of xs)`, `for (const [i, x] of xs.entries())`: a counted loop over the
 * indices of `xs` when the body cannot change its length (an array's iterator reads the
 * length again at every step), else a loop that does the same.
 */
function forOf(cx: LowerContext, statement: ForOfStatement, target: JumpTarget, origin: number): Set<string> {
  let iterated = skipTransparent(statement.getExpression());
  let entries = false;
  if (Node.isCallExpression(iterated) && Node.isPropertyAccessExpression(iterated.getExpression()) && iterated.getArguments().length === 0) {
    const method = iterated.getExpression() as import("ts-morph").PropertyAccessExpression;
    if (method.getName() === "entries" || method.getName() === "values") {
      entries = method.getName() === "entries";
      iterated = method.getExpression();
    }
  }
  const type = iterated.getType().getNonNullableType();
  if (!isArrayType(type)) {
    throw unsupported(iterated, "`for…of` over something other than an array");
  }
  const array = objectName(cx, iterated);
  const elementType = type.getArrayElementType() ?? type.getNumberIndexType();
  const elementInfo = elementType ? describeType(elementType, iterated) : numberInfo;
  const elementText = elementInfo.type === "number" ? "number" : elementType!.getText(iterated);
  const bindElement = (index: Atom) => {
    const init = statement.getInitializer();
    if (!Node.isVariableDeclarationList(init)) throw unsupported(init, "a `for…of` without a declaration");
    const decl = init.getDeclarations()[0];
    const item = atomOf(cx, { kind: "get", object: v(array), key: { kind: "index", index } }, elementInfo, elementText);
    const nameNode = decl.getNameNode();
    if (entries) {
      if (!Node.isArrayBindingPattern(nameNode)) throw unsupported(nameNode, "`entries()` without `[index, value]`");
      const [indexElement, valueElement] = nameNode.getElements();
      const bind = (element: Node | undefined, value: Atom, info = numberInfo, text = "number") => {
        if (!element || !Node.isBindingElement(element)) return;
        const n = element.getNameNode();
        if (Node.isIdentifier(n)) cx.assignVar(cx.declare(n.getText(), "local", info, text), value);
        else destructure(cx, n, value, element, "declare");
      };
      bind(indexElement, index);
      bind(valueElement, item, elementInfo, elementText);
    } else if (Node.isIdentifier(nameNode)) {
      cx.assignVar(cx.declare(nameNode.getText(), "local", elementInfo, elementText), item);
    } else {
      destructure(cx, nameNode, item, decl, "declare");
    }
  };
  const changesLength = !floatArrayKind(type) && !isInput(iterated) && bodyChangesLengths(statement.getStatement());
  if (!changesLength && !leavesEarly(statement.getStatement(), label(target))) {
    const length = atomOf(cx, { kind: "length", object: v(array) }, "number");
    const index = cx.hidden("index", numberInfo, "number");
    return countedBody(cx, target, origin, { index, start: lit("0"), end: length, step: 1, integralEnd: true }, () =>
      cx.scoped(() => {
        bindElement(v(index));
        return lowerStatement(cx, statement.getStatement());
      }),
    );
  }
  const index = cx.hidden("index", numberInfo, "number");
  cx.assign(index, lit("0"));
  return finishLoop(
    cx,
    target,
    origin,
    () => atomOf(cx, { kind: "op", op: "<", args: [v(index), atomOf(cx, { kind: "length", object: v(array) }, "number")] }, "inactive"),
    () => cx.scoped(() => (bindElement(v(index)), lowerStatement(cx, statement.getStatement()))),
    () => cx.assignVar(index, operator(cx, "+", [v(index), lit("1")])),
  );
}

const label = (target: JumpTarget) => target.label;

/** The head of a counted `for`, and its body lowered with `continue` as a flag. */
function countedBody(
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
function countedLoop(cx: LowerContext, statement: ForStatement, target: JumpTarget, origin: number): Set<string> | undefined {
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
  if (writes(body, symbol) || !isIntegral(cx, decl.getInitializerOrThrow()) || !isInvariant(bound, body) || leavesEarly(body, target.label)) return undefined;
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


const assignmentTokens = new Set([SyntaxKind.EqualsToken, SyntaxKind.PlusEqualsToken, SyntaxKind.MinusEqualsToken, SyntaxKind.AsteriskEqualsToken, SyntaxKind.SlashEqualsToken, SyntaxKind.PercentEqualsToken, SyntaxKind.AsteriskAsteriskEqualsToken]);

/** Every node under `root`, nested functions included. */
function* descendantsAll(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    node.forEachChild((child) => {
      stack.push(child);
    });
  }
}

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
      if (!(Node.isParenthesizedExpression(p) || Node.isArrayLiteralExpression(p) || Node.isObjectLiteralExpression(p) || Node.isShorthandPropertyAssignment(p) || Node.isPropertyAssignment(p))) break;
    }
  }
  return false;
}

/** A loop bound the body cannot change: locals it does not assign, lengths it cannot change, no calls. */
function isInvariant(bound: Expression, body: Statement): boolean {
  for (const node of descendants(bound)) {
    if (Node.isCallExpression(node)) {
      const callee = node.getExpression();
      if (!(Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === "Math")) return false;
    } else if (Node.isElementAccessExpression(node)) {
      return false;
    } else if (Node.isPropertyAccessExpression(node)) {
      if (node.getExpression().getText() === "Math") continue;
      if (node.getName() !== "length") return false;
      const type = node.getExpression().getType();
      if (!floatArrayKind(type) && !isInput(node.getExpression()) && bodyChangesLengths(body)) return false;
    } else if (Node.isIdentifier(node)) {
      const symbol = node.getSymbol();
      const parent = node.getParent();
      if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node) continue;
      if (symbol && writes(body, symbol)) return false;
    }
  }
  return true;
}

/**
 * A parameter's array or a module constant: the function cannot change it (ownership.ts
 * rejects any write), so its length is the same throughout.
 */
function isInput(expr: Expression): boolean {
  const node = skipTransparent(expr);
  if (!Node.isIdentifier(node)) return false;
  const decl = node.getSymbol()?.getDeclarations()[0];
  if (Node.isParameterDeclaration(decl)) return true;
  return Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.getDeclarationKind() === "const" && Node.isSourceFile(decl.getVariableStatement()?.getParent());
}

/** Whether a body may change an array's length (`push`, `pop`, `splice`, `length =`, …). */
function bodyChangesLengths(body: Node): boolean {
  for (const node of descendants(body)) {
    if (Node.isPropertyAccessExpression(node) && ["push", "pop", "shift", "unshift", "splice", "length"].includes(node.getName())) {
      const parent = node.getParent();
      if (node.getName() !== "length" || (Node.isBinaryExpression(parent) && parent.getLeft() === node)) return true;
    }
  }
  return false;
}

/** Whether a loop body may leave the loop early: `break` of it, `return`, or a jump outside. */
function leavesEarly(body: Statement, ownLabel: string | undefined): boolean {
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
export function isIntegral(cx: LowerContext, expr: Expression): boolean {
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

export function finishLoop(cx: LowerContext, target: JumpTarget, origin: number, test: () => Atom, body: () => Set<string>, update: () => void): Set<string> {
  cx.targets.push(target);
  let escapes = new Set<string>();
  const bodyStmts = cx.nested(() => {
    escapes = body();
    const stop = [...escapes].filter((f) => f !== target.continueFlag);
    if (stop.length > 0) {
      // the update runs after a `continue`, not after a `break` or `return`
      cx.emitIf(anyOf(cx, stop), [], cx.nested(update));
    } else {
      update();
    }
  });
  cx.targets.pop();
  const exits = [...escapes].filter((f) => f !== target.continueFlag);
  let cond: Atom = lit("true");
  const testBody = cx.nested(() => (cond = test()));
  const testStmts = guardedTest(cx, exits, testBody, cond, (c) => (cond = c));
  if (target.continueFlag) bodyStmts.unshift({ kind: "assign", target: target.continueFlag, value: lit("false"), origin });
  if (target.breakFlag) cx.emit({ kind: "assign", target: target.breakFlag, value: lit("false"), origin });
  cx.emit({ kind: "loop", test: testStmts, cond, body: bodyStmts, origin });
  return new Set(exits.filter((f) => f !== target.breakFlag));
}

/**
 * The loop test when jumps may end the loop: `go = !(flags); if (go) { test; go = c }`,
 * so a test is never evaluated after a `break` (its reads could be out of range).
 */
function guardedTest(cx: LowerContext, exits: string[], testBody: Stmt[], cond: Atom, setCond: (c: Atom) => void): Stmt[] {
  if (exits.length === 0) return testBody;
  return cx.nested(() => {
    const stop = anyOf(cx, exits);
    const go = cx.flag("running");
    cx.assign(go, { kind: "op", op: "!", args: [stop] });
    const inner: Stmt[] = [...testBody, { kind: "assign", target: go, value: cond, origin: cx.origin }];
    cx.emitIf(stop, [], inner);
    setCond(v(go));
  });
}

function doLoop(cx: LowerContext, statement: DoStatement, target: JumpTarget, origin: number): Set<string> {
  cx.targets.push(target);
  let escapes = new Set<string>();
  let cond: Atom = lit("true");
  const testStmts = cx.nested(() => {
    escapes = lowerStatement(cx, statement.getStatement());
    const stop = [...escapes].filter((f) => f !== target.continueFlag);
    const testBody = cx.nested(() => (cond = atom(cx, statement.getExpression())));
    if (stop.length === 0) cx.out.push(...testBody);
    else cx.out.push(...guardedTest(cx, stop, testBody, cond, (c) => (cond = c)));
  });
  cx.targets.pop();
  if (target.continueFlag) testStmts.unshift({ kind: "assign", target: target.continueFlag, value: lit("false"), origin });
  if (target.breakFlag) cx.emit({ kind: "assign", target: target.breakFlag, value: lit("false"), origin });
  cx.emit({ kind: "loop", test: testStmts, cond, body: [], origin });
  return new Set([...escapes].filter((f) => f !== target.continueFlag && f !== target.breakFlag));
}

/**
 * `switch (d) { case a: …; case b: … }`: find the entry clause once, then run each clause
 * from the entry on (fallthrough) until a `break` sets the switch's flag.
 */
export function lowerSwitch(cx: LowerContext, statement: SwitchStatement): Set<string> {
  const disc = atom(cx, statement.getExpression());
  const clauses = statement.getCaseBlock().getClauses();
  const entry = cx.hidden("entry", { type: "inactive", shape: { kind: "inactive" }, tangent: "null" }, "number");
  const defaultIndex = clauses.findIndex((c) => Node.isDefaultClause(c));
  cx.assign(entry, lit(String(defaultIndex >= 0 ? defaultIndex : clauses.length)));
  const chain = (i: number): void => {
    const clause = clauses[i];
    if (!clause) return;
    if (!Node.isCaseClause(clause)) return chain(i + 1);
    const test = atom(cx, clause.getExpression());
    const match = atomOf(cx, { kind: "op", op: "===", args: [disc, test] }, "inactive");
    const then = cx.nested(() => cx.assign(entry, lit(String(i))));
    cx.emitIf(match, then, cx.nested(() => chain(i + 1)));
  };
  chain(0);
  const clause = (i: number) => () => {
    const from = atomOf(cx, { kind: "op", op: "<=", args: [v(entry), lit(String(i))] }, "inactive");
    let flags = new Set<string>();
    const body = cx.nested(() => (flags = lowerBlock(cx, clauses[i].getStatements())));
    cx.emitIf(from, body, []);
    return flags;
  };
  return breakable(cx, { loop: false }, () => cx.scoped(() => sequence(cx, clauses.map((_, i) => clause(i)), (part) => part())));
}

