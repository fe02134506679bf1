/**
 * Entry points: what each transform call asks the generator for.
 *
 * Input: a transform call resolved to its target's IR. Output: the generated function the
 * call is replaced with, and the requests that produce it (queued once per target, kind and
 * `wrt`). Checked here: the result a transform needs (a number for grad, valueAndGrad, hvp
 * and hessian; anything else for jacobian), and that a transform which runs the function
 * more than once (vjp's pullback, hessian, jacobian) is not given one with effects.
 *
 *   grad, valueAndGrad  → reverse mode on f                       (f_grad)
 *   vjp                 → f_vjp over f's adjoint                  (runs it in each pullback)
 *   jvp                 → f_jvp over f's tangent function         (forward mode)
 *   hvp                 → reverse mode on f's directional derivative ∇f·v   (f_hvp)
 *   hessian             → f_hessian over f_hvp, one unit direction per row
 *   jacobian            → f_jacobian over f's tangent function and adjoint
 */
import { CompileError, codes, messages } from "./diagnostics";
import type { TransformCall } from "./discover";
import type { Generator, Request } from "./generate";
import type { IrFunction } from "./ir/ir";
import type { Generated, Session } from "./session";

const scalarOnly = new Set(["grad", "valueAndGrad", "hvp", "hessian"]);
const reruns: Record<string, string> = { vjp: "again in its pullback", hessian: "once per row", jacobian: "once per row or column" };

export function planEntry(session: Session, generator: Generator, call: TransformCall, key: string, ir: IrFunction): Generated {
  const { target, kind, wrt, many } = call;
  if (scalarOnly.has(kind) && ir.result.type !== "number") {
    throw new CompileError(codes.nonNumberResult, `${kind} needs a function with a number result, but \`${target.name}\` returns \`${ir.result.typeText}\`; use vjp, jvp or jacobian for other results`, call.call);
  }
  if (kind === "jacobian" && ir.result.type === "number") {
    throw new CompileError(codes.nonNumberResult, `jacobian needs a function with an array, tuple or object result, but \`${target.name}\` returns a number; use grad`, call.call);
  }
  const effect = reruns[kind] ? generator.purities.effectOf(key) : undefined;
  if (effect) throw new CompileError(codes.effectsRerun, messages.effectsRerun(`${kind}(${target.name})`, target.name, reruns[kind]!, effect), call.call);

  const differentiable = ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i]));
  const named = (what: string, base: string, make: (generated: Generated) => Request | undefined): Generated => {
    const isNew = !session.generated.has(`${key}|${what}`);
    const generated = session.name(target, what, base);
    const request = isNew ? make(generated) : undefined;
    if (request) generator.request(request);
    return generated;
  };
  const request = (generated: Generated, extra: Partial<Request> = {}): Request => ({ kind: kind === "hvp" ? "grad" : kind, target: key, wrt, many, generated, doc: docFor(call), ...extra });
  const adjoint = () =>
    named("adjoint", `${target.base}_adjoint`, (generated) => ({
      kind: "adjoint",
      target: key,
      wrt: differentiable,
      many: true,
      generated,
      doc: `Adjoint of \`${target.name}\`: the cotangents of its parameters, given the cotangent of its result.`,
    }));
  const hvp = () =>
    named(`hvp|${wrt.join(",")}|${many}`, specName(call, "hvp"), (generated) => {
      const directional = generator.directionalFunction(key, wrt, many);
      return { ...request(generated), kind: "grad", target: directional.key, doc: docFor({ ...call, kind: "hvp" }) };
    });
  const tangent = (of: readonly number[]) => generator.printTangent(generator.tangentFunction(key, of).key);

  const what = `${kind}|${wrt.join(",")}|${many}`;
  switch (kind) {
    case "grad":
    case "valueAndGrad":
      return named(what, specName(call, kind), (generated) => request(generated));
    case "vjp":
      return named(what, specName(call, kind), (generated) => request(generated, { adjoint: adjoint() }));
    case "jvp":
      return named(what, specName(call, kind), (generated) => request(generated, { wrt: differentiable, calls: tangent(differentiable) }));
    case "hvp":
      return hvp();
    case "hessian":
      return named(what, specName(call, kind), (generated) => request(generated, { calls: hvp() }));
    case "jacobian":
      return named(what, specName(call, kind), (generated) => request(generated, { calls: tangent(wrt), adjoint: adjoint() }));
  }
}

function specName(call: TransformCall, kind: string): string {
  const base = `${call.target.base}_${kind}`;
  return kind === "vjp" || kind === "jvp" || (!call.many && call.wrt[0] === 0) ? base : `${base}_wrt_${call.wrt.join("_")}`;
}

function docFor(call: TransformCall): string {
  const params = call.target.fn.getParameters().map((p) => p.getName());
  const wrt = call.wrt.map((i) => `\`${params[i]}\``).join(", ");
  const name = `\`${call.target.name}\``;
  switch (call.kind) {
    case "grad":
      return `Gradient of ${name} with respect to ${wrt}.`;
    case "valueAndGrad":
      return `Value of ${name} and its gradient with respect to ${wrt}.`;
    case "vjp":
      return `Value of ${name} and its pullback (vector-Jacobian product).`;
    case "jvp":
      return `Value of ${name} and its tangent along the given tangents of its arguments (Jacobian-vector product, forward mode).`;
    case "hvp":
      return `Hessian of ${name} with respect to ${wrt}, times the direction \`v\` (reverse mode over its tangent code).`;
    case "hessian":
      return `Hessian of ${name} with respect to ${wrt}: one row per number, each shaped like the gradient.`;
    case "jacobian":
      return `Jacobian of ${name} with respect to ${wrt}: one row per number of its result, each shaped like the gradient.`;
  }
}
