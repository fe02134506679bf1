/**
 * Print: a generated function, IR to TypeScript text, once, at the end.
 *
 * Input: a simplified OutFunction and the names it needs (the runtime namespace, fresh
 * names for its tape locals). Output: TypeScript text (prettier formats it afterwards).
 * Expressions are printed by print-expr.ts; declarations go where
 * declare.ts puts them; the reverse sweep carries an `// adjoint of: <statement>` comment
 * over each block; an entry point that uses the tapes puts them back as they were if the
 * code it runs throws (one try/catch at the entry, none in the hot halves).
 */
import { inPlaceNote } from "../reverse/inplace";
import { levelStackNames } from "../reverse/levels";
import { Code } from "../code";
import { numberValue, parameterText, type Expr, type IrVar, type OutFunction, type Stmt } from "../ir/ir";
import { children, stmtExprs, stmtReads, walk } from "../ir/traverse";
import { nameOf, type Names } from "../naming";
import { ExpressionPrinter, binary } from "./print-expr";
import { declarations, initialValue, type Declarations } from "./declare";
import { TapeLocals, callsUsingTapes, reservations, tapesUsed, tripsBound, type Room } from "./tapes";


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
  private readonly tapes: TapeLocals;
  private readonly exprs: ExpressionPrinter;
  private origin = -1;
  private reverse = false;
  /** within a loop that reserved room for every push of its iterations */
  private reserved = false;
  /** whether the level stacks a function names at its top level are kept in locals (TapeLocals) */
  private readonly levelsInLocals: boolean;
  /** the first of each run of pushes on one stack in the blocks printed so far, with the run's length */
  private readonly levelRoom = new Map<Stmt, number>();

  /** names written with `x = x + e` rather than `x += e` (see `accumulation`) */
  private readonly longChains = new Set<string>();

  constructor(
    private readonly fn: OutFunction,
    private readonly context: PrintContext,
  ) {
    this.decls = declarations(fn);
    // the tape locals and the like are new names in the function's scope
    for (const name of [...fn.vars.keys(), ...fn.params.map((p) => p.name)]) context.names.reserve(name);
    const used = tapesUsed(fn);
    this.tapes = new TapeLocals(context.names, context.runtime, used.kinds, used.inLoop, context.checkedIndexAccess);
    this.levelsInLocals = !used.headCalls;
    this.exprs = new ExpressionPrinter(context, this.tapes);
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
    if (!this.longChains.has(name)) return `${read} ${sign}= ${this.exprs.expr(value)};`;
    return `${target} = ${read} ${sign} ${this.exprs.expr(value, binary[sign] + 1)};`;
  }

  run(): string {
    const { fn } = this;
    const body = (this.code = new Code());
    this.block(fn.body);
    const code = (this.code = new Code());

    // a parameter the body never reads is marked unused, as TypeScript's noUnusedParameters asks
    const read = new Set<string>();
    for (const s of walk(fn.body)) for (const n of stmtReads(s)) read.add(n);
    const params = fn.params.map((p, k) => {
      const name = read.has(p.name) ? p.name : this.context.names.fresh(nameOf.unused(p.name));
      return parameterText({ ...p, name }, fn.params.slice(k + 1).some((later) => !later.optional && !later.initText));
    });
    if (fn.self) params.unshift(`this: ${fn.self}`);
    code.line(`/** ${fn.doc} */`);
    code.block(`${fn.exported ? "export " : ""}function ${fn.name}(${params.join(", ")}): ${fn.returnTypeText}`, () => {
      for (const line of this.tapes.header()) code.line(line);
      if (fn.guarded && this.usesTapes()) {
        const mark = this.context.names.fresh(nameOf.tapeMark);
        const error = this.context.names.fresh(nameOf.caught);
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

  /** Whether running this function touches the tapes (the level stacks included), itself or through generated halves. */
  private usesTapes(): boolean {
    if (this.tapes.size > 0) return true;
    for (const s of walk(this.fn.body)) {
      for (const e of stmtExprs(s)) {
        const stack = [e];
        while (stack.length) {
          const node = stack.pop()!;
          if (node.kind === "call" && node.callee.kind === "generated") return true;
          if (node.kind === "call" && node.callee.kind === "runtime" && (levelStackNames as readonly string[]).includes(node.callee.name)) return true;
          stack.push(...children(node));
        }
      }
    }
    return false;
  }

  private variable(name: string): IrVar | undefined {
    return this.fn.vars.get(name);
  }

  // ── statements ────────────────────────────────────────────────────────────

  private block(list: readonly Stmt[]): void {
    for (const name of this.decls.hoisted.get(list) ?? []) this.code.line(this.hoistedDeclaration(name));
    for (const [push, room] of levelRuns(list, (s) => this.callsOut(s))) this.levelRoom.set(push, room);
    // inside a loop that reserved room for all its iterations' pushes, nothing is checked again
    const { room, covered } = this.reserved ? { room: new Map(), covered: new Set<Stmt>() } : reservations(list, (s) => this.callsOut(s));
    // a loop reversed in place has reverse code in its body (after its note), and forward code after it
    const reverse = this.reverse;
    for (const s of list) {
      for (const [kind, count] of room.get(s) ?? []) for (const line of this.tapes.reserve(kind, this.roomText(count))) this.code.line(line);
      const reserved = this.reserved;
      this.reserved ||= covered.has(s);
      this.statement(s);
      this.reserved = reserved;
    }
    if (list !== this.fn.body && list.some((s) => s.kind === "comment" && s.text.startsWith(inPlaceNote))) this.reverse = reverse;
    // the function's end: the tapes' tops go back to the runtime
    if (list === this.fn.body && list.at(-1)?.kind !== "return") for (const line of this.tapes.syncOut()) this.code.line(line);
  }

  /** A number of pushes, or the text of at most as many pushes as all iterations of a loop make. */
  private roomText(room: Room): number | string {
    if (typeof room === "number") return room;
    const trips = tripsBound(room.loop);
    return room.perIteration === 1 ? this.exprs.expr(trips, binary["+"] + 1) : `${room.perIteration} * ${this.exprs.expr(trips, binary["*"] + 1)}`;
  }

  /** Whether a statement's own expressions call something that may push or pop (nested statements not included). */
  private callsOut(s: Stmt): boolean {
    return this.tapes.synced && stmtExprs(s).some((e) => callsUsingTapes(e));
  }

  private hoistedDeclaration(name: string): string {
    const variable = this.variable(name);
    const type = variable?.typeText ?? "number";
    const initial = initialValue(type);
    return initial ? `let ${name} = ${initial};` : `let ${name}!: ${type};`;
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
      if (s.text === "reverse sweep" || s.text.startsWith(inPlaceNote)) this.reverse = true;
      this.origin = -1;
      this.code.line("");
      this.code.line(`// ${s.text}`);
      return;
    }
    if (s.kind !== "if") this.comment(s);
    const c = this.code;
    const sync = this.callsOut(s) || s.kind === "return";
    if (sync && (s.kind === "if" || s.kind === "for" || s.kind === "loop")) throw new Error("print: a branch or loop head calls code that may use the tapes");
    if (sync) for (const line of this.tapes.syncOut()) c.line(line);
    this.simple(s);
    if (sync && s.kind !== "return") for (const line of this.tapes.syncIn()) c.line(line);
    const level = this.levelStackNamed(s);
    if (level) for (const line of this.tapes.addLevel(s.kind === "assign" ? s.target : "", level === "levelFlagStack")) c.line(line);
  }

  /**
   * The runtime's level stack a statement of the function's top level names (`levelTape = adgen.levelStack()`), when
   * the function keeps it in locals: every later statement is in their scope.
   */
  private levelStackNamed(s: Stmt): string | undefined {
    if (!this.levelsInLocals || s.kind !== "assign" || s.value.kind !== "call" || s.value.callee.kind !== "runtime" || !this.fn.body.includes(s)) return undefined;
    const name = s.value.callee.name;
    return (levelStackNames as readonly string[]).includes(name) ? name : undefined;
  }

  private simple(s: Exclude<Stmt, { kind: "comment" }>): void {
    const c = this.code;
    switch (s.kind) {
      case "assign": {
        const declared = this.decls.at.get(s);
        const op = s.accumulate ? `${s.accumulate}=` : "=";
        const text = this.fn.notes ? this.fn.notes.get(s.target) : this.context.annotate?.(s.target);
        const note = text !== undefined ? `  // ${text}` : "";
        if (declared) {
          const variable = this.variable(s.target);
          const annotate = (declared === "let" && !inferable(variable, s.value)) || needsAnnotation(s.value);
          const type = annotate && variable ? `: ${variable.typeText}` : "";
          c.line(`${declared} ${s.target}${type} = ${this.exprs.expr(s.value)};${note}`);
        } else if (s.accumulate) {
          c.line(`${this.accumulation(s.target, s.accumulate, s.value)}${note}`);
        } else {
          c.line(`${s.target} ${op} ${this.exprs.expr(s.value)};${note}`);
        }
        return;
      }
      case "store": {
        const place = `${s.object}${this.exprs.key(s.key)}`;
        c.line(s.accumulate ? this.accumulation(place, s.accumulate, s.value, s.object, this.exprs.element(s.object, s.key)) : `${place} = ${this.exprs.expr(s.value)};`);
        return;
      }
      case "push":
        // a value that calls out runs before the store: `levels[levelTop++] = f()` would store past what f left
        if (this.tapes.isLevel(s.object) && !this.callsOut(s)) for (const line of this.tapes.pushLevel(s.object, this.exprs.expr(s.value), this.levelRoom.get(s))) c.line(line);
        else c.line(`${s.object}.push(${this.exprs.expr(s.value)});`);
        return;
      case "fill":
        c.line(`${s.object}.fill(${[s.value, ...(s.start ? [s.start] : []), ...(s.end ? [s.end] : [])].map((e) => this.exprs.expr(e)).join(", ")});`);
        return;
      case "set":
        c.line(`${s.object}.set(${[s.source, ...(s.offset ? [s.offset] : [])].map((e) => this.exprs.expr(e)).join(", ")});`);
        return;
      case "effect":
        c.line(`${this.exprs.expr(s.value)};`);
        return;
      case "save":
        c.line(this.tapes.push(s.tape, this.exprs.expr(s.value, s.tape === "boolean" ? 3 : 0)));
        return;
      case "return":
        c.line(`return ${this.exprs.expr(s.value)};`);
        return;
      case "if":
        this.ifStatement(s);
        return;
      case "for": {
        const head = s.step === 1 ? `${s.index} < ${this.exprs.expr(s.end, binary["<"] + 1)}; ${s.index}++` : `${s.index} >= ${this.exprs.expr(s.end, binary[">="] + 1)}; ${s.index}--`;
        c.block(`for (let ${s.index} = ${this.exprs.expr(s.start)}; ${head})`, () => this.block(s.body));
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
      c.block(`if (${this.exprs.negate(s.cond)})`, () => this.block(s.else));
      return;
    }
    if (s.else.length === 0) {
      c.block(`if (${this.exprs.expr(s.cond)})`, () => this.block(s.then));
      return;
    }
    c.block(`if (${this.exprs.expr(s.cond)})`, () => this.block(s.then), "} else {");
    c.indent(() => this.block(s.else));
    c.line("}");
  }

  private loop(s: Extract<Stmt, { kind: "loop" }>): void {
    const c = this.code;
    const last = s.body.at(-1);
    const counter = s.cond.kind === "op" && s.cond.op === ">" && s.cond.args[0].kind === "var" ? s.cond.args[0].name : undefined;
    if (s.test.length === 0 && counter && last?.kind === "assign" && last.target === counter && !last.accumulate) {
      // a replay: `for (; trips > 0; trips--)`
      c.block(`for (; ${this.exprs.expr(s.cond)}; ${counter}--)`, () => this.block(s.body.slice(0, -1)));
      return;
    }
    if (s.test.length === 0) {
      c.block(`while (${this.exprs.expr(s.cond)})`, () => this.block(s.body));
      return;
    }
    c.block("while (true)", () => {
      this.block(s.test);
      c.line(`if (${this.exprs.negate(s.cond)}) break;`);
      this.block(s.body);
    });
  }

  // ── expressions ───────────────────────────────────────────────────────────

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

/**
 * Each run of consecutive pushes on the same stack in `list`: its first push, and how many it makes. A push whose
 * value calls code that may use the stacks is in no run: it pushes with the stack's own method, between syncs.
 */
function levelRuns(list: readonly Stmt[], callsOut: (s: Stmt) => boolean): Map<Stmt, number> {
  const runs = new Map<Stmt, number>();
  let first: Extract<Stmt, { kind: "push" }> | undefined;
  for (const s of list) {
    if (s.kind === "push" && callsOut(s)) first = undefined;
    else if (s.kind === "push" && first?.object === s.object) runs.set(first, runs.get(first)! + 1);
    else if (s.kind === "push") runs.set((first = s), 1);
    else first = undefined;
  }
  return runs;
}
