/**
 * The pass order, in one place, and the one core entry that every front end calls.
 *
 *   discover ─▶ lower ─▶ cse ─▶ hoist ─▶ activity ─▶ plan ─▶ reverse ─▶ simplify ─▶ emit
 *
 * Input: a ts-morph Project and the source files to rewrite. Output: for each file its new
 * text (user code kept line for line, transform calls replaced in place, generated
 * functions appended), plus diagnostics. `inspect` runs the same passes and shows the code
 * after any of them. Nothing here touches the file system or formats: front ends do that.
 * Resolving functions across files lives in session.ts; producing what each request asks
 * for, in generate.ts.
 */
import { Node, type Project, type SourceFile } from "ts-morph";
import { CompileError, codes, messages, type AdgDiagnostic } from "./diagnostics";
import { differentiableFunctions, transformCalls, type DiffFunction, type TransformCall } from "./discover";
import { printFunction, type PrintContext } from "./emit/print";
import { fence } from "./front/fence";
import { lower } from "./front/lower";
import { analyse, checkCalls } from "./ir/activity";
import { mergeCommonValues } from "./ir/cse";
import { hoistInvariants } from "./ir/hoist";
import { children, walk, type Expr, type IrFunction, type OriginInfo, type OutFunction } from "./ir/ir";
import { calleePurity, type FunctionPurity, type Purities } from "./ir/purity";
import { Generator, type Request } from "./generate";
import { Session, keyOf } from "./session";
import { typeScriptDiagnostics } from "./typescript";

export interface CompiledFile {
  path: string;
  /** the user's text with transform calls replaced, line for line */
  userText: string;
  /** generated declarations to append (unformatted TypeScript), "" when none */
  generatedText: string;
  /** whether anything changed; unchanged files are copied as they are */
  changed: boolean;
}

export interface CompileResult {
  files: CompiledFile[];
  diagnostics: AdgDiagnostic[];
}

export type Stage = "discover" | "lower" | "cse" | "hoist" | "activity" | "reverse" | "simplify" | "emit";
export const stages: readonly Stage[] = ["discover", "lower", "cse", "hoist", "activity", "reverse", "simplify", "emit"];

export interface InspectOptions {
  fn?: string;
  mode?: "grad" | "vjp" | "jvp";
  stage?: Stage;
  wrt?: number[];
}

/** The passes up to `stop`, on one function: lower, then the IR passes. */
function lowerFunction(session: Session, target: DiffFunction, stop?: Stage): IrFunction {
  fence(target.fn);
  const ir = lower(target, session.resolver(target.file), session.output(target.file).names);
  if (stop === "lower") return ir;
  checkCalls(ir);
  return ir;
}

function optimise(ir: IrFunction, purity: FunctionPurity, stop?: Stage): IrFunction {
  mergeCommonValues(ir, purity);
  if (stop === "cse") return ir;
  return hoistInvariants(ir, purity);
}

/**
 * A `@differentiable` function is pure when it calls nothing with effects, itself included.
 * For each impure one: the user statement with the effect (in it, or in what it calls).
 */
function purityOf(irs: ReadonlyMap<string, IrFunction>): Purities {
  const effects = new Map<string, OriginInfo>();
  const pure: FunctionPurity = (key) => !effects.has(key);
  const effectIn = (e: Expr, ir: IrFunction, origin: number): OriginInfo | undefined => {
    const stack = [e];
    while (stack.length) {
      const node = stack.pop()!;
      if (node.kind === "call" && node.callee.kind === "opaque" && calleePurity(node.callee, pure) === "effect") return ir.origins[origin];
      if (node.kind === "call" && node.callee.kind === "differentiable" && effects.has(node.callee.target)) return effects.get(node.callee.target);
      stack.push(...children(node));
    }
    return undefined;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, ir] of irs) {
      if (effects.has(key)) continue;
      for (const s of walk(ir.body)) {
        const effect = (s.kind === "assign" || s.kind === "effect") && effectIn(s.value, ir, s.origin);
        if (effect) {
          effects.set(key, effect);
          changed = true;
          break;
        }
      }
    }
  }
  return { pure, effectOf: (key) => effects.get(key) };
}

function specName(call: TransformCall): string {
  const base = `${call.target.base}_${call.kind}`;
  return !call.many && call.wrt[0] === 0 ? base : `${base}_wrt_${call.wrt.join("_")}`;
}

function docFor(call: TransformCall): string {
  const params = call.target.fn.getParameters().map((p) => p.getName());
  const wrt = call.wrt.map((i) => `\`${params[i]}\``).join(", ");
  switch (call.kind) {
    case "grad":
      return `Gradient of \`${call.target.name}\` with respect to ${wrt}.`;
    case "valueAndGrad":
      return `Value of \`${call.target.name}\` and its gradient with respect to ${wrt}.`;
    default:
      return `Value of \`${call.target.name}\` and its pullback (vector-Jacobian product).`;
  }
}

/** Records what a transform call asks for and replaces the call with the generated function. */
function planTransform(session: Session, generator: Generator, call: TransformCall): void {
  const { target, kind } = call;
  if (kind === "jvp") throw new CompileError(codes.unsupportedSyntax, "jvp (forward mode) is not supported yet; use vjp or grad", call.call);
  const key = session.track(target);
  session.requireInput(target, call.call.getSourceFile(), call.call);
  const ir = session.irs.get(key);
  if (!ir) return;
  if (kind !== "vjp" && ir.result.type !== "number") {
    throw new CompileError(codes.nonNumberResult, `${kind} needs a function with a number result, but \`${target.name}\` returns \`${ir.result.typeText}\`; use vjp for other results`, call.call);
  }
  const effect = kind === "vjp" ? generator.purities.effectOf(key) : undefined;
  if (effect) throw new CompileError(codes.effectsRerun, messages.effectsRerun(`vjp(${target.name})`, target.name, "again in its pullback", effect), call.call);
  const what = `${kind}|${call.wrt.join(",")}|${call.many}`;
  const isNew = !session.generated.has(`${key}|${what}`);
  const generated = session.name(target, what, specName(call));
  if (isNew) {
    const request: Request = { kind, target: key, wrt: call.wrt, many: call.many, generated, doc: docFor(call) };
    if (kind === "vjp") {
      const wrt = ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i]));
      const hasAdjoint = session.generated.has(`${key}|adjoint`);
      request.adjoint = session.name(target, "adjoint", `${target.base}_adjoint`);
      if (!hasAdjoint) {
        const doc = `Adjoint of \`${target.name}\`: the cotangents of its parameters, given the cotangent of its result.`;
        generator.request({ kind: "adjoint", target: key, wrt, many: true, generated: request.adjoint, doc });
      }
    }
    generator.request(request);
  }
  const output = session.output(call.call.getSourceFile());
  for (const used of [call.call.getExpression(), call.call.getArguments()[0]]) {
    const root = used && rootIdentifier(used);
    if (root) output.keep(root);
  }
  const local = session.reference(call.call.getSourceFile(), target, generated, call.call);
  session.output(call.call.getSourceFile()).replace(call.call.getStart(), call.call.getEnd(), call.receiver ? `${local}.bind(${call.receiver})` : local);
}

/** `a` in `a`, `a.b.c`, `(a as T).b`. */
function rootIdentifier(node: Node): string | undefined {
  let n: Node = node;
  while (Node.isPropertyAccessExpression(n) || Node.isParenthesizedExpression(n) || Node.isAsExpression(n)) n = n.getExpression();
  return Node.isIdentifier(n) ? n.getText() : undefined;
}

/** Discovers, lowers and optimises every differentiable function of the inputs. */
function prepare(session: Session, files: readonly SourceFile[], stop?: Stage): Purities {
  session.loadUserRules();
  for (const file of files) for (const target of session.guard(file, () => differentiableFunctions(file)) ?? []) session.track(target);
  for (const [key, target] of [...session.targets]) {
    if (!session.isInput(target.file)) continue;
    const ir = session.guard(target.decl, () => lowerFunction(session, target, stop));
    if (ir) session.irs.set(key, ir);
  }
  const purities = purityOf(session.irs);
  if (stop !== "lower") for (const [key, ir] of session.irs) session.guard(session.targets.get(key)!.decl, () => optimise(ir, purities.pure, stop));
  return purities;
}

export interface CompileOptions {
  /** print element reads as `a[i]!`; by default, when the project sets `noUncheckedIndexedAccess` */
  checkedIndexAccess?: boolean;
}

export function compile(project: Project, files: readonly SourceFile[], options: CompileOptions = {}): CompileResult {
  const session = new Session(project, files, options);
  session.diagnostics.push(...typeScriptDiagnostics(files));
  if (session.diagnostics.length > 0) return { files: [], diagnostics: session.diagnostics };
  const purity = prepare(session, files);
  const generator = new Generator(session, purity);
  for (const file of files) {
    for (const call of session.guard(file, () => transformCalls(file)) ?? []) session.guard(call.call, () => planTransform(session, generator, call));
  }
  if (session.diagnostics.length > 0) return { files: [], diagnostics: session.diagnostics };
  generator.run();
  generator.emit();
  if (session.diagnostics.length > 0) return { files: [], diagnostics: session.diagnostics };
  return {
    diagnostics: [],
    files: files.map((file) => {
      const out = session.output(file);
      return { path: file.getFilePath(), userText: out.userText(), generatedText: out.generatedText(), changed: out.changed };
    }),
  };
}

/** The code of one file's functions after a stage: how users (and we) see each pass. */
export function inspect(project: Project, file: SourceFile, options: InspectOptions): { text: string; diagnostics: AdgDiagnostic[] } {
  const session = new Session(project, [file]);
  const diagnostics = typeScriptDiagnostics([file]);
  if (diagnostics.length) return { text: "", diagnostics };
  const stage = options.stage ?? "emit";
  const all = session.guard(file, () => differentiableFunctions(file)) ?? [];
  const targets = options.fn ? all.filter((t) => t.name === options.fn || t.base === options.fn) : all;
  if (options.fn && targets.length === 0) {
    const known = all.map((t) => t.name).join(", ") || "none";
    return { text: "", diagnostics: [{ code: codes.usage, message: `no @differentiable function named \`${options.fn}\` in ${file.getFilePath()} (found: ${known})` }] };
  }
  const parts: string[] = [];
  if (stage === "discover") {
    for (const t of all) parts.push(`@differentiable ${t.name} (line ${t.decl.getStartLineNumber()})${t.exported ? ", exported" : ""}`);
    for (const call of session.guard(file, () => transformCalls(file)) ?? []) {
      parts.push(`${call.kind}(${call.target.name}) wrt [${call.wrt.join(", ")}] at line ${call.call.getStartLineNumber()}`);
    }
    return { text: parts.join("\n") + "\n", diagnostics: session.diagnostics };
  }
  const irStage = stage === "lower" || stage === "cse" || stage === "hoist" ? stage : undefined;
  const purity = prepare(session, [file], irStage);
  if (options.mode === "jvp") {
    session.diagnostics.push({ code: codes.unsupportedSyntax, message: "jvp (forward mode) is not supported yet", file: file.getFilePath() });
    return { text: "", diagnostics: session.diagnostics };
  }
  const generator = new Generator(session, purity);
  for (const target of targets) {
    const key = keyOf(target.decl);
    const ir = session.irs.get(key);
    if (!ir) continue;
    const text = session.guard(target.decl, () => {
      const output = session.output(file);
      const print = (fn: OutFunction, extra: Partial<PrintContext> = {}) => printFunction(fn, { ...session.printContext(file), ...extra });
      if (irStage || stage === "activity") {
        const activity = stage === "activity" ? analyse(ir, ir.params.flatMap((p) => (p.type === "inactive" ? [] : [p.name]))) : undefined;
        const annotate = activity && ((name: string) => (activity.isActive(name) ? "active" : !activity.varied.has(name) ? "inactive: does not depend on the inputs" : "inactive: does not reach the result"));
        return print(asOutFunction(ir), { sourceComments: true, annotate });
      }
      const vjp = options.mode === "vjp";
      const wrt = vjp ? ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i])) : (options.wrt ?? [0]);
      const many = vjp || (options.wrt?.length ?? 1) > 1;
      const kind = vjp ? "adjoint" : "grad";
      const generated = session.name(target, `${kind}|${wrt.join(",")}|${many}`, vjp ? `${target.base}_adjoint` : `${target.base}_grad`);
      const doc = vjp ? `Adjoint of \`${target.name}\`.` : `Gradient of \`${target.name}\` with respect to ${wrt.map((i) => `\`${ir.params[i].name}\``).join(", ")}.`;
      const functions = generator.build({ kind, target: key, wrt, many, generated, doc }, { raw: stage === "reverse" });
      return functions.map((fn) => print(fn)).join("\n\n");
    });
    if (text !== undefined) parts.push(text);
  }
  if (parts.length === 0 && session.diagnostics.length === 0) parts.push(`// ${file.getBaseName()} has no @differentiable function`);
  return { text: parts.join("\n\n") + "\n", diagnostics: session.diagnostics };
}

/** A primal function, printable like generated code (for the IR stages). */
function asOutFunction(ir: IrFunction): OutFunction {
  return {
    name: ir.name.replace(/\W/g, "_"),
    doc: `${ir.name}, lowered`,
    exported: false,
    self: ir.self,
    params: ir.params,
    returnTypeText: ir.result.typeText,
    vars: ir.vars,
    body: ir.body,
    origins: ir.origins,
  };
}
