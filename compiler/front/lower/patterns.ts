/**
 * Lower, destructuring: `const [m, v] = pair`, `const { w, b = 0 } = params`,
 * `[a, b] = [b, a]`, `({ w, b } = params)`, nested patterns and rest elements.
 *
 * Input: a binding pattern (declarations, parameters, `for…of`) or an assignment pattern
 * and the value it takes apart. Output: one read per name (`m = pair[0]`); a default
 * becomes a branch on `undefined`. Assignments read every value first and assign after, so
 * a swap swaps.
 */
import { Node, type Expression } from "ts-morph";
import { lit, v, type Atom, type Expr, type Key } from "../../ir/ir";
import { numberInfo } from "../types";
import type { LowerContext } from "./context";
import { atom, atomOf, infoAt, lowerValue, skipTransparent, typeTextAt } from "./expressions";
import { place, write } from "./statements";
import { unsupported } from "./unsupported";

/** A source value held in a variable (a literal such as a module constant gets one). */
function held(cx: LowerContext, source: Atom, at: Node): string {
  if (source.kind === "var") return source.name;
  const info = infoAt(at);
  const t = cx.temp({ ...info, type: "inactive" }, typeTextAt(at, info));
  cx.assign(t, source);
  return t;
}

/** `object[key]` with a default for `undefined`. */
function read(cx: LowerContext, object: string, key: Key, element: Node, init: Expression | undefined): Atom {
  const info = infoAt(element);
  const text = info.type === "number" ? "number" : element.getType().getText(element);
  const get: Expr = { kind: "get", object: v(object), key };
  if (!init) return atomOf(cx, get, info, text);
  const raw = cx.temp(info, `${text} | undefined`);
  cx.assign(raw, get);
  const missing = cx.temp("inactive");
  cx.assign(missing, { kind: "op", op: "===", args: [v(raw), lit("undefined")] });
  const t = cx.temp(info, text);
  const fallback = cx.nested(() => cx.assignVar(t, lowerValue(cx, init)));
  const present = cx.nested(() => cx.assign(t, { kind: "op", op: "nonnull", args: [v(raw)] }));
  cx.emitIf(v(missing), fallback, present);
  return v(t);
}

/** Binds the names of a binding pattern (declarations, parameters) to parts of `source`. */
export function destructure(cx: LowerContext, pattern: Node, source: Atom, at: Node, _mode: "declare"): void {
  const object = held(cx, source, at);
  const bind = (element: Node, key: Key, restFrom?: number) => {
    if (!Node.isBindingElement(element)) return;
    const nameNode = element.getNameNode();
    let value: Atom;
    if (element.getDotDotDotToken()) {
      if (restFrom === undefined) throw unsupported(element, "a rest element in object destructuring", "read the fields you need by name");
      value = atomOf(cx, { kind: "clone", ctor: "slice", object: v(object), start: lit(String(restFrom)) }, infoAt(element), element.getType().getText(element));
    } else {
      value = read(cx, object, key, element, element.getInitializer());
    }
    if (Node.isIdentifier(nameNode)) {
      const info = infoAt(element);
      const name = cx.declare(nameNode.getText(), "local", info, info.type === "number" ? "number" : element.getType().getText(element));
      cx.assignVar(name, value);
    } else {
      destructure(cx, nameNode, value, element, "declare");
    }
  };
  if (Node.isObjectBindingPattern(pattern)) {
    for (const element of pattern.getElements()) {
      const prop = element.getPropertyNameNode();
      if (prop && !Node.isIdentifier(prop) && !Node.isStringLiteral(prop)) throw unsupported(prop, "a computed key in destructuring");
      const name = prop ? (Node.isStringLiteral(prop) ? prop.getLiteralText() : prop.getText()) : element.getName();
      // an optional field may be absent, and then so is its adjoint
      const optional = pattern.getType().getNonNullableType().getProperty(name)?.isOptional() ?? false;
      bind(element, optional ? { kind: "field", name, optional } : { kind: "field", name });
    }
  } else if (Node.isArrayBindingPattern(pattern)) {
    pattern.getElements().forEach((element, i) => bind(element, { kind: "index", index: lit(String(i)) }, i));
  } else {
    throw unsupported(pattern, "this binding pattern");
  }
}

/**
 * `[a, b] = [b, a]`, `[x[i], x[j]] = [x[j], x[i]]`, `({ w, b } = params)`: every value is
 * read before anything is assigned.
 */
export function assignPattern(cx: LowerContext, target: Expression, source: Expression, at: Node): void {
  const pattern = skipTransparent(target);
  const reads: { place: Expression; value: Atom }[] = [];
  const collect = (pattern: Expression, values: (index: number, key: Key, node: Node) => Atom) => {
    if (Node.isArrayLiteralExpression(pattern)) {
      pattern.getElements().forEach((element, i) => {
        if (Node.isOmittedExpression(element)) return;
        if (Node.isSpreadElement(element)) throw unsupported(element, "a rest element in a destructuring assignment");
        reads.push({ place: element, value: values(i, { kind: "index", index: lit(String(i)) }, element) });
      });
    } else if (Node.isObjectLiteralExpression(pattern)) {
      pattern.getProperties().forEach((p, i) => {
        if (Node.isShorthandPropertyAssignment(p)) {
          reads.push({ place: p.getNameNode() as unknown as Expression, value: values(i, { kind: "field", name: p.getName() }, p) });
        } else if (Node.isPropertyAssignment(p) && Node.isIdentifier(p.getNameNode())) {
          reads.push({ place: p.getInitializerOrThrow(), value: values(i, { kind: "field", name: p.getName() }, p) });
        } else {
          throw unsupported(p, "this destructuring assignment", "assign the fields one by one");
        }
      });
    } else {
      throw unsupported(pattern, "this destructuring assignment");
    }
  };
  const literal = skipTransparent(source);
  if (Node.isArrayLiteralExpression(pattern) && Node.isArrayLiteralExpression(literal) && !literal.getElements().some((e) => Node.isSpreadElement(e))) {
    // `[a, b] = [b, a]`: each right-hand value into its own temporary, no array built
    const items = literal.getElements().map((e) => {
      const info = infoAt(e);
      const value = lowerValue(cx, e as Expression);
      const temp = cx.temp(info, typeTextAt(e, info));
      cx.assign(temp, value);
      return v(temp);
    });
    collect(pattern, (i) => items[i] ?? lit("undefined"));
  } else {
    const object = held(cx, atom(cx, source), source);
    collect(pattern, (_i, key, node) => {
      const info = Node.isExpression(node) ? infoAt(node) : numberInfo;
      return atomOf(cx, { kind: "get", object: v(object), key }, info, info.type === "number" ? "number" : node.getType().getText(node));
    });
  }
  for (const { place: p, value } of reads) {
    const inner = skipTransparent(p);
    if (Node.isArrayLiteralExpression(inner) || Node.isObjectLiteralExpression(inner)) {
      throw unsupported(inner, "a nested destructuring assignment", "destructure in two steps");
    }
    write(cx, place(cx, p), value, at);
  }
}
