/**
 * Lower, control flow: loops, `switch`, and jumps as flags.
 *
 * Input: ts-morph loops, `switch`, `break`/`continue`. Output: structured IR: a counted
 * `for` where the source loop is one (counted.ts decides), otherwise
 * `loop { test; if (!cond) break; body }`. `break`, `continue` and an early `return` set a
 * boolean flag, and the statements after them run only under `if (!flag)`, so the IR has
 * no jumps and every function one exit.
 */
import { Node, type BreakStatement, type ContinueStatement, type DoStatement, type Expression, type ForOfStatement, type IterationStatement, type SwitchStatement } from "ts-morph";
import { lit, v, type Atom, type Stmt } from "../../ir/ir";
import { describeType, isArrayType, numberInfo } from "../types";
import type { JumpTarget, LowerContext } from "./context";
import { atom, atomOf, objectName, operator, skipTransparent } from "./expressions";
import { destructure } from "./patterns";
import { breakable, expressionStatement, lowerBlock, lowerStatement, variable } from "./statements";
import { constructs } from "../../diagnostics";
import { unsupported } from "./unsupported";
import { countedBody, countedLoop, leavesEarly, lengthMayChange, rebindsWhile } from "./counted";
import { nameOf } from "../../naming";

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
  if (!target) throw unsupported(statement, constructs.jumpTarget(isBreak ? "break" : "continue"));
  const flag = isBreak ? (target.breakFlag ??= cx.flag(nameOf.broke)) : (target.continueFlag ??= cx.flag(nameOf.skipped));
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
    throw unsupported(statement, constructs.loop);
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
    throw unsupported(iterated, constructs.forOfNonArray);
  }
  // the iterator holds the array the loop began with, whatever its name is rebound to meanwhile
  const name = skipTransparent(iterated);
  const symbol = Node.isIdentifier(name) ? name.getSymbol() : undefined;
  const array = symbol && rebindsWhile(statement.getStatement(), symbol) ? alias(cx, iterated, type) : objectName(cx, iterated);
  const elementType = type.getArrayElementType() ?? type.getNumberIndexType();
  const elementInfo = elementType ? describeType(elementType, iterated) : numberInfo;
  const elementText = elementInfo.type === "number" ? "number" : elementType!.getText(iterated);
  const bindElement = (index: Atom) => {
    const init = statement.getInitializer();
    if (!Node.isVariableDeclarationList(init)) throw unsupported(init, constructs.forOfWithoutDeclaration);
    const decl = init.getDeclarations()[0];
    const item = atomOf(cx, { kind: "get", object: v(array), key: { kind: "index", index } }, elementInfo, elementText);
    const nameNode = decl.getNameNode();
    if (entries) {
      if (!Node.isArrayBindingPattern(nameNode)) throw unsupported(nameNode, constructs.entriesPattern);
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
  const changesLength = lengthMayChange(cx, iterated, statement.getStatement());
  if (!changesLength && !leavesEarly(statement.getStatement(), target.label)) {
    const length = atomOf(cx, { kind: "length", object: v(array) }, "number");
    const index = cx.hidden(nameOf.loopIndex, numberInfo, "number");
    return countedBody(cx, target, origin, { index, start: lit("0"), end: length, step: 1, integralEnd: true }, () =>
      cx.scoped(() => {
        bindElement(v(index));
        return lowerStatement(cx, statement.getStatement());
      }),
    );
  }
  const index = cx.hidden(nameOf.loopIndex, numberInfo, "number");
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

/** A new variable holding the same array as `expr` (its adjoint the same shadow). */
function alias(cx: LowerContext, expr: Expression, type: import("ts-morph").Type): string {
  const temp = cx.temp(describeType(type, expr), type.getText(expr));
  cx.assign(temp, atom(cx, expr));
  return temp;
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
    const go = cx.flag(nameOf.running);
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
  const entry = cx.hidden(nameOf.entry, { type: "inactive", shape: { kind: "inactive" }, tangent: "null" }, "number");
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

