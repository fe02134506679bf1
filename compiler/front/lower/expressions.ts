/**
 * Lower, expressions: a TypeScript expression to one IR operation on atoms.
 *
 * Input: a ts-morph expression inside a `@differentiable` function. Output: an IR value
 * (an atom, or one operation over atoms) whose parts were written to temporaries `t1, t2,
 * …` in the current statement list (A-normal form). Long left-nested chains (`a + b + c + …`)
 * are walked with a loop, so their length costs no stack. `?:`, `&&`/`||`/`??` with a
 * right side that may throw or has effects, and `?.` become branches; element and field
 * reads, literals and calls become their own values (calls: calls.ts).
 */
import { Node, SyntaxKind, type BinaryExpression, type ElementAccessExpression, type Expression, type PropertyAccessExpression } from "ts-morph";
import { lit, v, type Atom, type Expr, type Key } from "../../ir/ir";
import { binaryOperators, logicalOperators, prefixOperators } from "../operators";
import { operatorRuleKey } from "../rules";
import { outside } from "./unseen";
import { describeType, inactiveInfo, isArrayType, numberInfo, type TypeInfo } from "../types";
import { lowerCall, lowerNew } from "./calls";
import type { LowerContext } from "./context";
import { CompileError, codes, constructs, messages } from "../../diagnostics";
import { unsupported } from "./unsupported";
import { nameOf } from "../../naming";

/** Parentheses, `as`, `satisfies` and type assertions: no run-time meaning. */
export function skipTransparent(expr: Expression): Expression {
  let node: Node = expr;
  while (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isTypeAssertion(node)) {
    node = node.getExpression();
  }
  return node as Expression;
}

/** The type of an expression, as differentiation sees it (`[]` by the type it is given). */
export function infoAt(node: Node): TypeInfo {
  return describeType(typeAt(node), node);
}

/** An expression's type; an empty literal typed `never[]` takes the type its context gives it. */
export function typeAt(node: Node) {
  const type = node.getType();
  if (type.isArray() && (type.getArrayElementType()?.isNever() || type.getArrayElementType()?.isAny()) && Node.isExpression(node)) {
    return node.getContextualType() ?? type;
  }
  return type;
}

/** Type text for a temporary holding `node`'s value. */
export function typeTextAt(node: Node, info: TypeInfo): string {
  if (info.type === "number") return "number";
  const type = typeAt(node).getBaseTypeOfLiteralType();
  return type.isBooleanLiteral() ? "boolean" : type.getText(node);
}

/** An expression as an atom, through a temporary unless it is already one. */
export function atom(cx: LowerContext, expr: Expression): Atom {
  const value = lowerValue(cx, expr);
  if (value.kind === "var" || value.kind === "lit") return value;
  const known = knownType(cx, value);
  if (known) return atomOf(cx, value, known, known === "number" ? "number" : "boolean");
  const info = infoAt(expr);
  return atomOf(cx, value, info, typeTextAt(expr, info));
}

/**
 * The type of a value its operation tells without the checker (arithmetic, a `Math` rule, a
 * comparison, a length): asking the checker about a node deep in a long expression costs
 * time in proportion to its depth.
 */
function knownType(cx: LowerContext, value: Expr): "number" | "inactive" | undefined {
  if (value.kind === "length") return "number";
  if (value.kind === "call" && value.callee.kind === "rule" && value.callee.rule.startsWith("Math.")) return "number";
  const token = value.kind === "op" ? value.op : value.kind === "call" && value.callee.kind === "rule" ? value.callee.text : undefined;
  if (!token || (value.kind !== "op" && value.kind !== "call")) return undefined;
  const args = value.args.filter((a): a is Atom => a.kind === "var" || a.kind === "lit");
  if (args.length !== value.args.length) return undefined;
  if (token === "!") return "inactive";
  if (args.length === 1 && (token === "-" || token === "+")) return "number";
  return args.length === 2 ? resultOf(cx, token, args[0], args[1]) : undefined;
}

export function atomOf(cx: LowerContext, value: Expr, info: TypeInfo | "number" | "inactive", typeText?: string): Atom {
  if (value.kind === "var" || value.kind === "lit") return value;
  const temp = cx.temp(info, typeText);
  cx.assign(temp, value);
  return v(temp);
}

/** The variable an array or object expression lives in (module constants get one too). */
export function objectName(cx: LowerContext, expr: Expression): string {
  const a = atom(cx, expr);
  if (a.kind === "var") return a.name;
  const info = infoAt(expr);
  const temp = cx.temp(info.type === "number" ? inactiveInfo : { ...info, type: "inactive" }, typeTextAt(expr, info));
  cx.assign(temp, a);
  return temp;
}

export function operator(cx: LowerContext, token: string, args: Atom[]): Expr {
  // `1 / b` differentiates as y² rather than through a second division (runtime/rules/operators.ts)
  const reciprocal = token === "/" && args.length === 2 && args[0].kind === "lit" && args[0].text === "1";
  const key = reciprocal ? "reciprocal" : operatorRuleKey(token, args.length);
  if (key && cx.resolver.operatorRule(key)) return { kind: "call", callee: { kind: "rule", text: token, rule: key }, args };
  return { kind: "op", op: token, args };
}

/** An expression as one operation on atoms. */
export function lowerValue(cx: LowerContext, expr: Expression): Expr {
  const node = skipTransparent(expr);
  if (Node.isNumericLiteral(node) || Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return lit(node.getText());
  if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node)) return lit(node.getText());
  if (Node.isIdentifier(node)) return identifier(cx, node);
  if (Node.isNonNullExpression(node)) {
    // `a.pop()!` is one value: the pop is printed with its assertion
    const operand = skipTransparent(node.getExpression());
    if (Node.isCallExpression(operand) && lowerValueIsPop(operand)) return lowerValue(cx, operand);
    const inner = atom(cx, node.getExpression());
    const nullable = node.getExpression().getType().isNullable();
    return nullable ? { kind: "op", op: "nonnull", args: [inner] } : inner;
  }
  if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return access(cx, node);
  if (Node.isPrefixUnaryExpression(node)) {
    const token = node.getOperatorToken();
    const operand = node.getOperand();
    if (token === SyntaxKind.MinusToken && Node.isNumericLiteral(operand)) return lit(node.getText());
    const opToken = prefixOperators[token];
    if (!opToken) throw unsupported(node, constructs.incrementInExpression);
    return operator(cx, opToken, [atom(cx, operand)]);
  }
  if (Node.isTypeOfExpression(node)) return { kind: "op", op: "typeof", args: [atom(cx, node.getExpression())] };
  if (Node.isBinaryExpression(node)) return binary(cx, node);
  if (Node.isConditionalExpression(node)) {
    const cond = atom(cx, node.getCondition());
    const info = infoAt(node);
    const t = cx.temp(info, typeTextAt(node, info));
    const then = cx.nested(() => cx.assignVar(t, lowerValue(cx, node.getWhenTrue())));
    const otherwise = cx.nested(() => cx.assignVar(t, lowerValue(cx, node.getWhenFalse())));
    cx.emitIf(cond, then, otherwise);
    return v(t);
  }
  if (Node.isCallExpression(node)) return lowerCall(cx, node);
  if (Node.isNewExpression(node)) return lowerNew(cx, node);
  if (Node.isArrayLiteralExpression(node)) return arrayLiteral(cx, node);
  if (Node.isObjectLiteralExpression(node)) {
    const items = node.getProperties().map((p) => {
      if (Node.isPropertyAssignment(p)) {
        const nameNode = p.getNameNode();
        if (!Node.isIdentifier(nameNode) && !Node.isStringLiteral(nameNode) && !Node.isNumericLiteral(nameNode)) throw unsupported(nameNode, constructs.computedKeyLiteral);
        const key = Node.isStringLiteral(nameNode) ? nameNode.getLiteralText() : nameNode.getText();
        return { key, value: atom(cx, p.getInitializerOrThrow()) as Expr };
      }
      if (Node.isShorthandPropertyAssignment(p)) return { key: p.getName(), value: identifier(cx, p.getNameNode()) };
      throw unsupported(p, Node.isSpreadAssignment(p) ? constructs.objectSpread : constructs.methodInLiteral);
    });
    return { kind: "literal", shape: "object", items };
  }
  if (Node.isThisExpression(node)) {
    if (cx.target.self) return v("this");
    throw unsupported(node, constructs.thisOutsideMethod);
  }
  if (Node.isTemplateExpression(node)) {
    // a string, so no derivative: literal pieces alternate with the values put in
    const raw = (text: string) => lit(text.replace(/^[`}]|(\$\{|`)$/g, ""));
    const args: Expr[] = [raw(node.getHead().getText())];
    for (const span of node.getTemplateSpans()) args.push(atom(cx, span.getExpression()), raw(span.getLiteral().getText()));
    return { kind: "op", op: "template", args };
  }
  throw unsupported(node);
}

/** `a op b`; a left-nested chain of them is lowered with a loop. */
function binary(cx: LowerContext, node: BinaryExpression): Expr {
  const kind = node.getOperatorToken().getKind();
  const logical = logicalOperators[kind];
  if (logical) return logicalValue(cx, node, logical);
  if (!binaryOperators[kind]) throw unsupported(node, kind === SyntaxKind.CommaToken ? constructs.comma : constructs.operator(node.getOperatorToken().getText()));
  const spine: BinaryExpression[] = [node];
  for (let left = skipTransparent(node.getLeft()); Node.isBinaryExpression(left) && binaryOperators[left.getOperatorToken().getKind()]; left = skipTransparent(left.getLeft())) {
    spine.push(left);
  }
  let acc = atom(cx, spine[spine.length - 1].getLeft());
  for (let k = spine.length - 1; ; k--) {
    const b = spine[k];
    const token = binaryOperators[b.getOperatorToken().getKind()];
    const right = atom(cx, b.getRight());
    const value = operator(cx, token, [acc, right]);
    if (k === 0) return value;
    // the type of an inner link, from its operands: asking the checker at every link of a
    // long chain would check the chain below it again each time
    const known = resultOf(cx, token, acc, right);
    if (known) {
      acc = atomOf(cx, value, known, known === "number" ? "number" : "boolean");
    } else {
      const info = infoAt(b);
      acc = atomOf(cx, value, info, typeTextAt(b, info));
    }
  }
}

const numericTokens = new Set(["-", "*", "/", "%", "**", "<<", ">>", ">>>", "&", "|", "^"]);
const booleanTokens = new Set(["<", "<=", ">", ">=", "==", "===", "!=", "!==", "in", "instanceof"]);

/** `number` or `inactive` (boolean) when an operator's operands tell; undefined otherwise. */
function resultOf(cx: LowerContext, token: string, left: Atom, right: Atom): "number" | "inactive" | undefined {
  if (booleanTokens.has(token)) return "inactive";
  const isNumber = (a: Atom) => (a.kind === "var" ? cx.vars.get(a.name)?.typeText === "number" : /^-?(\d|\.\d)/.test(a.text));
  if (numericTokens.has(token) || (token === "+" && isNumber(left) && isNumber(right))) return "number";
  return undefined;
}

/** `a.pop()` on an array. */
function lowerValueIsPop(call: import("ts-morph").CallExpression): boolean {
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) && callee.getName() === "pop" && call.getArguments().length === 0 && isArrayType(callee.getExpression().getType());
}

/**
 * `a && b`, `a || b`, `a ?? b`. On booleans whose right side cannot throw or act, both
 * sides are evaluated; otherwise the right side is a branch, so it runs only when the
 * source runs it, and on numbers the derivative follows the value chosen.
 */
function logicalValue(cx: LowerContext, node: BinaryExpression, token: "&&" | "||" | "??"): Expr {
  const info = infoAt(node);
  const left = atom(cx, node.getLeft());
  if (info.type === "inactive" && token !== "??" && isPlain(node.getRight())) return { kind: "op", op: token, args: [left, atom(cx, node.getRight())] };
  const t = cx.temp(info, typeTextAt(node, info));
  let cond: Atom = left;
  if (token === "??") {
    const isNull = cx.temp("inactive");
    cx.assign(isNull, { kind: "op", op: "==", args: [left, lit("null")] });
    cond = v(isNull);
  }
  const right = cx.nested(() => cx.assignVar(t, lowerValue(cx, node.getRight())));
  const leftType = node.getLeft().getType();
  const kept: Expr = token === "??" && leftType.isNullable() ? { kind: "op", op: "nonnull", args: [left] } : left;
  const keep = cx.nested(() => cx.assignVar(t, kept));
  if (token === "||") cx.emitIf(cond, keep, right);
  else cx.emitIf(cond, right, keep);
  return v(t);
}

/** An expression that cannot throw or have effects: names, literals, operators, Math calls. */
function isPlain(expr: Expression): boolean {
  const stack: Node[] = [expr];
  while (stack.length) {
    const node = stack.pop()!;
    if (Node.isCallExpression(node)) {
      const callee = node.getExpression();
      if (!(Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === "Math")) return false;
      stack.push(...node.getArguments());
      continue;
    }
    if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) {
      if (node.getExpression().getType().isNullable() || Node.isPropertyAccessExpression(node) && node.hasQuestionDotToken()) return false;
    } else if (!(Node.isIdentifier(node) || Node.isLiteralExpression(node) || Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node) || Node.isParenthesizedExpression(node) || Node.isBinaryExpression(node) || Node.isPrefixUnaryExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node))) {
      return false;
    }
    if (Node.isBinaryExpression(node) && !binaryOperators[node.getOperatorToken().getKind()] && !logicalOperators[node.getOperatorToken().getKind()]) return false;
    stack.push(...node.getChildren().filter((c) => Node.isExpression(c)));
  }
  return true;
}

/** `a[i]`, `p.w`, `t[0]`, `a.length`, `o?.w`, or a module constant such as `Math.PI`. */
function access(cx: LowerContext, node: PropertyAccessExpression | ElementAccessExpression): Expr {
  const base = skipTransparent(node.getExpression());
  if (Node.isPropertyAccessExpression(node) && Node.isIdentifier(base) && !cx.lookup(base.getText()) && isNamespaceLike(base)) {
    return constant(cx, node);
  }
  if (node.hasQuestionDotToken()) return optionalAccess(cx, node);
  if (Node.isPropertyAccessExpression(node) && node.getName() === "length") return { kind: "length", object: atom(cx, node.getExpression()) };
  const object = atom(cx, node.getExpression());
  return { kind: "get", object, key: key(cx, node) };
}

/** `o?.k`: `undefined` when `o` is null or undefined, else `o.k`. */
function optionalAccess(cx: LowerContext, node: PropertyAccessExpression | ElementAccessExpression): Expr {
  const object = atom(cx, node.getExpression());
  const isNull = cx.temp("inactive");
  cx.assign(isNull, { kind: "op", op: "==", args: [object, lit("null")] });
  const info = infoAt(node);
  const t = cx.temp(info, node.getType().getText(node));
  const read = cx.nested(() => {
    const present = object.kind === "var" ? ({ kind: "op", op: "nonnull", args: [object] } as Expr) : object;
    const inner = atomOf(cx, present, infoAt(node.getExpression()), node.getExpression().getType().getNonNullableType().getText(node));
    cx.assign(t, { kind: "get", object: inner, key: key(cx, node) });
  });
  cx.emitIf(v(isNull), cx.nested(() => cx.assign(t, lit("undefined"))), read);
  return v(t);
}

/** A name whose members are constants (`Math`, an enum, a namespace), not a variable's value. */
function isNamespaceLike(base: Node): boolean {
  const decl = base.getSymbol()?.getDeclarations()[0];
  return !decl || Node.isEnumDeclaration(decl) || Node.isModuleDeclaration(decl) || Node.isNamespaceImport(decl) || decl.getSourceFile().isDeclarationFile();
}

export function key(cx: LowerContext, node: PropertyAccessExpression | ElementAccessExpression): Key {
  if (Node.isPropertyAccessExpression(node)) {
    const optional = node.getExpression().getType().getNonNullableType().getProperty(node.getName())?.isOptional() ?? false;
    return optional ? { kind: "field", name: node.getName(), optional } : { kind: "field", name: node.getName() };
  }
  const arg = node.getArgumentExpressionOrThrow();
  if (Node.isStringLiteral(arg)) return { kind: "field", name: arg.getLiteralText() };
  return { kind: "index", index: atom(cx, arg) };
}

/** `[a, b]`; with spreads, `[...a, x]` becomes a fresh array filled by pushes. */
function arrayLiteral(cx: LowerContext, node: import("ts-morph").ArrayLiteralExpression): Expr {
  const elements = node.getElements();
  if (!elements.some((e) => Node.isSpreadElement(e))) {
    return {
      kind: "literal",
      shape: "array",
      items: elements.map((e, i) => {
        if (Node.isOmittedExpression(e)) throw unsupported(e, constructs.arrayHole);
        return { key: String(i), value: atom(cx, e) as Expr };
      }),
    };
  }
  if (elements.length === 1) {
    // `[...a]`: a copy
    const source = (elements[0] as import("ts-morph").SpreadElement).getExpression();
    return { kind: "clone", ctor: "Array", object: v(objectName(cx, source)) };
  }
  return spreadLiteral(cx, node);
}

function spreadLiteral(cx: LowerContext, node: import("ts-morph").ArrayLiteralExpression): Expr {
  const info = infoAt(node);
  const out = cx.temp(info, typeTextAt(node, info));
  cx.assign(out, { kind: "literal", shape: "array", items: [] });
  for (const e of node.getElements()) {
    if (!Node.isSpreadElement(e)) {
      const value = atom(cx, e);
      cx.noteWrite(out, e);
      cx.emit({ kind: "push", object: out, value, origin: cx.origin });
      continue;
    }
    const source = objectName(cx, e.getExpression());
    const length = cx.temp("number");
    cx.assign(length, { kind: "length", object: v(source) });
    const index = cx.hidden(nameOf.elementIndex, numberInfo, "number");
    const body = cx.nested(() => {
      const elementInfo = infoAt(e.getExpression()).shape.kind === "array" ? infoAt(e) : numberInfo;
      const item = atomOf(cx, { kind: "get", object: v(source), key: { kind: "index", index: v(index) } }, elementInfo, elementInfo.type === "number" ? "number" : undefined);
      cx.emit({ kind: "push", object: out, value: item, origin: cx.origin });
    });
    cx.emit({ kind: "for", index, start: lit("0"), end: v(length), step: 1, body, origin: cx.origin, integralEnd: true });
  }
  return v(out);
}

/** A name read in the function: a local, or a module-level value printed as is. */
export function identifier(cx: LowerContext, node: Node): Atom {
  const text = node.getText();
  const binding = cx.lookup(text);
  if (binding?.kind === "var") return v(binding.name);
  if (binding?.kind === "function") throw new CompileError(codes.closure, messages.localAsValue(text), node);
  if (text === "undefined" || text === "NaN" || text === "Infinity") return lit(text);
  const decl = node.getSymbol()?.getDeclarations()[0];
  if (decl && !decl.getSourceFile().isDeclarationFile() && !isModuleLevel(decl) && !Node.isImportSpecifier(decl) && !Node.isNamespaceImport(decl)) {
    throw unsupported(node, constructs.enclosingRead(text));
  }
  return outside(cx, node);
}

/** `Math.PI`, an enum member and other constant members: inactive values printed as is. */
function constant(cx: LowerContext, node: PropertyAccessExpression): Expr {
  return outside(cx, node);
}


export function isModuleLevel(decl: Node): boolean {
  for (let node = decl.getParent(); node; node = node.getParent()) {
    if (Node.isSourceFile(node)) return true;
    if (Node.isFunctionLikeDeclaration(node) || Node.isClassDeclaration(node) || Node.isBlock(node)) return false;
  }
  return false;
}

export { operatorRuleKey };
