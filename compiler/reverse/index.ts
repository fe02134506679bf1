/**
 * Reverse mode: an IR function to a generated TypeScript function that runs a forward
 * sweep (the primal, keeping what the reverse sweep needs) and then a reverse sweep (one
 * adjoint block per primal statement, in reverse order; a loop replayed backwards as many
 * times as it ran; an `if` testing its saved condition again).
 *
 * Input: the IR, its activity, the rules and what to generate (a function's reusable
 * adjoint, or a `grad`/`valueAndGrad` specialised to its `wrt`). Output: TypeScript text.
 * Invariants: adjoint code only for active variables; see plan.ts for what is saved.
 */
import type { Activity } from "../analyse";
import { Code } from "../code";
import { atomText, keyText, mapAtoms, simpleText, valueText, walk, type Atom, type IrFunction, type Stmt, type Value } from "../ir";
import { Names, adjointName } from "../naming";
import type { Rule } from "../rules";
import { stmtAdjoint, type Contribution, type StmtAdjoint } from "./assign";
import { identifiers, plan, type Plan } from "./plan";

/**
 * `adjoint`: the reusable adjoint (cotangents of every parameter, given the result's);
 * `grad`/`valueAndGrad`: specialised to their `wrt`; `split`: the adjoint in two halves, a
 * forward function (`name`) and a reverse one (`reverseName`) that calls use.
 */
export type AdjointKind = "adjoint" | "grad" | "valueAndGrad" | "split";

export interface AdjointSpec {
  kind: AdjointKind;
  /** the generated function's name */
  name: string;
  /** parameter indices differentiated (all differentiable ones for "adjoint") */
  wrt: number[];
  /** `wrt` was given as an array, so the gradient is a tuple */
  many: boolean;
  exported: boolean;
  /** a doc line for the generated function */
  doc: string;
  /** for `split`: the reverse half's name */
  reverseName?: string;
}

/** The type text of a parameter's cotangent. */
export function tangentTypeText(fn: IrFunction, index: number): string {
  return fn.params[index].tangentText;
}

/** Names of the runtime pieces generated code uses. */
export interface RuntimeRef {
  /** the local name of `import * as … from "adgen"` */
  namespace: () => string;
}

export function generateAdjoint(
  fn: IrFunction,
  activity: Activity,
  spec: AdjointSpec,
  rules: ReadonlyMap<string, Rule>,
  reserved: Iterable<string>,
  runtime: RuntimeRef,
): string {
  return new ReverseGenerator(fn, activity, spec, rules, reserved, runtime).run();
}

class ReverseGenerator {
  private readonly names: Names;
  private readonly bars = new Map<string, string>();
  /** adjoint name → its primal (the inverse of `bars`) */
  private readonly primals = new Map<string, string>();
  private readonly plan: Plan;
  private readonly code = new Code();
  private readonly tapes = new Map<"number" | "boolean" | "reference", string>();
  private readonly tripNames = new Map<Stmt, string>();
  private readonly oldNames = new Map<Stmt, string>();
  /** a hoisted `x_old` slot → the variable whose value it keeps */
  private readonly savedFor = new Map<string, string>();
  private readonly declaredDirect = new Set<string>();
  /** contributions left out by `accumulation` */
  private readonly skipped = new Set<Contribution>();
  private readonly hoisted = new Set<string>();
  private origin = -1;
  /** the adjoint function's parameter for the result's cotangent */
  private readonly seedParam?: string;

  constructor(
    private readonly fn: IrFunction,
    private readonly activity: Activity,
    private readonly spec: AdjointSpec,
    rules: ReadonlyMap<string, Rule>,
    reserved: Iterable<string>,
    private readonly runtime: RuntimeRef,
  ) {
    this.names = new Names(reserved);
    for (const name of fn.vars.keys()) this.names.reserve(name);
    if (spec.kind === "adjoint" || spec.kind === "split") this.seedParam = this.names.fresh("result_bar");
    const ctx = {
      isActive: activity.isActive,
      isReference: (name: string) => this.isReference(name),
      bar: (name: string) => this.bar(name),
      rules,
      get runtime() {
        return runtime.namespace();
      },
    };
    const adjoints = new Map<Stmt, StmtAdjoint>();
    for (const s of walk(fn.body)) adjoints.set(s, stmtAdjoint(s, ctx));
    this.plan = plan(fn, activity, adjoints, spec.kind === "valueAndGrad" || spec.kind === "split", (name) => this.bar(name));
  }

  private bar(name: string): string {
    let found = this.bars.get(name);
    if (!found) {
      this.bars.set(name, (found = adjointName(this.names, name)));
      this.primals.set(found, name);
    }
    return found;
  }

  private isReference(name: string): boolean {
    return this.fn.vars.get(name)?.type === "reference";
  }

  private get adgen(): string {
    return this.runtime.namespace();
  }

  private tape(kind: "number" | "boolean" | "reference"): string {
    let name = this.tapes.get(kind);
    if (!name) this.tapes.set(kind, (name = this.names.fresh(`${kind}Tape`)));
    return name;
  }

  /**
   * How a generated local is kept: the tape that carries it, the cast back from that tape,
   * and its hoisted declaration. Covers user variables, temporaries, shadows (`x_bar`),
   * `x_old` slots and trip counters.
   */
  private slot(name: string): { tape: "number" | "boolean" | "reference"; cast: string; declaration: string } {
    const shadowOf = this.primals.get(name);
    if (shadowOf) {
      const type = this.fn.vars.get(shadowOf)?.tangentText ?? "unknown";
      return { tape: "reference", cast: ` as ${type}`, declaration: `let ${name}!: ${type};` };
    }
    const variable = this.fn.vars.get(this.savedFor.get(name) ?? name);
    if (!variable || variable.type === "number" || variable.typeText === "number") return { tape: "number", cast: "", declaration: `let ${name} = 0;` };
    if (variable.typeText === "boolean") return { tape: "boolean", cast: "", declaration: `let ${name} = false;` };
    return { tape: "reference", cast: ` as ${variable.typeText}`, declaration: `let ${name}!: ${variable.typeText};` };
  }

  /** The parameter list: `this` for methods, the function's own, and the seed if asked. */
  private parameters(withSeed = true): string[] {
    const { fn } = this;
    const params = fn.params.map((p) => `${p.name}: ${p.typeText}`);
    if (fn.self) params.unshift(`this: ${fn.self}`);
    if (withSeed && this.seedParam) params.push(`${this.seedParam}: ${fn.resultTangentText}`);
    return params;
  }

  /** A parameter's gradient: its adjoint, `0` or zeros when the result ignores it, `null` when inactive. */
  private gradientOf(p: IrFunction["params"][number]): string {
    if (p.type === "inactive") return "null";
    if (this.activity.isActive(p.name)) return this.bar(p.name);
    return p.type === "number" ? "0" : `${this.adgen}.zerosLike(${p.name})`;
  }

  /** `let x_bar = 0;` for the number adjoints that accumulate (of `also` too). */
  private accumulators(also: string[] = []): string[] {
    return [...new Set([...also, ...this.fn.vars.keys()])]
      .filter((name) => this.activity.isActive(name) && !this.isReference(name) && !this.plan.direct.has(name))
      .map((name) => `let ${this.bar(name)} = 0;`);
  }

  run(): string {
    if (this.spec.kind === "split") return this.runSplit();
    const { fn, spec } = this;
    const params = this.parameters();
    const gradients = spec.wrt.map((i) => tangentTypeText(fn, i));
    const gradientType = spec.many ? `[${gradients.join(", ")}]` : gradients[0];
    const returnType =
      spec.kind === "adjoint"
        ? `[${fn.params.map((_, i) => tangentTypeText(fn, i)).join(", ")}]`
        : spec.kind === "valueAndGrad"
          ? `[${fn.resultTypeText}, ${gradientType}]`
          : gradientType;

    // Emit the sweeps first (they decide which tapes and hoisted names exist), then wrap.
    const forward = new Code();
    const reverse = new Code();
    this.emitForward(forward);
    const ret = fn.body.at(-1) as Extract<Stmt, { kind: "return" }>;
    let value = atomText(ret.value);
    const resultSaved = ret.value.kind === "var" && [...this.plan.saves.keys()].some((s) => s.kind === "assign" && s.target === (ret.value as { name: string }).name);
    if (spec.kind === "valueAndGrad" && resultSaved) {
      const captured = this.names.fresh("value");
      forward.line(`const ${captured} = ${value};`);
      value = captured;
    }
    this.emitReverse(reverse, this.seedParam ?? "1");

    const grads = spec.wrt.map((i) => this.gradientOf(fn.params[i]));
    const gradient = spec.many ? `[${grads.join(", ")}]` : grads[0];

    const code = this.code;
    code.line(`/** ${spec.doc} */`);
    code.block(`${spec.exported ? "export " : ""}function ${spec.name}(${params.join(", ")}): ${returnType}`, () => {
      code.line("// forward sweep");
      for (const [kind, name] of this.tapes) code.line(`const ${name} = ${this.adgen}.${kind}Tape;`);
      for (const name of this.hoisted) code.line(this.slot(name).declaration);
      code.append(forward);
      code.line("");
      code.line("// reverse sweep");
      for (const line of this.accumulators(spec.wrt.map((i) => fn.params[i].name))) code.line(line);
      code.append(reverse);
      if (spec.kind === "adjoint") code.line(`return [${fn.params.map((p) => this.gradientOf(p)).join(", ")}];`);
      else if (spec.kind === "valueAndGrad") code.line(`return [${value}, ${gradient}];`);
      else code.line(`return ${gradient};`);
    });
    return code.toString();
  }

  /**
   * The two halves calls use: `f_forward` runs the forward sweep and then pushes what the
   * reverse sweep reads of its locals; `f_reverse` pops them and runs the reverse sweep.
   * Between the two, the caller's own work pushes and pops in balance, so the tapes line up.
   */
  private runSplit(): string {
    const { fn, spec } = this;
    const forward = new Code();
    const reverse = new Code();
    this.emitForward(forward);
    this.emitReverse(reverse, this.seedParam!);
    const ret = fn.body.at(-1) as Extract<Stmt, { kind: "return" }>;

    // The forward half's locals the reverse half reads cross over on the tapes.
    const declared = new Set(this.hoisted);
    for (const line of forward.toString().split("\n")) {
      const match = /^(?:const|let) ([A-Za-z_$][\w$]*)/.exec(line);
      if (match) declared.add(match[1]);
    }
    const tapeNames = new Set(this.tapes.values());
    const used = new Set(identifiers(reverse.toString()));
    const stored = [...declared].filter((name) => used.has(name) && !tapeNames.has(name)).map((name) => ({ name, ...this.slot(name) }));

    const tapesIn = (text: string) => [...this.tapes].filter(([, name]) => new RegExp(`\\b${name}\\b`).test(text));
    const code = this.code;
    const forwardBody = new Code();
    for (const name of this.hoisted) forwardBody.line(this.slot(name).declaration);
    forwardBody.append(forward);
    if (stored.length) forwardBody.line("// what the reverse half reads");
    for (const { name, tape } of stored) forwardBody.line(`${this.tape(tape)}.push(${name});`);
    forwardBody.line(`return ${atomText(ret.value)};`);
    const exported = spec.exported ? "export " : "";
    code.line(`/** Forward half of \`${fn.name}\` for its callers: its value, with what \`${spec.reverseName}\` needs left on the tapes. */`);
    code.block(`${exported}function ${spec.name}(${this.parameters(false).join(", ")}): ${fn.resultTypeText}`, () => {
      for (const [kind, name] of tapesIn(forwardBody.toString())) code.line(`const ${name} = ${this.adgen}.${kind}Tape;`);
      code.append(forwardBody);
    });
    code.line("");
    const reverseBody = new Code();
    for (const { name, tape, cast } of [...stored].reverse()) reverseBody.line(`let ${name} = ${this.tape(tape)}.pop()${cast};`);
    for (const line of this.accumulators()) reverseBody.line(line);
    reverseBody.append(reverse);
    reverseBody.line(`return [${fn.params.map((p) => this.gradientOf(p)).join(", ")}];`);
    code.line(`/** Reverse half of \`${fn.name}\`: the cotangents of its parameters, after \`${spec.name}\` ran with the same arguments. */`);
    const returnType = `[${fn.params.map((p) => p.tangentText).join(", ")}]`;
    code.block(`${exported}function ${spec.reverseName}(${this.parameters().join(", ")}): ${returnType}`, () => {
      for (const [kind, name] of tapesIn(reverseBody.toString())) code.line(`const ${name} = ${this.adgen}.${kind}Tape;`);
      code.append(reverseBody);
    });
    return code.toString();
  }

  // ── forward sweep ─────────────────────────────────────────────────────────

  /** `const `/`let ` where a variable is first assigned at the top level; others are hoisted. */
  private declaration(s: Extract<Stmt, { kind: "assign" }>, declared: Set<string>): string {
    const name = s.target;
    if (declared.has(name) || this.fn.vars.get(name)?.role === "param") return "";
    declared.add(name);
    if (!this.plan.topLevel.has(s)) {
      this.hoisted.add(name);
      return "";
    }
    const restored = [...this.plan.saves.keys()].some((x) => x.kind === "assign" && x.target === name);
    return this.plan.assignments.get(name) === 1 && !restored ? "const " : "let ";
  }

  private emitForward(code: Code): void {
    const declared = new Set<string>();
    const block = (body: readonly Stmt[]) => {
      for (const s of body) {
        if (!this.plan.kept.has(s)) continue;
        this.saveBefore(s, code);
        switch (s.kind) {
          case "assign": {
            const keyword = this.declaration(s, declared);
            const variable = this.fn.vars.get(s.target)!;
            // `let` gets its declared type (a branch may assign another); `const m: number[][] = []`
            // needs its type; other constants are inferred
            const annotate = keyword === "let " || (keyword === "const " && s.value.kind === "literal" && variable.role !== "temp");
            const annotation = annotate ? `: ${variable.typeText}` : "";
            code.line(`${keyword}${s.target}${annotation} = ${this.forwardValueText(s)};`);
            if (this.activity.isActive(s.target) && this.isReference(s.target)) this.bindShadow(s.target, s.value, code, keyword);
            break;
          }
          case "store":
            code.line(simpleText(s));
            if (this.activity.isActive(s.object) && this.isVarReference(s.value)) {
              code.line(`${this.bar(s.object)}${keyText(s.key)} = ${this.shadowOf(s.value)};`);
            }
            break;
          case "push":
            code.line(simpleText(s));
            if (this.activity.isActive(s.object)) code.line(`${this.bar(s.object)}.push(${this.isVarReference(s.value) ? this.shadowOf(s.value) : "0"});`);
            break;
          case "if":
            this.emitIfHead(code, s.cond, s.then.some((x) => this.plan.kept.has(x)), () => block(s.then), () => block(s.else), s.else.some((x) => this.plan.kept.has(x)));
            break;
          case "loop": {
            const trips = this.plan.trips.get(s);
            let counter: string | undefined;
            if (trips) {
              counter = this.names.numbered("trips");
              this.tripNames.set(s, counter);
              if (trips === "tape") {
                this.hoisted.add(counter);
                code.line(`${this.tape("number")}.push(${counter});`);
                code.line(`${counter} = 0;`);
              } else if (this.plan.topLevel.has(s)) {
                code.line(`let ${counter} = 0;`);
              } else {
                this.hoisted.add(counter);
                code.line(`${counter} = 0;`);
              }
            }
            const inline = this.inlineCondition(s);
            code.block(`while (${inline ?? "true"})`, () => {
              if (inline === undefined) {
                block(s.test);
                code.line(`if (!${atomText(s.cond)}) break;`);
              }
              block(s.body);
              if (counter) code.line(`${counter}++;`);
            });
            break;
          }
          case "return":
            break;
        }
      }
    };
    // Parameters' shadows first: the gradient accumulates into them.
    for (const p of this.fn.params) {
      if (p.type === "reference" && this.activity.isActive(p.name)) code.line(`const ${this.bar(p.name)} = ${this.adgen}.zerosLike(${p.name});`);
    }
    block(this.fn.body);
  }

  private emitIfHead(code: Code, cond: Atom, hasThen: boolean, then: () => void, otherwise: () => void, hasElse: boolean): void {
    const c = atomText(cond);
    if (!hasThen && hasElse) {
      code.block(`if (!${c})`, otherwise);
      return;
    }
    if (!hasElse) {
      code.block(`if (${c})`, then);
      return;
    }
    code.block(`if (${c})`, then, "} else {");
    code.indent(otherwise);
    code.line("}");
  }

  /** A loop test of single-use inactive temporaries, as one expression (`i < n`). */
  private inlineCondition(loop: Extract<Stmt, { kind: "loop" }>): string | undefined {
    const defs = new Map<string, Value>();
    for (const s of loop.test) {
      if (!this.plan.kept.has(s)) continue;
      if (s.kind !== "assign" || this.fn.vars.get(s.target)?.role !== "temp" || this.plan.reads.has(s.target) || this.plan.saves.has(s)) return undefined;
      if (this.plan.assignments.get(s.target) !== 1 || this.activity.isActive(s.target)) return undefined;
      defs.set(s.target, s.value);
    }
    const expand = (a: Atom): string => {
      if (a.kind === "lit" || !defs.has(a.name)) return atomText(a);
      const value = defs.get(a.name)!;
      defs.delete(a.name);
      return valueText(mapAtoms(value, (x) => ({ kind: "lit", text: parenthesize(expand(x)) })));
    };
    const text = expand(loop.cond);
    return defs.size === 0 ? text : undefined;
  }

  /** A call whose reverse sweep runs goes to the callee's forward half, which tapes for it. */
  private forwardValueText(s: Extract<Stmt, { kind: "assign" }>): string {
    const adjoint = this.plan.adjoints.get(s);
    if (s.value.kind !== "call" || adjoint?.kind !== "call" || !adjoint.call.receivers.some(Boolean)) return valueText(s.value);
    const args = s.value.args.map(atomText);
    const { forward } = s.value.split;
    return s.value.receiver ? `${forward}.call(${[s.value.receiver, ...args].join(", ")})` : `${forward}(${args.join(", ")})`;
  }

  /** The shadow of an array or object, bound beside it: zeros of its shape, or an alias. */
  private bindShadow(name: string, value: Value, code: Code, keyword: string): void {
    const shadow = this.bar(name);
    let text: string;
    switch (value.kind) {
      case "copy":
        text = this.shadowOf(value.arg);
        break;
      case "get":
        text = this.activity.isActive(value.object) ? `${this.bar(value.object)}${valueText(value).slice(value.object.length)}` : `${this.adgen}.zerosLike(${name})`;
        break;
      case "alloc":
        text = valueText(value);
        break;
      case "clone":
        text = `${this.adgen}.zerosLike(${name})`;
        break;
      case "literal":
        text = valueText({
          ...value,
          items: value.items.map((i) => ({ key: i.key, value: { kind: "lit", text: this.isVarReference(i.value) ? this.shadowOf(i.value) : "0" } })),
        });
        break;
      default:
        text = `${this.adgen}.zerosLike(${name})`;
    }
    if (keyword === "") {
      code.line(`${shadow} = ${text};`);
      if (this.hoisted.has(name)) this.hoisted.add(shadow);
    } else {
      const variable = this.fn.vars.get(name)!;
      const annotation = variable.role !== "temp" && variable.tangentText ? `: ${variable.tangentText}` : "";
      code.line(`${keyword === "const " ? "const" : "let"} ${shadow}${annotation} = ${text};`);
    }
  }

  private shadowOf(a: Atom): string {
    return a.kind === "var" && this.activity.isActive(a.name) ? this.bar(a.name) : `${this.adgen}.zerosLike(${atomText(a)})`;
  }

  private isVarReference(a: Atom): boolean {
    return a.kind === "var" && this.isReference(a.name);
  }

  /** Before a statement that overwrites a value the reverse sweep reads: keep the old one. */
  private saveBefore(s: Stmt, code: Code): void {
    if (this.plan.shadowSaves.has(s) && s.kind === "assign") code.line(`${this.tape("reference")}.push(${this.bar(s.target)});`);
    const how = this.plan.saves.get(s);
    if (!how) return;
    if (s.kind !== "assign" && s.kind !== "store") return;
    const old = s.kind === "assign" ? s.target : `${s.object}${keyText(s.key)}`;
    if (how === "local") {
      const name = this.names.fresh(`${s.kind === "assign" ? s.target : s.object}_old`);
      this.oldNames.set(s, name);
      if (s.kind === "assign") this.savedFor.set(name, s.target);
      if (this.plan.topLevel.has(s)) {
        code.line(`const ${name} = ${old};`);
      } else {
        // in a branch: the slot is declared up front, so the reverse sweep sees it
        this.hoisted.add(name);
        code.line(`${name} = ${old};`);
      }
    } else {
      code.line(`${s.kind === "assign" ? this.tape(this.slot(s.target).tape) : this.tape("number")}.push(${old});`);
    }
  }

  /** After a statement's adjoint: put back what `saveBefore` kept. */
  private restoreAfter(s: Stmt, code: Code): void {
    const step = this.plan.steps.get(s);
    if (step && s.kind === "assign" && this.plan.reads.has(s.target)) {
      code.line(step === "- 1" ? `${s.target}--;` : step === "+ 1" ? `${s.target}++;` : `${s.target} ${step[0]}= ${step.slice(2)};`);
    }
    const how = this.plan.saves.get(s);
    if (how && s.kind === "assign") {
      const { tape, cast } = this.slot(s.target);
      code.line(`${s.target} = ${how === "local" ? this.oldNames.get(s) : `${this.tape(tape)}.pop()${cast}`};`);
    } else if (how && s.kind === "store") {
      code.line(`${s.object}${keyText(s.key)} = ${how === "local" ? this.oldNames.get(s) : `${this.tape("number")}.pop()`};`);
    } else if (how && s.kind === "push") {
      code.line(`${s.object}.pop();`);
    }
    if (this.plan.shadowSaves.has(s) && s.kind === "assign") {
      code.line(`${this.bar(s.target)} = ${this.tape("reference")}.pop() as ${this.fn.vars.get(s.target)!.tangentText};`);
    }
  }

  // ── reverse sweep ─────────────────────────────────────────────────────────

  private emitReverse(code: Code, seed: string): void {
    const block = (body: readonly Stmt[]) => {
      // a block may be replayed twice (a loop test): its direct adjoints are declared anew
      for (const s of body) if (s.kind === "assign") this.declaredDirect.delete(s.target);
      for (let i = body.length - 1; i >= 0; i--) {
        const s = body[i];
        switch (s.kind) {
          case "return":
            if (s.value.kind === "var" && this.activity.isActive(s.value.name)) {
              this.comment(code, s.origin);
              if (this.isReference(s.value.name)) code.line(`${this.adgen}.addTo(${this.bar(s.value.name)}, ${seed});`);
              else this.add(code, { to: { kind: "var", name: s.value.name }, text: seed, negated: false });
            }
            break;
          case "if":
            if (!this.plan.reversed.has(s)) break;
            this.emitIfHead(code, s.cond, s.then.some((x) => this.hasReverse(x)), () => block(s.then), () => block(s.else), s.else.some((x) => this.hasReverse(x)));
            break;
          case "loop": {
            if (!this.plan.reversed.has(s)) break;
            const counter = this.tripNames.get(s)!;
            this.comment(code, s.origin);
            block(s.test);
            code.block(`for (; ${counter} > 0; ${counter}--)`, () => {
              block(s.body);
              block(s.test);
            });
            if (this.plan.trips.get(s) === "tape") code.line(`${counter} = ${this.tape("number")}.pop();`);
            break;
          }
          default:
            this.emitAdjoint(code, s, body[i - 1]);
        }
      }
    };
    block(this.fn.body);
  }

  private hasReverse(s: Stmt): boolean {
    if (s.kind === "if" || s.kind === "loop") return this.plan.reversed.has(s);
    if (this.plan.saves.has(s) || this.plan.shadowSaves.has(s) || this.plan.zeroes.has(s)) return true;
    if (s.kind === "assign" && this.plan.steps.has(s) && this.plan.reads.has(s.target)) return true;
    if (s.kind === "return") return s.value.kind === "var" && this.activity.isActive(s.value.name);
    const a = this.plan.adjoints.get(s);
    return !!a && (a.kind === "call" ? a.call.receivers.some(Boolean) : a.contributions.length > 0 || (a.after?.length ?? 0) > 0);
  }

  private comment(code: Code, origin: number): void {
    if (origin === this.origin) return;
    this.origin = origin;
    code.line(`/*@adgen:${this.fn.origins[origin].pos.start}*/`);
    code.line(`// adjoint of: ${this.fn.origins[origin].text}`);
  }

  /**
   * `x = t` right after `t = x + …` (how `x += …` lowers): the overwrite would reset x̄ and
   * the sum's rule add it back unchanged, so both are left out and x̄ stays as it is.
   */
  private accumulation(s: Stmt, before: Stmt | undefined): Contribution | undefined {
    if (s.kind !== "assign" || s.value.kind !== "copy" || s.value.arg.kind !== "var" || !this.plan.zeroes.has(s)) return undefined;
    const t = s.value.arg.name;
    if (before?.kind !== "assign" || before.target !== t || !this.plan.direct.has(t)) return undefined;
    const adjoint = this.plan.adjoints.get(before);
    if (adjoint?.kind !== "contributions") return undefined;
    const own = adjoint.contributions.filter((c) => c.to.kind === "var" && c.to.name === s.target);
    return own.length === 1 && own[0].text === this.bar(t) && !own[0].negated ? own[0] : undefined;
  }

  private emitAdjoint(code: Code, s: Stmt, before?: Stmt): void {
    const adjoint = this.plan.adjoints.get(s);
    const accumulation = this.accumulation(s, before);
    if (accumulation) this.skipped.add(accumulation);
    const target = s.kind === "assign" ? s.target : undefined;
    const direct = target !== undefined && this.plan.direct.has(target);
    // a direct temporary whose reader contributed nothing has no adjoint to pass on
    const live = adjoint && (!direct || this.declaredDirect.has(target!));
    if ((live && this.hasReverse(s)) || this.plan.saves.has(s) || this.plan.shadowSaves.has(s)) this.comment(code, s.origin);
    // reads of unchanging arrays, redone rather than saved
    for (const d of this.plan.recompute.get(s) ?? []) code.line(`${d.target} = ${valueText(d.value)};`);
    if (live && adjoint) {
      if (adjoint.kind === "contributions") {
        for (const c of adjoint.contributions) if (!this.skipped.has(c)) this.add(code, c);
        for (const line of adjoint.after ?? []) code.line(line);
      } else {
        this.emitCall(code, adjoint.call);
      }
      if (this.plan.zeroes.has(s) && !accumulation) code.line(`${this.bar(target!)} = 0;`);
    }
    this.restoreAfter(s, code);
  }

  private add(code: Code, c: Contribution): void {
    if (c.to.kind === "element") {
      const line = `${c.to.text} ${c.negated ? "-=" : "+="} ${c.text};`;
      code.line(c.to.optional ? `if (${c.to.text} !== undefined) ${line}` : line);
      return;
    }
    const target = c.to.name;
    if (this.plan.direct.has(target) && !this.declaredDirect.has(target)) {
      this.declaredDirect.add(target);
      code.line(`const ${this.bar(target)} = ${c.negated ? `-${parenthesize(c.text)}` : c.text};`);
    } else {
      code.line(`${this.bar(target)} ${c.negated ? "-=" : "+="} ${c.text};`);
    }
  }

  /** `const [a_bar, t1_bar] = g_adjoint(a, t1, y_bar)`, adding into adjoints that accumulate. */
  private emitCall(code: Code, call: Extract<StmtAdjoint, { kind: "call" }>["call"]): void {
    if (call.receivers.every((to) => !to)) return;
    const later: [string, string, boolean][] = [];
    const pattern = call.receivers.map((to, i) => {
      if (!to) return "";
      if (this.plan.direct.has(to) && !this.declaredDirect.has(to)) {
        this.declaredDirect.add(to);
        return this.bar(to);
      }
      const part = this.names.fresh(`${this.bar(to)}_part`);
      later.push([to, part, call.references[i]]);
      return part;
    });
    const args = [...(call.self ? [call.self] : []), ...call.args.map(atomText), call.seed].join(", ");
    while (pattern.length && pattern.at(-1) === "") pattern.pop();
    code.line(`const [${pattern.join(", ")}] = ${call.reverse}${call.self ? ".call" : ""}(${args});`);
    for (const [to, part, reference] of later) {
      if (reference) code.line(`${this.adgen}.addTo(${this.bar(to)}, ${part});`);
      else this.add(code, { to: { kind: "var", name: to }, text: part, negated: false });
    }
  }
}

/** A name, number or member access as is; anything else in parentheses. */
function parenthesize(text: string): string {
  return /^[\w$.]+$/.test(text) ? text : `(${text})`;
}
