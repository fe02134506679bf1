/**
 * Flat code: one line of generated TypeScript read, and printed again as prettier prints
 * it when it fits on the line.
 *
 * Input: a line's tokens (expressions, types, parameter lists). Output: their text with
 * prettier's parentheses and spacing (`(a * b) / c`, `-(-x)`, `{ a: 1 }`, `[x: number]`).
 * Invariant: anything outside this small grammar, or that prettier might print otherwise
 * even when it fits (a member chain of three calls, an array of arrays, a literal it would
 * respell), throws `Unsettled`: the caller then leaves the code to prettier (settled.ts).
 */
export type Node =
  | { k: "leaf"; text: string }
  | { k: "unary"; op: string; arg: Node }
  | { k: "update"; text: string }
  | { k: "binary"; op: string; left: Node; right: Node }
  | { k: "cond"; test: Node; then: Node; else: Node }
  | { k: "postfix"; object: Node; text: string; calls: number }
  | { k: "arrow"; params: string; body: Node };

/** The binary operators read here, by precedence (bitwise, shift, `??`, `in` and `instanceof` are left to prettier). */
const precedence = new Map(Object.entries({
  "**": 13, "*": 12, "/": 12, "%": 12, "+": 11, "-": 11, "<": 9, "<=": 9, ">": 9, ">=": 9,
  "==": 8, "!=": 8, "===": 8, "!==": 8, "&&": 4, "||": 3,
}));
const logical = new Set(["&&", "||"]);
const multiplicative = new Set(["*", "/", "%"]);
const equality = new Set(["==", "!=", "===", "!=="]);
const keywords = new Set(["true", "false", "null", "undefined", "this"]);
const reserved = new Set(
  "new typeof void delete in instanceof function class async await yield let const var return if else for while do switch case break continue throw try catch finally import export super as satisfies of default with debugger enum readonly".split(" "),
);
const typeKeywords = new Set("number boolean string void undefined null unknown any never bigint object this".split(" "));
export const assignments = new Set(["=", "+=", "-=", "*=", "/=", "%=", "**="]);
/** A number literal prettier leaves as it is: no capitals, signs, redundant zeros or dots. */
const canonicalNumber = /^(?:0|[1-9]\d*)(?:\.\d*[1-9])?(?:e-?[1-9]\d*)?$/;
const token = /\s*(?:([A-Za-z_$][\w$]*)|(\d(?:e-|[\w.])*)|("[\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]*")|(\.\.\.|=>|\*\*=|===|!==|\*\*|\+\+|--|[+\-*/%=!<>]=|&&|\|\||\?\?|[{}()[\];,.:?!<>+\-*/%=|]))/y;

export class Unsettled extends Error {}

export const fail = (): never => {
  throw new Unsettled();
};

/** One line's tokens and a cursor over them; any unknown character leaves the line to prettier. */
export class Tokens {
  private readonly list: string[] = [];
  private at = 0;

  constructor(text: string) {
    token.lastIndex = 0;
    while (token.lastIndex < text.length) {
      const match = token.exec(text) ?? fail();
      if (match[2] !== undefined && !canonicalNumber.test(match[2])) fail();
      this.list.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
    }
  }

  peek = (ahead = 0): string | undefined => this.list[this.at + ahead];
  next = (): string => this.list[this.at++] ?? fail();
  eat = (text: string): boolean => this.peek() === text && ++this.at > 0;
  expect = (text: string): void => void (this.eat(text) || fail());
  get done(): boolean {
    return this.at === this.list.length;
  }

  /** A name a value or type may have: no keyword. */
  name(): string {
    const name = this.next();
    return isName(name) ? name : fail();
  }
}

const isWord = (text: string) => /^[A-Za-z_$]/.test(text);
const isName = (text: string) => isWord(text) && !reserved.has(text) && !keywords.has(text);

// ── expressions ───────────────────────────────────────────────────────────

export function expression(t: Tokens): Node {
  const test = binary(t, 0);
  if (!t.eat("?")) return test;
  const then = expression(t);
  t.expect(":");
  return { k: "cond", test, then, else: expression(t) };
}

function binary(t: Tokens, min: number): Node {
  let left = unary(t);
  for (;;) {
    const op = t.peek();
    const level = precedence.get(op ?? "");
    if (level === undefined || level < min) return left;
    t.next();
    // `**` groups to the right, the others to the left
    left = { k: "binary", op: op!, left, right: binary(t, op === "**" ? level : level + 1) };
  }
}

export function unary(t: Tokens): Node {
  const op = t.peek();
  if (op === "-" || op === "+" || op === "!" || op === "typeof" || op === "void") {
    t.next();
    return { k: "unary", op: op!, arg: unary(t) };
  }
  if (op === "++" || op === "--") {
    t.next();
    return { k: "update", text: `${op}${t.name()}` };
  }
  const operand = postfix(t);
  const update = operand.k === "leaf" && isName(operand.text) && (t.peek() === "++" || t.peek() === "--");
  return update ? { k: "update", text: operand.text + t.next() } : operand;
}

/** A primary and its member reads, element reads, calls and `!`s: printed flat, with at most two calls (more may break). */
function postfix(t: Tokens): Node {
  let node = primary(t);
  let calls = node.k === "postfix" ? node.calls : 0;
  // what a member read or call applies to: parenthesised unless it is a primary, a call or a read itself
  const object = (n: Node) => (n.k === "leaf" || n.k === "postfix" ? n.text : `(${printBare(n)})`);
  for (;;) {
    if (t.eat(".")) node = { k: "postfix", object: node, text: `${object(node)}.${word(t)}`, calls };
    else if (t.eat("[")) node = { k: "postfix", object: node, text: `${object(node)}[${print(expression(t))}${closing(t, "]")}`, calls };
    else if (t.peek() === "(") node = { k: "postfix", object: node, text: `${object(node)}${argumentList(t)}`, calls: ++calls };
    else if (t.peek() === "!" && t.peek(1) !== "=") node = { k: "postfix", object: node, text: `${object(node)}${t.next()}`, calls };
    else break;
    // `(1).toFixed()`, `({}).x`: left to prettier
    if (calls > 2 || (node.object.k === "leaf" && /^[\d{]/.test(node.object.text))) fail();
  }
  return node;
}

/** `text`, which must come next. */
export function closing(t: Tokens, text: string): string {
  t.expect(text);
  return text;
}

/** A property name after `.`: any identifier, keywords included. */
function word(t: Tokens): string {
  const name = t.next();
  return isWord(name) ? name : fail();
}

function primary(t: Tokens): Node {
  const first = t.next();
  if (first === "(") {
    // an arrow function, or parentheses, which are dropped and put back where prettier puts them
    const arrow = arrowParameters(t);
    if (arrow !== undefined) {
      // a body in braces is a block, not an object
      const body = t.peek() === "{" ? fail() : expression(t);
      if (body.k === "arrow") fail();
      return { k: "arrow", params: arrow, body };
    }
    const inner = expression(t);
    t.expect(")");
    return inner;
  }
  if (first === "[") {
    const items = list(t, "]", element);
    // arrays of arrays or of objects: prettier breaks them even when they fit
    if (items.length > 1 && items.every((item) => item.startsWith("[") || item.startsWith("{"))) fail();
    return { k: "leaf", text: `[${items.join(", ")}]` };
  }
  if (first === "{") {
    const props = list(t, "}", (t) => `${t.name()}${closing(t, ":")} ${print(expression(t))}`);
    return { k: "leaf", text: props.length ? `{ ${props.join(", ")} }` : "{}" };
  }
  if (first === "new") {
    const callee = [t.name()];
    while (t.eat(".")) callee.push(word(t));
    const typeArgs = t.eat("<") ? `<${list(t, ">", type).join(", ")}>` : "";
    if (t.peek() !== "(") fail();
    return { k: "postfix", object: { k: "leaf", text: callee.join(".") }, text: `new ${callee.join(".")}${typeArgs}${argumentList(t)}`, calls: 1 };
  }
  return first.startsWith('"') || canonicalNumber.test(first) || keywords.has(first) || isName(first) ? { k: "leaf", text: first } : fail();
}

function element(t: Tokens): string {
  return t.eat("...") ? `...${print(unary(t), "item")}` : print(expression(t), "item");
}

function argumentList(t: Tokens): string {
  t.expect("(");
  return `(${list(t, ")", element).join(", ")})`;
}

/** Items up to `end`, separated by commas (no trailing comma: prettier drops it when flat). */
function list(t: Tokens, end: string, item: (t: Tokens) => string): string[] {
  const items: string[] = [];
  if (t.eat(end)) return items;
  do items.push(item(t));
  while (t.eat(","));
  t.expect(end);
  return items;
}

/** After `(`: an arrow function's typed parameters and `) =>`, or undefined (the cursor back) when it is not one. */
function arrowParameters(t: Tokens): string | undefined {
  let depth = 0;
  for (let k = 0; ; k++) {
    const next = t.peek(k);
    if (next === undefined) return undefined;
    if (next === "(") depth++;
    else if (next === ")" && depth-- === 0) {
      if (t.peek(k + 1) !== "=>") return undefined;
      break;
    }
  }
  const params = parameters(t);
  t.expect("=>");
  return `(${params}) =>`;
}

/** Parameters up to `)`: a rest parameter only last. */
export function parameters(t: Tokens): string {
  const params = list(t, ")", parameter);
  return params.slice(0, -1).some((p) => p.startsWith("...")) ? fail() : params.join(", ");
}

/** A parameter: `name: T`, `name?: T`, `name: T = value`, `...name: T`, `this: T`. */
function parameter(t: Tokens): string {
  const rest = t.eat("...") ? "..." : "";
  const name = t.peek() === "this" ? t.next() : t.name();
  const optional = t.eat("?") ? "?" : "";
  t.expect(":");
  const annotation = type(t);
  const initial = t.eat("=") ? ` = ${print(expression(t), "item")}` : "";
  return rest && (optional || initial) ? fail() : `${rest}${name}${optional}: ${annotation}${initial}`;
}

/** A type: names (with type arguments), arrays, tuples, `readonly`, unions of those, function types. */
export function type(t: Tokens): string {
  if (t.peek() === "(") {
    t.next();
    const params = parameters(t);
    t.expect("=>");
    return `(${params}) => ${type(t)}`;
  }
  const members = [arrayType(t)];
  while (t.eat("|")) members.push(arrayType(t));
  return members.join(" | ");
}

function arrayType(t: Tokens): string {
  if (t.eat("readonly")) return `readonly ${arrayType(t)}`;
  let text: string;
  if (t.eat("[")) text = `[${list(t, "]", (t) => `${t.peek(1) === ":" ? `${t.name()}${closing(t, ":")} ` : ""}${type(t)}`).join(", ")}]`;
  else if (t.eat("{")) {
    const members: string[] = [];
    while (!t.eat("}")) {
      members.push(`${t.name()}${closing(t, ":")} ${type(t)}`);
      if (t.peek() !== "}") t.expect(";");
    }
    text = members.length ? `{ ${members.join("; ")} }` : "{}";
  }
  else {
    const first = t.next();
    if (!typeKeywords.has(first) && !isName(first)) fail();
    text = first;
    while (t.eat(".")) text += `.${t.name()}`;
    if (t.eat("<")) text += `<${list(t, ">", type).join(", ")}>`;
  }
  while (t.peek() === "[" && t.peek(1) === "]") text += `${t.next()}${t.next()}`;
  return text;
}

// ── printing as prettier does, flat ───────────────────────────────────────

type Place = "item" | "left" | "right" | "unary" | "test" | "then" | "else" | "body";

/** A node as prettier prints it where `place` puts it, parenthesised where prettier parenthesises. */
export function print(node: Node, place: Place = "item", parent?: string): string {
  const text = printBare(node);
  return needsParentheses(node, place, parent) ? `(${text})` : text;
}

function printBare(node: Node): string {
  switch (node.k) {
    case "leaf":
    case "update":
    case "postfix":
      return node.text;
    case "unary":
      return `${node.op}${/^[a-z]/.test(node.op) ? " " : ""}${print(node.arg, "unary", node.op)}`;
    case "binary":
      return `${print(node.left, "left", node.op)} ${node.op} ${print(node.right, "right", node.op)}`;
    case "cond":
      return `${print(node.test, "test")} ? ${print(node.then, "then")} : ${print(node.else, "else")}`;
    case "arrow":
      return `${node.params} ${print(node.body, "body")}`;
  }
}

function needsParentheses(node: Node, place: Place, parent?: string): boolean {
  if (node.k === "arrow") return place !== "item" ? fail() : false;
  if (node.k === "cond") return place !== "item" && place !== "else";
  if (place === "unary") {
    // `-(-x)`: prettier keeps a sign apart from the same sign
    if (node.k === "unary") return node.op === parent && (parent === "-" || parent === "+");
    return node.k === "binary";
  }
  if (node.k === "unary" || node.k === "update") return place === "left" && parent === "**";
  if (node.k !== "binary" || (place !== "left" && place !== "right")) return false;
  const outer = precedence.get(parent!)!;
  const inner = precedence.get(node.op)!;
  if (logical.has(parent!) && logical.has(node.op)) return node.op !== parent || place === "right";
  if (inner < outer) return true;
  if (inner === outer) return place === "right" || !flattens(parent!, node.op);
  return node.op === "%" && (parent === "+" || parent === "-");
}

/** prettier's `shouldFlatten`: `a op b op2 c` printed without parentheses. */
function flattens(outer: string, inner: string): boolean {
  if (outer === "**") return false;
  if (equality.has(outer) && equality.has(inner)) return false;
  if ((inner === "%" && multiplicative.has(outer)) || (outer === "%" && multiplicative.has(inner))) return false;
  return !(inner !== outer && multiplicative.has(inner) && multiplicative.has(outer));
}
