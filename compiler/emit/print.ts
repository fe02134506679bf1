/**
 * Print: a generated function, IR to TypeScript text, once, at the end.
 *
 * Input: a simplified OutFunction and the names it needs (the runtime namespace, fresh
 * names for its tape locals). Output: TypeScript text (prettier formats it afterwards).
 * Expressions get the parentheses precedence needs and no more; declarations go where
 * declare.ts puts them; the reverse sweep carries an `// adjoint of: <statement>` comment
 * over each block; an entry point that uses the tapes puts them back as they were if the
 * code it runs throws (one try/catch at the entry, none in the hot halves).
 */
import { Code } from "../code";
import { children, numberValue, stmtExprs, stmtReads, walk, type Callee, type Expr, type IrVar, type Key, type OutFunction, type Stmt, type TapeKind } from "../ir/ir";
import type { Names } from "../naming";
import { operatorOf } from "./fold";
import { declarations, type Declarations } from "./declare";

const binary: Record<string, number> = {
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

export interface PrintContext {
  /** the local name of the runtime namespace (`adgen`) */
  runtime: () => string;
  /** names for the function's tape locals; never one the file uses */
  names: Names;
  /** statements mark where they come from in the user's file (`/*@adgen:<offset>*\/`); on unless false */
  markers?: boolean;
  /** a `// <source statement>` comment over each statement's code (the IR stages) */
  sourceComments?: boolean;
  /** a note after each assignment (`// active`), for `inspect --stage activity` */
  annotate?: (name: string) => string;
  /**
   * the project sets `noUncheckedIndexedAccess`: an element read is `a[i]!` (generated code
   * reads only elements that exist), as the user writes it under that flag
   */
  checkedIndexAccess?: boolean;
}

export function printFunction(fn: OutFunction, context: PrintContext): string {
  return new Printer(fn, context).run();
}

class Printer {
  private code = new Code();
  private readonly decls: Declarations;
  private readonly tapes = new Map<TapeKind, string>();
  private origin = -1;
  private reverse = false;

  /** names written with `x = x + e` rather than `x += e` (see `accumulation`) */
  private readonly longChains = new Set<string>();

  constructor(
    private readonly fn: OutFunction,
    private readonly context: PrintContext,
  ) {
    this.decls = declarations(fn);
    // TypeScript follows a chain of `x += e` one level per link, and gives up at 2,000
    // (TS2563); `x = x + e` it does not follow that way. Only very long code makes such chains.
    const counts = new Map<string, number>();
    for (const s of walk(fn.body)) {
      const name = (s.kind === "assign" || s.kind === "store") && s.accumulate ? (s.kind === "assign" ? s.target : s.object) : undefined;
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const [name, count] of counts) if (count > 500) this.longChains.add(name);
  }

  /** `x += e`, or `x = x + e` for a name with a long chain of them; `read` is how the target is read. */
  private accumulation(target: string, sign: "+" | "-", value: Expr, name = target, read = target): string {
    if (!this.longChains.has(name)) return `${read} ${sign}= ${this.expr(value)};`;
    return `${target} = ${read} ${sign} ${this.expr(value, binary[sign] + 1)};`;
  }

  run(): string {
    const { fn } = this;
    const body = (this.code = new Code());
    this.block(fn.body);
    const code = (this.code = new Code());

    // a parameter the body never reads is marked unused, as TypeScript's noUnusedParameters asks
    const read = new Set<string>();
    for (const s of walk(fn.body)) for (const n of stmtReads(s)) read.add(n);
    const params = fn.params.map((p) => {
      const name = read.has(p.name) ? p.name : this.context.names.fresh(`_${p.name}`);
      return `${name}${p.optional ? "?" : ""}: ${p.typeText}${p.initText ? ` = ${p.initText}` : ""}`;
    });
    if (fn.self) params.unshift(`this: ${fn.self}`);
    code.line(`/** ${fn.doc} */`);
    code.block(`${fn.exported ? "export " : ""}function ${fn.name}(${params.join(", ")}): ${fn.returnTypeText}`, () => {
      for (const [kind, name] of this.tapes) code.line(`const ${name} = ${this.context.runtime()}.${kind}Tape;`);
      if (fn.guarded && this.usesTapes()) {
        const mark = this.context.names.fresh("tapes");
        const error = this.context.names.fresh("error");
        code.line(`const ${mark} = ${this.context.runtime()}.tapeMark();`);
        code.block("try", () => code.append(body), `} catch (${error}) {`);
        code.indent(() => {
          code.line(`${this.context.runtime()}.tapeRewind(${mark});`);
          code.line(`throw ${error};`);
        });
        code.line("}");
      } else {
        code.append(body);
      }
    });
    return code.toString();
  }

  /** Whether running this function touches the tapes, itself or through generated halves. */
  private usesTapes(): boolean {
    if (this.tapes.size > 0) return true;
    for (const s of walk(this.fn.body)) {
      for (const e of stmtExprs(s)) {
        const stack = [e];
        while (stack.length) {
          const node = stack.pop()!;
          if (node.kind === "call" && node.callee.kind === "generated") return true;
          stack.push(...children(node));
        }
      }
    }
    return false;
  }

  private tape(kind: TapeKind): string {
    let name = this.tapes.get(kind);
    if (!name) this.tapes.set(kind, (name = this.context.names.fresh(`${kind}Tape`)));
    return name;
  }

  private variable(name: string): IrVar | undefined {
    return this.fn.vars.get(name);
  }

  // ── statements ────────────────────────────────────────────────────────────

  private block(list: readonly Stmt[]): void {
    for (const name of this.decls.hoisted.get(list) ?? []) this.code.line(this.hoistedDeclaration(name));
    for (const s of list) this.statement(s);
  }

  private hoistedDeclaration(name: string): string {
    const variable = this.variable(name);
    const type = variable?.typeText ?? "number";
    if (type === "number") return `let ${name} = 0;`;
    if (type === "boolean") return `let ${name} = false;`;
    return `let ${name}!: ${type};`;
  }

  private comment(s: Stmt): void {
    if (s.origin < 0 || s.origin === this.origin) return;
    this.origin = s.origin;
    const info = this.fn.origins[s.origin];
    const marker = this.context.markers !== false && info ? `/*@adgen:${info.pos.start}*/ ` : "";
    if (this.reverse && info) this.code.line(`${marker}// adjoint of: ${info.text}`);
    else if (this.context.sourceComments && info) this.code.line(`${marker}// ${info.text}`);
    else if (marker) this.code.line(marker.trim());
  }

  private statement(s: Stmt): void {
    if (s.kind === "comment") {
      if (s.text === "reverse sweep") this.reverse = true;
      this.origin = -1;
      this.code.line("");
      this.code.line(`// ${s.text}`);
      return;
    }
    if (s.kind !== "if") this.comment(s);
    const c = this.code;
    switch (s.kind) {
      case "assign": {
        const declared = this.decls.at.get(s);
        const op = s.accumulate ? `${s.accumulate}=` : "=";
        const note = this.context.annotate ? `  // ${this.context.annotate(s.target)}` : "";
        if (declared) {
          const variable = this.variable(s.target);
          const annotate = (declared === "let" && !inferable(variable, s.value)) || needsAnnotation(s.value);
          const type = annotate && variable ? `: ${variable.typeText}` : "";
          c.line(`${declared} ${s.target}${type} = ${this.expr(s.value)};${note}`);
        } else if (s.accumulate) {
          c.line(`${this.accumulation(s.target, s.accumulate, s.value)}${note}`);
        } else {
          c.line(`${s.target} ${op} ${this.expr(s.value)};${note}`);
        }
        return;
      }
      case "store": {
        const place = `${s.object}${this.key(s.key)}`;
        c.line(s.accumulate ? this.accumulation(place, s.accumulate, s.value, s.object, this.element(s.object, s.key)) : `${place} = ${this.expr(s.value)};`);
        return;
      }
      case "push":
        c.line(`${s.object}.push(${this.expr(s.value)});`);
        return;
      case "fill":
        c.line(`${s.object}.fill(${[s.value, ...(s.start ? [s.start] : []), ...(s.end ? [s.end] : [])].map((e) => this.expr(e)).join(", ")});`);
        return;
      case "set":
        c.line(`${s.object}.set(${[s.source, ...(s.offset ? [s.offset] : [])].map((e) => this.expr(e)).join(", ")});`);
        return;
      case "effect":
        c.line(`${this.expr(s.value)};`);
        return;
      case "save":
        c.line(`${this.tape(s.tape)}.push(${this.expr(s.value)});`);
        return;
      case "return":
        c.line(`return ${this.expr(s.value)};`);
        return;
      case "if":
        this.ifStatement(s);
        return;
      case "for": {
        const head = s.step === 1 ? `${s.index} < ${this.expr(s.end, binary["<"] + 1)}; ${s.index}++` : `${s.index} >= ${this.expr(s.end, binary[">="] + 1)}; ${s.index}--`;
        c.block(`for (let ${s.index} = ${this.expr(s.start)}; ${head})`, () => this.block(s.body));
        return;
      }
      case "loop":
        this.loop(s);
        return;
    }
  }

  private ifStatement(s: Extract<Stmt, { kind: "if" }>): void {
    const c = this.code;
    if (s.then.length === 0) {
      c.block(`if (${this.negate(s.cond)})`, () => this.block(s.else));
      return;
    }
    if (s.else.length === 0) {
      c.block(`if (${this.expr(s.cond)})`, () => this.block(s.then));
      return;
    }
    c.block(`if (${this.expr(s.cond)})`, () => this.block(s.then), "} else {");
    c.indent(() => this.block(s.else));
    c.line("}");
  }

  private loop(s: Extract<Stmt, { kind: "loop" }>): void {
    const c = this.code;
    const last = s.body.at(-1);
    const counter = s.cond.kind === "op" && s.cond.op === ">" && s.cond.args[0].kind === "var" ? s.cond.args[0].name : undefined;
    if (s.test.length === 0 && counter && last?.kind === "assign" && last.target === counter && !last.accumulate) {
      // a replay: `for (; trips > 0; trips--)`
      c.block(`for (; ${this.expr(s.cond)}; ${counter}--)`, () => this.block(s.body.slice(0, -1)));
      return;
    }
    if (s.test.length === 0) {
      c.block(`while (${this.expr(s.cond)})`, () => this.block(s.body));
      return;
    }
    c.block("while (true)", () => {
      this.block(s.test);
      c.line(`if (${this.negate(s.cond)}) break;`);
      for (const x of s.body) this.statement(x);
    });
  }

  // ── expressions ───────────────────────────────────────────────────────────

  private negate(e: Expr): string {
    if (e.kind === "op" && e.op === "!" && e.args.length === 1) return this.expr(e.args[0]);
    return `!${this.expr(e, unary)}`;
  }

  private key(key: Key): string {
    if (key.kind === "index") return `[${this.expr(key.index)}]`;
    return identifierPattern.test(key.name) ? `.${key.name}` : `[${JSON.stringify(key.name)}]`;
  }

  /** `object[key]` read: with `!` under `noUncheckedIndexedAccess`. */
  private element(object: string, key: Key): string {
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
        return [`${this.expr(e.object, member)}.pop()!`, member];
      case "restore": {
        const popped = `${this.tape(e.tape)}.pop()`;
        return e.typeText ? [`${popped} as ${e.typeText}`, 1] : [popped, member];
      }
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
        return callee.receiver ? `${this.expr(callee.receiver, member)}.${callee.text}(${args})` : `${callee.text}(${args})`;
      case "generated":
        return callee.receiver ? `${callee.text}.call(${[this.expr(callee.receiver, 2), ...(args ? [args] : [])].join(", ")})` : `${callee.text}(${args})`;
      case "opaque":
        return callee.method ? `${this.expr(callee.fn, member)}.${callee.method}(${args})` : `${this.expr(callee.fn, member)}(${args})`;
      case "runtime":
        return `${this.context.runtime()}.${callee.name}(${args})`;
    }
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

/** A `let` whose type TypeScript infers as declared: a number or boolean from a value of that type. */
function inferable(variable: IrVar | undefined, value: Expr): boolean {
  if (!variable || (variable.typeText !== "number" && variable.typeText !== "boolean")) return false;
  return variable.typeText === "boolean" ? value.kind === "lit" && (value.text === "true" || value.text === "false") : variable.type === "number" || numberValue(value) !== undefined;
}

/** A `const` whose type TypeScript cannot infer from its value alone (`[]`, `new Array(n)`). */
function needsAnnotation(value: Expr): boolean {
  return value.kind === "literal" || (value.kind === "alloc" && value.ctor === "Array" && !value.fill);
}
