/**
 * The pass order, in one place, and the one core entry that every front end calls.
 *
 *   discover ─▶ lower ─▶ inline ─▶ cse ─▶ hoist (and fuse) ─▶ activity ─▶ plan ─▶ reverse ─▶ simplify ─▶ emit
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
import { tapeReport } from "./emit/tape-report";
import { fence } from "./front/fence";
import { lower } from "./front/lower";
import { analyse, checkCalls } from "./ir/activity";
import { mergeCommonValues } from "./ir/cse";
import { hoistInvariants } from "./ir/hoist";
import { fuseLoops } from "./ir/fuse";
import { inlineLeafCalls } from "./ir/inline";
import { inlineRecursiveCycles } from "./ir/cycles";
import { type Expr, type IrFunction, type OriginInfo, type OutFunction } from "./ir/ir";
import { children, walk } from "./ir/traverse";
import { calleePurity, type FunctionPurity, type Purities } from "./ir/purity";
import { Generator } from "./generate";
import { planEntry } from "./entries";
import { nameOf } from "./naming";
import { Session, keyOf, sourceKey } from "./session";
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

export type Stage = "discover" | "lower" | "cse" | "hoist" | "activity" | "plan" | "reverse" | "simplify" | "emit";
export const stages: readonly Stage[] = ["discover", "lower", "cse", "hoist", "activity", "plan", "reverse", "simplify", "emit"];

export interface InspectOptions {
  fn?: string;
  mode?: "grad" | "vjp" | "jvp";
  stage?: Stage;
  wrt?: number[];
  /** report what the reverse sweep stores instead of printing the code */
  tape?: boolean;
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
  hoistInvariants(ir, purity);
  // a fused body may compute a value its two halves both computed
  if (fuseLoops(ir, purity) > 0) mergeCommonValues(ir, purity);
  return ir;
}

/**
 * A `@differentiable` function is pure when it calls nothing with effects, itself included.
 * For each impure one: the user statement with the effect (in it, or in what it calls).
 */
function purityOf(irs: ReadonlyMap<string, IrFunction>): Purities {
  const effects = new Map<string, OriginInfo>();
  // a function adgen derives (a tangent function) has the effects of its source
  const pure: FunctionPurity = (key) => !effects.has(sourceKey(key));
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
  return { pure, effectOf: (key) => effects.get(sourceKey(key)) };
}

/** Records what a transform call asks for and replaces the call with the generated function. */
function planTransform(session: Session, generator: Generator, call: TransformCall): void {
  const { target } = call;
  const key = session.track(target);
  session.requireInput(target, call.call.getSourceFile(), call.call);
  const ir = session.irs.get(key);
  if (!ir) return;
  const generated = planEntry(session, generator, call, key, ir);
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
  if (stop !== "lower") {
    // a group across files too: the outputs that copy another file's member change with it, as the front ends expect
    // of outputs that depend on other files (what their transform calls ask for)
    const fileOf = (key: string) => session.targets.get(key)!.file;
    const first = session.irs.keys().next();
    if (!first.done) session.guard(fileOf(first.value), () => inlineRecursiveCycles(session.irs, (key) => session.output(fileOf(key)).names, fileOf));
    for (const [key, ir] of session.irs) {
      // only a helper of the caller's own file: an edit of another file must not leave a stale copy in this one's output
      const { file } = session.targets.get(key)!;
      const helperOf = (callee: string) => (session.targets.get(callee)?.file === file ? session.irs.get(callee) : undefined);
      inlineLeafCalls(ir, helperOf, session.output(file).names);
    }
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

/**
 * The code of one file's functions after a stage: how users (and we) see each pass. A file
 * with no @differentiable function of its own shows what its transform calls generate (their
 * targets compiled with it); an empty result says why it is empty.
 */
export function inspect(project: Project, file: SourceFile, options: InspectOptions): { text: string; diagnostics: AdgDiagnostic[] } {
  const diagnostics = typeScriptDiagnostics([file]);
  if (diagnostics.length) return { text: "", diagnostics };
  const found = new Session(project, [file]);
  const all = found.guard(file, () => differentiableFunctions(file)) ?? [];
  const calls = found.guard(file, () => transformCalls(file)) ?? [];
  if (found.diagnostics.length) return { text: "", diagnostics: found.diagnostics };
  const named = (t: DiffFunction) => !options.fn || t.name === options.fn || t.base === options.fn;
  // the file's own functions, else the functions its transform calls differentiate, as they ask
  const viaCalls = all.length === 0 && calls.length > 0;
  const shown: Shown[] = viaCalls ? uniqueCalls(calls).filter((c) => named(c.target)) : all.filter(named).map((target) => ({ target }));
  if (options.fn && shown.length === 0) {
    const known = [...new Set((viaCalls ? calls.map((c) => c.target) : all).map((t) => t.name))].join(", ") || "none";
    return { text: "", diagnostics: [{ code: codes.usage, message: `no @differentiable function named \`${options.fn}\` in ${file.getFilePath()} (found: ${known})` }] };
  }
  const stage = options.stage ?? "emit";
  // the file with what it imports, as a build of it would compile them
  const inputs = [file, ...project.getSourceFiles().filter((f) => f !== file && !f.isDeclarationFile() && !f.isInNodeModules())];
  const session = new Session(project, inputs);
  const parts: string[] = [];
  if (stage === "discover") {
    for (const t of all) parts.push(`@differentiable ${t.name} (line ${t.decl.getStartLineNumber()})${t.exported ? ", exported" : ""}`);
    for (const call of calls) parts.push(`${call.kind}(${call.target.name}) wrt [${call.wrt.join(", ")}] at line ${call.call.getStartLineNumber()}`);
    if (parts.length === 0) parts.push(`// ${file.getBaseName()} has no @differentiable function and no transform call`);
    return { text: parts.join("\n") + "\n", diagnostics: session.diagnostics };
  }
  const irStage = stage === "lower" || stage === "cse" || stage === "hoist" ? stage : undefined;
  const purity = prepare(session, inputs, irStage);
  if (session.diagnostics.length) return { text: "", diagnostics: session.diagnostics };
  const generator = new Generator(session, purity);
  for (const { target, call } of shown) {
    const key = keyOf(target.decl);
    const ir = session.irs.get(key);
    if (!ir) continue;
    const text = session.guard(call?.call ?? target.decl, () => {
      const print = (fn: OutFunction, extra: Partial<PrintContext> = {}) => printFunction(fn, { ...session.printContext(target.file), ...extra });
      if (irStage || stage === "activity") {
        const activity = stage === "activity" ? analyse(ir, ir.params.flatMap((p) => (p.type === "inactive" ? [] : [p.name]))) : undefined;
        const annotate = activity && ((name: string) => (activity.isActive(name) ? "active" : !activity.varied.has(name) ? "inactive: does not depend on the inputs" : "inactive: does not reach the result"));
        return print(asOutFunction(ir), { sourceComments: true, annotate });
      }
      if (options.mode === "jvp") {
        const tangent = generator.tangentFunction(key, ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i])));
        return print(generator.tangentCode(tangent.key, tangent.generated.name, `Tangent of \`${target.name}\` (forward mode).`));
      }
      const active = ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i]));
      const vjp = options.mode ? options.mode === "vjp" : call?.kind === "vjp";
      const wrt = vjp ? active : (options.wrt ?? call?.wrt ?? [0]);
      const many = vjp || (options.wrt ? options.wrt.length > 1 : (call?.many ?? false));
      const bad = wrt.find((i) => !active.includes(i));
      if (bad !== undefined) throw new CompileError(codes.usage, messages.inspectWrt(target.name, bad, ir.params.map((p) => p.name), active), target.decl);
      const kind = vjp ? "adjoint" : !options.mode && call?.kind === "valueAndGrad" ? "valueAndGrad" : "grad";
      const generated = session.name(target, `${kind}|${wrt.join(",")}|${many}`, vjp ? nameOf.adjointFunction(target.base) : nameOf.transform(target.base, kind, many || wrt[0] !== 0 ? wrt : undefined));
      const params = wrt.map((i) => `\`${ir.params[i].name}\``).join(", ");
      const doc = vjp ? `Adjoint of \`${target.name}\`.` : `${kind === "grad" ? "Gradient" : "Value and gradient"} of \`${target.name}\` with respect to ${params}.`;
      const functions = generator.build({ kind, target: key, wrt, many, generated, doc }, { raw: stage === "plan" ? "plan" : stage === "reverse" });
      if (options.tape) return tapeReport(functions);
      return functions.map((fn) => print(fn, { sourceComments: stage === "plan" })).join("\n\n");
    });
    if (text !== undefined) parts.push(text);
  }
  if (parts.length === 0 && session.diagnostics.length === 0) parts.push(`// ${file.getBaseName()} has no @differentiable function and no transform call`);
  return { text: parts.join("\n\n") + "\n", diagnostics: session.diagnostics };
}

/** A function `inspect` shows, and the transform call that asks for it when it is not the file's own. */
interface Shown {
  target: DiffFunction;
  call?: TransformCall;
}

/** One per distinct request: `grad(f)` twice shows once. */
function uniqueCalls(calls: readonly TransformCall[]): Shown[] {
  const seen = new Map<string, Shown>();
  for (const call of calls) {
    const key = `${keyOf(call.target.decl)}|${call.kind}|${call.wrt.join(",")}|${call.many}`;
    if (!seen.has(key)) seen.set(key, { target: call.target, call });
  }
  return [...seen.values()];
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
