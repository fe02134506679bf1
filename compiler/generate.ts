/**
 * Generation: what each transform call and each differentiated call asks for, produced.
 *
 * Input: the session (lowered IR of every differentiable function) and the requests of the
 * transform calls. Output: generated functions added to their target's file, in the order
 * they were first asked for. A call of a `@differentiable` function from generated code asks
 * for the callee's halves (reverse mode) or its tangent function (forward mode) specialised
 * to the call's active arguments, which may ask for more: a work list runs until nothing new
 * is asked. Tangent functions are IR like the user's functions, registered under derived
 * keys, so reverse mode takes them too (`hvp` is reverse over forward); one is printed only
 * where printed code calls it. A generated function is exported only when another file's
 * code refers to it.
 */
import { analyse } from "./ir/activity";
import { GeneratedVars } from "./ir/derivative-context";
import { CarriedParams } from "./ir/carried";
import { type IrFunction, type OutFunction } from "./ir/ir";
import { stmtExprs, walk, walkExpr } from "./ir/traverse";
import type { Purities } from "./ir/purity";
import type { DiffFunction } from "./discover";
import { generatedDoc } from "./emit";
import { printFunction } from "./emit/print";
import { simplify } from "./emit/simplify";
import { nameOf } from "./naming";
import { generateReverse, type ReverseKind } from "./reverse";
import type { Callees } from "./reverse/context";
import { generateTangent } from "./forward";
import type { TangentCallees } from "./forward/context";
import { calledForwardRule } from "./forward/tangents";
import { CompileError, codes, messages } from "./diagnostics";
import { hessianText, jacobianText, jvpText } from "./forward/entries";
import type { Generated, Session } from "./session";
import { vjpText } from "./reverse/vjp";
import { selfRecursionAsLoops } from "./reverse/descent";
import { selfRecursionAsFrames } from "./reverse/frames";

export type RequestKind = ReverseKind | "vjp" | "tangent" | "jvp" | "hessian" | "jacobian";

export interface Request {
  kind: RequestKind;
  target: string;
  wrt: number[];
  many: boolean;
  generated: Generated;
  /** for `split`: the reverse half */
  reverse?: Generated;
  /** for `vjp` and `jacobian`: the adjoint it calls */
  adjoint?: Generated;
  /** for `jvp` and `jacobian`: the tangent function it calls; for `hessian`: the hvp */
  calls?: Generated;
  doc: string;
}

/** A function adgen derives from a user's: its key, its target entry and its name. */
export interface Derived {
  key: string;
  target: DiffFunction;
  generated: Generated;
}

export class Generator {
  private readonly queue: Request[] = [];
  private readonly done: { request: Request; fn?: OutFunction; text: (exported: boolean) => string }[] = [];
  private readonly derived = new Map<string, Derived>();
  /** tangent functions asked to be printed */
  private readonly printed = new Set<string>();
  /** which parameters carry a derivative out of their function (a depth passed down does not) */
  private readonly carried = new CarriedParams((key) => this.session.irs.get(key));

  constructor(
    private readonly session: Session,
    readonly purities: Purities,
  ) {}

  target(key: string): DiffFunction {
    return this.session.targets.get(key)!;
  }

  ir(key: string): IrFunction {
    const ir = this.session.irs.get(key);
    if (!ir) throw new Error(`no IR for ${key}`);
    return ir;
  }

  request(request: Request): void {
    this.queue.push(request);
  }

  /** `_wrt_0_2` when `wrt` is not every differentiable parameter of `key`. */
  private suffix(key: string, wrt: readonly number[]): string {
    const all = this.ir(key).params.flatMap((p, i) => (p.type === "inactive" ? [] : [i]));
    return wrt.length === all.length && wrt.every((w, i) => w === all[i]) ? "" : `_wrt_${wrt.join("_") || "none"}`;
  }

  /** The halves of `key` for `wrt`, named in `key`'s file; asking for them queues them. */
  halves(key: string, wrt: readonly number[]): { forward: Generated; reverse: Generated } {
    const target = this.target(key);
    const suffix = this.suffix(key, wrt);
    const some = suffix ? wrt : undefined;
    const forwardKey = `forward${suffix}`;
    const isNew = !this.session.generated.has(`${key}|${forwardKey}`);
    const forward = this.session.name(target, forwardKey, nameOf.forwardHalf(target.base, some));
    const reverse = this.session.name(target, `reverse${suffix}`, nameOf.reverseHalf(target.base, some));
    if (isNew) this.request({ kind: "split", target: key, wrt: [...wrt], many: true, generated: forward, reverse, doc: "" });
    return { forward, reverse };
  }

  /**
   * A function derived from `key` (its tangent function, or its directional derivative),
   * built once: registered before it is built, so a recursive function's refers to itself.
   */
  private derive(key: string, kind: "tangent" | "directional", wrt: readonly number[], tuple: boolean, build: (derived: Derived) => IrFunction): Derived {
    const suffix = this.suffix(key, wrt);
    const variant = `${kind}${suffix}${tuple ? "_tuple" : ""}`;
    const derivedKey = `${key}#${variant}`;
    const known = this.derived.get(derivedKey);
    if (known) return known;
    const source = this.target(key);
    const target: DiffFunction = { ...source, variant, base: nameOf.derived(source.base, kind) };
    const derived: Derived = { key: derivedKey, target, generated: this.session.name(source, variant, nameOf.derived(source.base, kind, suffix ? wrt : undefined)) };
    this.derived.set(derivedKey, derived);
    this.session.targets.set(derivedKey, target);
    this.session.irs.set(derivedKey, build(derived));
    return derived;
  }

  /** The tangent function of `key` for `wrt`: `f_tangent(...args, ...tangents) → [value, tangent]`. */
  tangentFunction(key: string, wrt: readonly number[]): Derived {
    return this.derive(key, "tangent", wrt, false, (derived) => this.buildTangent(key, derived, wrt, "pair"));
  }

  /** The directional derivative of `key` along `v` for `wrt`: `f_directional(...args, v) → ∇f·v`. */
  directionalFunction(key: string, wrt: readonly number[], many: boolean): Derived {
    return this.derive(key, "directional", wrt, many && wrt.length === 1, (derived) => this.buildTangent(key, derived, wrt, "directional", many));
  }

  private buildTangent(key: string, derived: Derived, wrt: readonly number[], kind: "pair" | "directional", many = false): IrFunction {
    const target = this.target(key);
    const output = this.session.output(target.file);
    const inputs = { fn: this.ir(key), rules: this.session.rules, names: output.names, callees: this.tangentCallees(target) };
    return generateTangent(inputs, { kind, key: derived.key, name: derived.generated.name, wrt, many });
  }

  /** How the tangent code generated for `from` calls other functions' tangent functions. */
  private tangentCallees(from: DiffFunction): TangentCallees {
    return {
      tangent: (key, wrt) => {
        const tangent = this.tangentFunction(key, wrt);
        return { key: tangent.key, name: this.session.reference(from.file, tangent.target, tangent.generated, from.decl) };
      },
    };
  }

  /** How the code generated for `from` calls other functions' halves. */
  callees(from: DiffFunction): Callees {
    return {
      halves: (key, wrt) => {
        const { forward, reverse } = this.halves(key, wrt);
        const target = this.target(key);
        return {
          forward: this.session.reference(from.file, target, forward, from.decl),
          reverse: this.session.reference(from.file, target, reverse, from.decl),
        };
      },
      signature: (key) => {
        const ir = this.ir(key);
        return { params: ir.params.map((p) => p.shape), result: ir.result.shape };
      },
      carries: this.carried.carries,
      purity: this.purities.pure,
    };
  }

  /** Generates one request's functions (IR, simplified). */
  build(request: Request, options: { raw?: boolean | "plan" } = {}): OutFunction[] {
    const ir = this.ir(request.target);
    const target = this.target(request.target);
    if (target.variant) refuseCalledForwardRules(ir);
    const activity = analyse(ir, request.wrt.map((i) => ir.params[i].name), this.carried.carries);
    const output = this.session.output(target.file);
    return generateReverse(
      { fn: ir, activity, rules: this.session.rules, names: output.names, callees: this.callees(target), runtime: () => output.runtimeNamespace(), raw: options.raw },
      {
        kind: request.kind === "vjp" ? "adjoint" : (request.kind as ReverseKind),
        name: request.generated.name,
        reverseName: request.reverse?.name,
        wrt: request.wrt,
        many: request.many,
        exported: false,
        doc: request.doc,
      },
    );
  }

  /**
   * A tangent function as printable code (simplified), from a copy of its IR, which reverse mode may read too (hvp);
   * one that calls itself runs its recursion as loops, as the halves of reverse mode do, its levels on the runtime's
   * level stacks, under a tape mark of its own (so one that throws leaves them as it found them).
   */
  tangentCode(key: string, name: string, doc: string): OutFunction {
    const ir = this.ir(key);
    const code = { vars: new Map(ir.vars), body: structuredClone(ir.body) };
    const fn: OutFunction = { name, doc, exported: false, ...(ir.self ? { self: ir.self } : {}), params: ir.params, returnTypeText: ir.result.typeText, ...code, origins: ir.origins };
    const output = this.session.output(this.target(key).file);
    const cx = Object.assign(new GeneratedVars(fn.vars, output.names, "generated"), { runtime: () => output.runtimeNamespace() });
    let looped = selfRecursionAsLoops(cx, fn);
    if (looped === fn) looped = selfRecursionAsFrames(cx, fn);
    return simplify(looped === fn ? fn : { ...looped, guarded: true }, this.purities.pure);
  }

  /** Runs the work list to the end, then prints the tangent functions printed code calls. */
  run(): void {
    while (this.queue.length) {
      while (this.queue.length) this.generate(this.queue.shift()!);
      for (const { fn } of this.done) if (fn) this.printCalledTangents(fn);
    }
  }

  private generate(request: Request): void {
    const target = this.target(request.target);
    this.session.guard(target.decl, () => {
      const output = this.session.output(target.file);
      const entry = (doc = request.doc) => ({ name: request.generated.name, doc, exported: false, runtime: () => output.runtimeNamespace(), names: output.names.child() });
      const text = (make: (exported: boolean) => string) => this.done.push({ request, text: make });
      const ir = this.ir(request.target);
      switch (request.kind) {
        case "vjp":
          return text((exported) => vjpText(ir, { ...request, doc: generatedDoc(request.doc, exported) }, exported, output.names.child(), () => output.runtimeNamespace()));
        case "jvp":
          return text((exported) => jvpText(ir, { ...entry(generatedDoc(request.doc, exported)), exported }, request.calls!.name, request.wrt));
        case "hessian":
          return text((exported) => hessianText(ir, { ...entry(generatedDoc(request.doc, exported)), exported }, request.calls!.name, request.wrt, request.many));
        case "jacobian":
          return text((exported) => jacobianText(ir, { ...entry(generatedDoc(request.doc, exported)), exported }, request.calls!.name, request.adjoint!.name, request.wrt, request.many));
        case "tangent": {
          const fn = this.tangentCode(request.target, request.generated.name, request.doc);
          this.done.push({ request, fn, text: (exported) => printFunction({ ...fn, exported, doc: generatedDoc(fn.doc, exported) }, this.session.printContext(target.file)) });
          return;
        }
      }
      const functions = this.build(request);
      const generated = [request.generated, ...(request.reverse ? [request.reverse] : [])];
      functions.forEach((fn, i) => {
        this.done.push({ request: { ...request, generated: generated[i] }, fn, text: (exported) => printFunction({ ...fn, exported, doc: generatedDoc(fn.doc, exported) }, this.session.printContext(target.file)) });
      });
    });
  }

  /** Asks for every tangent function `fn` calls to be printed (once): wherever the call sits, an effect when its value is unused. */
  private printCalledTangents(fn: OutFunction): void {
    for (const s of walk(fn.body)) {
      for (const e of stmtExprs(s).flatMap((root) => [...walkExpr(root)])) {
        if (e.kind === "call" && e.callee.kind === "differentiable" && e.callee.standalone) this.printTangent(e.callee.target);
      }
    }
  }

  /** Queues the printing of a tangent function (by its derived key), once. */
  printTangent(key: string): Generated {
    const derived = this.derived.get(key)!;
    if (!this.printed.has(key)) {
      this.printed.add(key);
      const doc = `Tangent of \`${derived.target.name}\`: its value and the tangent of its result, given the tangents of its arguments (forward mode).`;
      this.request({ kind: "tangent", target: key, wrt: [], many: false, generated: derived.generated, doc });
    }
    return derived.generated;
  }

  /** Adds every generated function to its file, exported where another file uses it. */
  emit(): void {
    for (const { request, text } of this.done) {
      const target = this.target(request.target);
      this.session.output(target.file).addFunction(text(request.generated.usedFrom.size > 0));
    }
  }
}

/** Reverse mode over tangent code (hvp) differentiates its forward rules: one called at run time has no derivative. */
function refuseCalledForwardRules(ir: IrFunction): void {
  for (const s of walk(ir.body)) {
    for (const e of stmtExprs(s)) {
      if (e.kind === "call" && e.callee.kind === "runtime" && e.callee.name === calledForwardRule) {
        const name = e.args[0]?.kind === "lit" ? e.args[0].text : "the callee";
        throw new CompileError(codes.noForwardRule, messages.calledForwardRule(name), ir.origins[s.origin]?.pos);
      }
    }
  }
}
