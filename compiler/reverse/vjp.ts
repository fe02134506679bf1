/**
 * `vjp(f)`: the value now, and a pullback that runs f's adjoint at the same arguments.
 *
 * The pullback may be called any number of times, with any cotangent: each call runs the
 * adjoint (a forward and a reverse sweep) again, so nothing is held on the tapes between
 * the value and the pullback. It runs on a snapshot of the array and object arguments, so
 * that changes to them in between do not move the point; a function with effects, which a
 * second run would repeat, is rejected before this (ADG2006).
 */
import { parameterText, type IrFunction } from "../ir/ir";
import { nameOf, type Names } from "../naming";
import type { Request } from "../generate";

export function vjpText(ir: IrFunction, request: Request, exported: boolean, names: Names, runtime: () => string): string {
  for (const p of ir.params) names.reserve(p.name);
  const value = names.fresh(nameOf.value);
  const seed = names.fresh(nameOf.seed);
  const kept = new Map(ir.params.filter((p) => p.type === "reference").map((p) => [p.name, names.fresh(nameOf.kept(p.name))]));
  const params = [...(ir.self ? [`this: ${ir.self}`] : []), ...ir.params.map((p) => parameterText(p))].join(", ");
  const args = ir.params.map((p) => p.name).join(", ");
  const keptArgs = ir.params.map((p) => kept.get(p.name) ?? p.name).join(", ");
  const adjoint = request.adjoint!.name;
  const adjointCall = ir.self ? `${adjoint}.call(this, ${keptArgs ? `${keptArgs}, ` : ""}${seed})` : `${adjoint}(${keptArgs ? `${keptArgs}, ` : ""}${seed})`;
  const callText = ir.self ? `${ir.callText}(${args})` : `${ir.callText}(${args})`;
  const cotangents = `[${ir.params.map((p) => p.tangentText).join(", ")}]`;
  return [
    `/** ${request.doc} */`,
    `${exported ? "export " : ""}function ${request.generated.name}(${params}): [${ir.result.typeText}, (${seed}: ${ir.result.tangentText}) => ${cotangents}] {`,
    `  const ${value} = ${callText};`,
    ...[...kept].map(([name, copy]) => `  const ${copy} = ${runtime()}.snapshot(${name});`),
    `  return [${value}, (${seed}: ${ir.result.tangentText}) => ${adjointCall}];`,
    `}`,
  ].join("\n");
}
