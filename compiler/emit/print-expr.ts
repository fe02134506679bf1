/**
 * Print, expressions: IR expressions as TypeScript text with the parentheses precedence
 * needs and no more; element reads as the project reads them (`a[i]!` under
 * `noUncheckedIndexedAccess`), tape reads through the function's tape locals, calls of
 * runtime helpers through the runtime namespace.
 */
import { type Callee, type Expr, type Key } from "../ir/ir";
import { operatorOf } from "./fold";
import type { PrintContext } from "./print";
import type { TapeLocals } from "./tapes";

export const binary: Record<string, number> = {
  "**": 13,
  "*": 12,
  "/": 12,
  "%": 12,
  "+": 11,
  "-": 11,
  "<<": 10,
  ">>": 10,
  ">>>": 10,
  "<": 9,
  "<=": 9,
  ">": 9,
  ">=": 9,
  in: 9,
  instanceof: 9,
  "==": 8,
  "!=": 8,
  "===": 8,
  "!==": 8,
  "&": 7,
  "^": 6,
  "|": 5,
  "&&": 4,
  "||": 3,
  "??": 3,
};
const member = 17;
const unary = 14;

const identifierPattern = /^[A-Za-z_$][\w$]*$/;

export class ExpressionPrinter {
  constructor(
    private readonly context: PrintContext,
    private readonly tapes: TapeLocals,
  ) {}

  negate(e: Expr): string {
    if (e.kind === "op" && e.op === "!" && e.args.length === 1) return this.expr(e.args[0]);
    return `!${this.expr(e, unary)}`;
  }

  key(key: Key): string {
    if (key.kind === "index") return `[${this.expr(key.index)}]`;
    return identifierPattern.test(key.name) ? `.${key.name}` : `[${JSON.stringify(key.name)}]`;
  }

  /** `object[key]` read: with `!` under `noUncheckedIndexedAccess`. */
  element(object: string, key: Key): string {
    return `${object}${this.key(key)}${key.kind === "index" && this.context.checkedIndexAccess ? "!" : ""}`;
  }

  /** An expression, parenthesised if its precedence is below `context`. */
  expr(e: Expr, context = 0): string {
    const [text, precedence] = this.render(e);
    return precedence < context ? `(${text})` : text;
  }

  private render(e: Expr): [string, number] {
    switch (e.kind) {
      case "var":
        return [e.name, 20];
      case "lit":
        return [e.text, e.text.startsWith("-") ? unary : 20];
      case "get":
        return [this.element(this.expr(e.object, member), e.key), member];
      case "length":
        return [`${this.expr(e.object, member)}.length`, member];
      case "alloc":
        return [this.alloc(e), member];
      case "clone": {
        const range = [e.start, e.end].filter((x): x is Expr => !!x).map((x) => this.expr(x)).join(", ");
        if (e.ctor === "slice") return [`${this.expr(e.object, member)}.slice(${range})`, member];
        return [`${e.ctor}.from(${this.expr(e.object)})`, member];
      }
      case "view": {
        const range = [e.start, e.end].filter((x): x is Expr => !!x).map((x) => this.expr(x)).join(", ");
        return [`${this.expr(e.object, member)}.subarray(${range})`, member];
      }
      case "literal": {
        if (e.shape === "array") return [`[${e.items.map((i) => this.expr(i.value, 2)).join(", ")}]`, 20];
        return [`{ ${e.items.map((i) => `${identifierPattern.test(i.key) ? i.key : JSON.stringify(i.key)}: ${this.expr(i.value, 2)}`).join(", ")} }`, 20];
      }
      case "pop":
        if (e.object.kind === "var" && this.tapes.isLevel(e.object.name)) return this.tapes.popLevel(e.object.name, member);
        return [`${this.expr(e.object, member)}.pop()!`, member];
      case "restore":
        return this.tapes.pop(e.tape, e.typeText, member);
      case "call":
        return this.call(e);
      case "op":
        return this.op(e);
    }
  }

  private alloc(e: Extract<Expr, { kind: "alloc" }>): string {
    const length = this.expr(e.length);
    if (e.ctor !== "Array") {
      const zero = !e.fill || (e.fill.kind === "lit" && e.fill.text === "0");
      return zero ? `new ${e.ctor}(${length})` : `new ${e.ctor}(${length}).fill(${this.expr(e.fill!)})`;
    }
    return e.fill ? `new Array<number>(${length}).fill(${this.expr(e.fill)})` : `new Array(${length})`;
  }

  private call(e: Extract<Expr, { kind: "call" }>): [string, number] {
    const o = operatorOf(e);
    if (o) return this.operator(o.token, o.args);
    const args = e.args.map((a, i) => (e.spread && i === e.args.length - 1 ? `...${this.expr(a, 2)}` : this.expr(a, 2))).join(", ");
    return [`${this.callee(e.callee, args)}`, member];
  }

  private callee(callee: Callee, args: string): string {
    switch (callee.kind) {
      case "rule":
        return `${callee.text}(${args})`;
      case "differentiable":
        if (callee.receiver && !callee.standalone) return `${this.expr(callee.receiver, member)}.${callee.text}(${args})`;
        return this.generatedCall(callee.text, callee.receiver, args);
      case "generated":
        return this.generatedCall(callee.text, callee.receiver, args);
      case "opaque":
        return callee.method ? `${this.expr(callee.fn, member)}.${callee.method}(${args})` : `${this.expr(callee.fn, member)}(${args})`;
      case "runtime":
        return `${this.context.runtime()}.${callee.name}(${args})`;
    }
  }

  /** `f(args)`, or `f.call(receiver, args)` for a generated function of a method. */
  private generatedCall(text: string, receiver: Expr | undefined, args: string): string {
    return receiver ? `${text}.call(${[this.expr(receiver, 2), ...(args ? [args] : [])].join(", ")})` : `${text}(${args})`;
  }

  private op(e: Extract<Expr, { kind: "op" }>): [string, number] {
    switch (e.op) {
      case "nonnull":
        return [`${this.expr(e.args[0], member)}!`, 16];
      case "stopGradient":
        return this.render(e.args[0]);
      case "template": {
        let text = "`";
        e.args.forEach((a, i) => (text += i % 2 === 0 ? (a as { text: string }).text : `\${${this.expr(a)}}`));
        return [`${text}\``, 20];
      }
      case "?:":
        return [`${this.expr(e.args[0], 3)} ? ${this.expr(e.args[1], 2)} : ${this.expr(e.args[2], 2)}`, 2];
      default:
        return this.operator(e.op, e.args);
    }
  }

  private operator(token: string, args: Expr[]): [string, number] {
    if (args.length === 1) {
      const operand = this.expr(args[0], unary);
      const spaced = token === "typeof" || ((token === "-" || token === "+") && operand.startsWith(token));
      return [`${token}${spaced ? " " : ""}${operand}`, unary];
    }
    const precedence = binary[token] ?? 0;
    if (token === "**") return [`${this.expr(args[0], precedence + 2)} ** ${this.expr(args[1], precedence)}`, precedence];
    const mixes = (e: Expr) => token === "??" || ((token === "&&" || token === "||") && (e.kind === "op" && e.op === "??"));
    const left = this.expr(args[0], mixes(args[0]) ? 20 : precedence);
    const right = this.expr(args[1], mixes(args[1]) ? 20 : precedence + 1);
    return [`${left} ${token} ${right}`, precedence];
  }
}
