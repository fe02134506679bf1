/**
 * Generation: what each transform call and each differentiated call asks for, produced.
 *
 * Input: the session (lowered IR of every differentiable function) and the requests of the
 * transform calls. Output: generated functions added to their target's file, in the order
 * they were first asked for. A call of a `@differentiable` function from generated code asks
 * for the callee's halves specialised to the call's active arguments, which may ask for
 * more: a work list runs until nothing new is asked. A generated function is exported only
 * when another file's code refers to it.
 */
import { analyse } from "./ir/activity";
import type { IrFunction, OutFunction } from "./ir/ir";
import type { Purities } from "./ir/purity";
import type { DiffFunction } from "./discover";
import { printFunction } from "./emit/print";
import { generateReverse, type ReverseKind } from "./reverse";
import type { Callees } from "./reverse/context";
import type { Generated, Session } from "./session";
import { vjpText } from "./reverse/vjp";

export interface Request {
  kind: ReverseKind | "vjp";
  target: string;
  wrt: number[];
  many: boolean;
  generated: Generated;
  /** for `split`: the reverse half */
  reverse?: Generated;
  /** for `vjp`: the adjoint it calls */
  adjoint?: Generated;
  doc: string;
}

export class Generator {
  private readonly queue: Request[] = [];
  private readonly done: { request: Request; text: (exported: boolean) => string }[] = [];

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

  /** The halves of `key` for `wrt`, named in `key`'s file; asking for them queues them. */
  halves(key: string, wrt: readonly number[]): { forward: Generated; reverse: Generated } {
    const target = this.target(key);
    const ir = this.ir(key);
    const all = ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i]));
    const suffix = wrt.length === all.length && wrt.every((w, i) => w === all[i]) ? "" : `_wrt_${wrt.join("_") || "none"}`;
    const forwardKey = `forward${suffix}`;
    const isNew = !this.session.generated.has(`${key}|${forwardKey}`);
    const forward = this.session.name(target, forwardKey, `${target.base}_forward${suffix}`);
    const reverse = this.session.name(target, `reverse${suffix}`, `${target.base}_reverse${suffix}`);
    if (isNew) this.request({ kind: "split", target: key, wrt: [...wrt], many: true, generated: forward, reverse, doc: "" });
    return { forward, reverse };
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
      purity: this.purities.pure,
    };
  }

  /** Generates one request's functions (IR, simplified). */
  build(request: Request, options: { raw?: boolean } = {}): OutFunction[] {
    const ir = this.ir(request.target);
    const target = this.target(request.target);
    const activity = analyse(ir, request.wrt.map((i) => ir.params[i].name));
    const output = this.session.output(target.file);
    return generateReverse(
      { fn: ir, activity, rules: this.session.rules, names: output.names, callees: this.callees(target), runtime: () => output.runtimeNamespace(), raw: options.raw },
      {
        kind: request.kind === "vjp" ? "adjoint" : request.kind,
        name: request.generated.name,
        reverseName: request.reverse?.name,
        wrt: request.wrt,
        many: request.many,
        exported: false,
        doc: request.doc,
      },
    );
  }

  /** Runs the work list to the end. */
  run(): void {
    while (this.queue.length) {
      const request = this.queue.shift()!;
      const target = this.target(request.target);
      this.session.guard(target.decl, () => {
        const output = this.session.output(target.file);
        if (request.kind === "vjp") {
          const ir = this.ir(request.target);
          this.done.push({ request, text: (exported) => vjpText(ir, request, exported, output.names.child(), () => output.runtimeNamespace()) });
          return;
        }
        const functions = this.build(request);
        const generated = [request.generated, ...(request.reverse ? [request.reverse] : [])];
        functions.forEach((fn, i) => {
          this.done.push({
            request: { ...request, generated: generated[i] },
            text: (exported) => printFunction({ ...fn, exported }, this.session.printContext(target.file)),
          });
        });
      });
    }
  }

  /** Adds every generated function to its file, exported where another file uses it. */
  emit(): void {
    for (const { request, text } of this.done) {
      const target = this.target(request.target);
      this.session.output(target.file).addFunction(text(request.generated.usedFrom.size > 0));
    }
  }
}
