/**
 * The fixture table shared by the numeric and golden suites: every fixture module's
 * functions (from its exported `points`), which of their parameters carry derivatives, and
 * the driver file that asks for each function's transforms.
 *
 * Each fixture module exports `points`: target → argument lists. A target is the name of an
 * exported function (`"loss"`), or `"receiver.method"` for a method reached through an export
 * of the module. A module may also export `integerArgs`: target → indices of integer-valued
 * parameters, and `constantArgs`: target → indices of parameters held fixed (grad does not
 * differentiate with respect to them, though they may hold numbers), and `withEffects`: targets
 * that call something with effects, whose vjp (which runs them again) is a compile error
 * (ADG2006) and is left out. What carries a derivative and whether the result is a number is read off the
 * values at the first point, evaluated on the uncompiled fixture.
 */
import * as path from "node:path";
import { ts } from "ts-morph";
import * as runtime from "../runtime";
import { fixtureSources } from "./fixtures";

/** Fixture functions and their transforms, called with values of any shape. */
export type Fn = (...args: any[]) => any;

export const sources = fixtureSources();

export interface Target {
  module: string;
  /** `fn` or `receiver.method` */
  name: string;
  points: any[][];
  /** per parameter: whether it carries a derivative (by its value at the first point) */
  differentiable: boolean[];
  /** indices of parameters grad holds fixed (vjp still gives their cotangents) */
  constant: number[];
  /** it calls something with effects: no vjp */
  effects: boolean;
  /** indices of integer-valued parameters: differentiated, not checked by finite differences */
  integer: number[];
  /** the result is a number: grad and valueAndGrad apply */
  scalar: boolean;
  /** some argument or the result holds a Float32Array */
  float32: boolean;
}

export const modules = Object.keys(sources).sort();
export const targets: Target[] = [];
for (const module of modules) {
  const exports = loadUncompiled(module);
  const points = (exports.points ?? {}) as Record<string, any[][]>;
  const integerArgs = (exports.integerArgs ?? {}) as Record<string, number[]>;
  const constantArgs = (exports.constantArgs ?? {}) as Record<string, number[]>;
  const withEffects = (exports.withEffects ?? []) as string[];
  for (const [name, list] of Object.entries(points)) {
    const { receiver, fn } = resolveTarget(exports, name);
    const first = list[0] ?? [];
    const result = list.length > 0 ? fn.apply(receiver, first) : undefined;
    targets.push({
      module,
      name,
      points: list,
      differentiable: first.map(isDifferentiable),
      constant: constantArgs[name] ?? [],
      effects: withEffects.includes(name),
      integer: integerArgs[name] ?? [],
      scalar: typeof result === "number",
      float32: hasFloat32(result) || list.some((args) => args.some(hasFloat32)),
    });
  }
}

/** Indices of the differentiable parameters: grad's `wrt`. */
export const wrtOf = (t: Target) => t.differentiable.flatMap((d, j) => (d && !t.constant.includes(j) ? [j] : []));
/** Those of them checked against finite differences. */
export const checkedOf = (t: Target) => wrtOf(t).filter((j) => !t.integer.includes(j));

/**
 * The driver of one module: `jvp<i>` for every target, `vjp<i>` for every target without
 * effects, `grad<i>` / `valueAndGrad<i>` / `hvp<i>` for scalar ones.
 */
export function driverText(module: string): string {
  const spec = JSON.stringify("./" + module.replace(/\.ts$/, ""));
  const lines = [`import { grad, hvp, jvp, valueAndGrad, vjp } from "adgen";`];
  targets.forEach((t, i) => {
    if (t.module !== module) return;
    const [head, ...rest] = t.name.split(".");
    lines.push(`import { ${head} as target${i} } from ${spec};`);
    const target = [`target${i}`, ...rest].join(".");
    if (!t.effects) lines.push(`export const vjp${i} = vjp(${target});`);
    lines.push(`export const jvp${i} = jvp(${target});`);
    const wrt = wrtOf(t);
    if (t.scalar && wrt.length > 0) {
      lines.push(`export const grad${i} = grad(${target}, { wrt: [${wrt.join(", ")}] });`);
      lines.push(`export const valueAndGrad${i} = valueAndGrad(${target}, { wrt: [${wrt.join(", ")}] });`);
      lines.push(`export const hvp${i} = hvp(${target}, { wrt: [${wrt.join(", ")}] });`);
    }
  });
  return lines.join("\n") + "\n";
}

/** `"fn"` or `"receiver.method"` in a module's exports. */
export function resolveTarget(exports: Record<string, any>, name: string): { receiver: unknown; fn: Fn } {
  const parts = name.split(".");
  let receiver: any = undefined;
  let value: any = exports;
  for (const part of parts) {
    receiver = value;
    value = value?.[part];
  }
  if (typeof value !== "function") throw new Error(`points names ${name}, which is not a function`);
  return { receiver: parts.length > 1 ? receiver : undefined, fn: value as Fn };
}

/** Whether a value carries a derivative: numbers, float typed arrays, arrays and objects holding them. */
export function isDifferentiable(value: unknown): boolean {
  if (typeof value === "number") return true;
  if (value instanceof Float64Array || value instanceof Float32Array) return true;
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.length === 0 || value.some(isDifferentiable);
  if (typeof value === "object" && value !== null) return Object.values(value).some(isDifferentiable);
  return false;
}

export function hasFloat32(value: unknown): boolean {
  if (value instanceof Float32Array) return true;
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(hasFloat32);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasFloat32);
  return false;
}

/** The fixture a relative import in `from` refers to, if it is one. */
export function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.posix.join(path.posix.dirname(from), spec).replace(/\.(js|ts)$/, "");
  return [`${base}.ts`, `${base}/index.ts`].find((candidate) => candidate in sources);
}

/** The relative paths of `module` and of every fixture it imports, directly or not. */
export function importClosure(module: string): string[] {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const { fileName } of ts.preProcessFile(sources[rel]!, true, true).importedFiles) {
      const found = resolveImport(rel, fileName);
      if (found) visit(found);
    }
  };
  visit(module);
  return [...seen];
}

/**
 * A fixture as written, without compilation: transform calls give functions that throw when
 * called, so the module loads and its points and primal functions can be used.
 */
export function loadUncompiled(relative: string, cache = new Map<string, Record<string, any>>()): Record<string, any> {
  const hit = cache.get(relative);
  if (hit) return hit;
  const stub = (transform: string) => () => () => {
    throw new Error(`${transform}: uncompiled fixture`);
  };
  const adgen = { ...runtime, grad: stub("grad"), valueAndGrad: stub("valueAndGrad"), vjp: stub("vjp"), jvp: stub("jvp"), hvp: stub("hvp") };
  const js = ts.transpileModule(sources[relative]!, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const module = { exports: {} as Record<string, any> };
  cache.set(relative, module.exports);
  const require = (spec: string) => {
    if (spec === "adgen") return adgen;
    const found = resolveImport(relative, spec);
    if (!found) throw new Error(`unexpected import ${spec} in ${relative}`);
    return loadUncompiled(found, cache);
  };
  new Function("exports", "require", "module", js)(module.exports, require, module);
  return module.exports;
}
