/**
 * The entry points built on forward mode, as text: `jvp(f)`, `hessian(f)`, `jacobian(f)`.
 *
 *   f_jvp(primals, tangents)  → f_tangent(...primals, ...tangents of the differentiable ones)
 *   f_hessian(...args)        → one `hvp` per unit direction of the wrt value (runtime `hessianRows`)
 *   f_jacobian(...args)       → by columns (tangents) or rows (adjoint), whichever is fewer
 *                               (runtime `jacobianRows`)
 * Each is a few lines around generated functions (`f_tangent`, `f_hvp`, `f_adjoint`); the
 * work is theirs.
 */
import { parameterText, type IrFunction, type IrParam } from "../ir/ir";
import { nameOf, type Names } from "../naming";

/** What an entry point's text needs: its name, doc, exported, and the names it calls. */
export interface EntryText {
  name: string;
  doc: string;
  exported: boolean;
  runtime: () => string;
  names: Names;
}

const optional = (p: IrParam) => p.optional === true || p.initText !== undefined;
/** `this: T, ` for a method's generated function. */
const thisParam = (ir: IrFunction) => (ir.self ? [`this: ${ir.self}`] : []);
/** `f(args)`, or `f.call(this, args)` for a method. */
const call = (ir: IrFunction, fn: string, args: string[]) => (ir.self ? `${fn}.call(${["this", ...args].join(", ")})` : `${fn}(${args.join(", ")})`);
const signature = (ir: IrFunction) => ir.params.map((p) => parameterText(p));

function fn(entry: EntryText, params: string[], returnType: string, body: string[]): string {
  return [`/** ${entry.doc} */`, `${entry.exported ? "export " : ""}function ${entry.name}(${params.join(", ")}): ${returnType} {`, ...body.map((l) => `  ${l}`), "}"].join("\n");
}

/** `f_jvp(primals, tangents)`: the value and its tangent, through `tangent` (given the tangents of `wrt`). */
export function jvpText(ir: IrFunction, entry: EntryText, tangent: string, wrt: readonly number[]): string {
  const primals = entry.names.fresh(nameOf.primals);
  const tangents = entry.names.fresh(nameOf.tangents);
  const element = (p: IrParam, text: string) => `${p.name}${optional(p) ? "?" : ""}: ${text}`;
  const primalsType = `[${ir.params.map((p) => element(p, p.typeText)).join(", ")}]`;
  const tangentsType = `[${ir.params.map((p) => element(p, p.tangentText)).join(", ")}]`;
  const args = ir.params.map((_, i) => `${primals}[${i}]`);
  // an optional parameter's tangent may be left out: it is then 0 (a number) or given as the value's
  const tangentArg = (i: number) => (optional(ir.params[i]) ? `${tangents}[${i}]${ir.params[i].type === "number" ? " ?? 0" : "!"}` : `${tangents}[${i}]`);
  const returnType = `[${ir.result.typeText}, ${ir.result.tangentText}]`;
  return fn(entry, [...thisParam(ir), `${primals}: ${primalsType}`, `${tangents}: ${tangentsType}`], returnType, [`return ${call(ir, tangent, [...args, ...wrt.map(tangentArg)])};`]);
}

/** The text of `wrt`'s value: the argument, or a tuple of several. */
const wrtValue = (ir: IrFunction, wrt: readonly number[], many: boolean) => (many ? `[${wrt.map((i) => ir.params[i].name).join(", ")}]` : ir.params[wrt[0]].name);
/** The gradient's type for `wrt`: the argument's tangent, or a tuple of them. */
export const gradientType = (ir: IrFunction, wrt: readonly number[], many: boolean) =>
  many ? `[${wrt.map((i) => ir.params[i].tangentText).join(", ")}]` : ir.params[wrt[0]].tangentText;

/** `f_hessian(...args)`: a row `H·e_k` per unit direction of the wrt value, from `hvp`. */
export function hessianText(ir: IrFunction, entry: EntryText, hvp: string, wrt: readonly number[], many: boolean): string {
  const direction = entry.names.fresh(nameOf.direction);
  const type = gradientType(ir, wrt, many);
  const isNumber = !many && ir.params[wrt[0]].type === "number";
  const args = ir.params.map((p) => p.name);
  const rows = `${entry.runtime()}.hessianRows((${direction}: ${type}) => ${call(ir, hvp, [...args, direction])}, ${wrtValue(ir, wrt, many)})`;
  return fn(entry, [...thisParam(ir), ...signature(ir)], isNumber ? "number" : `${type}[]`, [`return ${rows} as ${isNumber ? "number" : `${type}[]`};`]);
}

/**
 * `f_jacobian(...args)`: a row per number of the result, each shaped like the gradient,
 * from `tangent` (columns, J·t) or `adjoint` (rows, Jᵀ·c), whichever needs fewer runs.
 */
export function jacobianText(ir: IrFunction, entry: EntryText, tangent: string, adjoint: string, wrt: readonly number[], many: boolean): string {
  const value = entry.names.fresh(nameOf.value);
  const t = entry.names.fresh(nameOf.column);
  const ct = entry.names.fresh(nameOf.row);
  const type = gradientType(ir, wrt, many);
  const args = ir.params.map((p) => p.name);
  const tangents = many ? wrt.map((_, k) => `${t}[${k}]`) : [t];
  const cotangents = entry.names.fresh(nameOf.cotangents);
  const picked = many ? `[${wrt.map((i) => `${cotangents}[${i}]`).join(", ")}]` : `${cotangents}[${wrt[0]}]`;
  const body = [
    `const ${value} = ${ir.callText}(${args.join(", ")});`,
    `return ${entry.runtime()}.jacobianRows(`,
    `  ${value},`,
    `  ${wrtValue(ir, wrt, many)},`,
    `  (${t}: ${type}) => ${call(ir, tangent, [...args, ...tangents])}[1],`,
    `  (${ct}: ${ir.result.tangentText}) => {`,
    `    const ${cotangents} = ${call(ir, adjoint, [...args, ct])};`,
    `    return ${picked};`,
    `  },`,
    `);`,
  ];
  return fn(entry, [...thisParam(ir), ...signature(ir)], `${type}[]`, body);
}
