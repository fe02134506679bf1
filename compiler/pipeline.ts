/**
 * The pass order, in one place, and the one core entry that every front end calls.
 *
 *   discover ─▶ lower (then cse, hoist) ─▶ analyse ─▶ reverse ─▶ emit
 *
 * Input: a ts-morph Project and the source files to rewrite. Output: for each file its
 * new text (user code kept line for line, transform calls replaced in place, generated
 * functions appended), plus diagnostics. Nothing here touches the file system or formats:
 * front ends do that.
 */
import { Node, type Expression, type Project, type SourceFile } from "ts-morph";
import { analyse, checkCalls } from "./analyse";
import { CompileError, codes, diagnosticAt, positionIn, type AdgDiagnostic } from "./diagnostics";
import {
  calleeFunction,
  differentiableFunctions,
  importOf,
  resolveDeclaration,
  transformCalls,
  userRuleCalls,
  type DiffFunction,
  type TransformCall,
} from "./discover";
import { FileOutput } from "./emit";
import { mergeCommonValues } from "./cse";
import { hoistInvariants } from "./hoist";
import { printFunction, type IrFunction, type SplitNames } from "./ir";
import { classify, lower, type Resolver } from "./lower";
import { Names } from "./naming";
import { generateAdjoint, type AdjointSpec } from "./reverse";
import { builtinRules, ruleFromCall, type Rule } from "./rules";

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

export type Stage = "discover" | "lower" | "analyse" | "reverse" | "emit";
export const stages: readonly Stage[] = ["discover", "lower", "analyse", "reverse", "emit"];

export interface InspectOptions {
  fn?: string;
  mode?: "grad" | "vjp" | "jvp";
  stage?: Stage;
}

const keyOf = (decl: Node) => `${decl.getSourceFile().getFilePath()}:${decl.getStart()}`;

/** What one compilation knows about the project: functions, rules, outputs. */
class Session {
  readonly diagnostics: AdgDiagnostic[] = [];
  readonly outputs = new Map<string, FileOutput>();
  readonly rules = new Map<string, Rule>(builtinRules());
  private readonly userRuleKeys = new Map<string, string>();
  private readonly adjointNames = new Map<string, string>();
  /** the split halves of functions that other differentiable functions call */
  readonly splits = new Map<string, SplitNames>();
  /** specs requested by transform calls, per target function */
  readonly requests = new Map<string, AdjointRequest[]>();

  constructor(
    readonly project: Project,
    readonly inputs: readonly SourceFile[],
  ) {
    for (const file of inputs) this.outputs.set(file.getFilePath(), new FileOutput(file));
  }

  /** Runs `work`, turning a CompileError or an unexpected failure into a diagnostic at `at`. */
  guard<T>(at: Node, work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      if (error instanceof CompileError) {
        this.diagnostics.push(diagnosticAt(error.at ?? at, error.code, error.message));
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.diagnostics.push(
          diagnosticAt(at, codes.internal, `internal adgen error while compiling this: ${message}. Please report it with this file.`),
        );
      }
      return undefined;
    }
  }

  output(file: SourceFile): FileOutput {
    const out = this.outputs.get(file.getFilePath());
    if (!out) throw new Error(`no output for ${file.getFilePath()}`);
    return out;
  }

  isInput(file: SourceFile): boolean {
    return this.outputs.has(file.getFilePath());
  }

  loadUserRules(): void {
    for (const file of this.project.getSourceFiles()) {
      if (file.isDeclarationFile() || file.isInNodeModules()) continue;
      this.guard(file, () => {
        for (const { call, decl } of userRuleCalls(file)) {
          const key = `user:${keyOf(decl)}`;
          this.guard(call, () => {
            this.rules.set(key, ruleFromCall(call, key));
            this.userRuleKeys.set(keyOf(decl), key);
          });
        }
      });
    }
  }

  /** The adjoint's exported name in its own file (decided once). */
  adjointName(target: DiffFunction): string {
    const key = keyOf(target.decl);
    let name = this.adjointNames.get(key);
    if (!name) {
      name = this.output(target.file).names.fresh(`${target.base}_adjoint`);
      this.adjointNames.set(key, name);
    }
    return name;
  }

  /** The forward and reverse halves' names in its own file; asking for them generates them. */
  splitNames(target: DiffFunction): SplitNames {
    const key = keyOf(target.decl);
    let names = this.splits.get(key);
    if (!names) {
      const out = this.output(target.file).names;
      names = { forward: out.fresh(`${target.base}_forward`), reverse: out.fresh(`${target.base}_reverse`) };
      this.splits.set(key, names);
    }
    return names;
  }

  /** How `from` refers to a generated function of `target`'s file: by name, or by import. */
  reference(from: SourceFile, target: DiffFunction, exported: () => string, at: Node): string {
    if (target.file === from) return exported();
    if (!this.isInput(target.file)) {
      throw new CompileError(
        codes.outsideInputs,
        `\`${target.name}\` is defined in ${from.getRelativePathTo(target.file)}, which is not among the files being built; add it to the inputs so its derivative code is generated`,
        at,
      );
    }
    const declaration = importOf(from, target.file);
    if (!declaration) throw new CompileError(codes.outsideInputs, `cannot find how this file imports \`${target.name}\``, at);
    return this.output(from).importName(declaration.specifier, exported(), declaration.end);
  }

  resolver(file: SourceFile): Resolver {
    return {
      ruleFor: (callee: Expression) => {
        if (Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === "Math") {
          const mathDecl = callee.getExpression().getSymbol()?.getDeclarations()[0];
          if (mathDecl?.getSourceFile().isDeclarationFile()) return this.rules.get(callee.getText());
        }
        const decl = resolveDeclaration(callee);
        const key = decl && this.userRuleKeys.get(keyOf(decl));
        const rule = key ? this.rules.get(key) : undefined;
        if (rule && rule.file !== file.getFilePath() && rule.freeNames.length > 0) {
          throw new CompileError(
            codes.ruleShape,
            `the derivative rule of \`${callee.getText()}\` uses ${rule.freeNames.map((n) => `\`${n}\``).join(", ")}, which this file cannot see; write the rule with its parameters and Math only, or in this file`,
            callee,
          );
        }
        return rule;
      },
      operatorRule: (name) => this.rules.get(name),
      differentiable: (callee) => calleeFunction(callee),
      adjointRef: (target, at) => this.reference(file, target, () => this.adjointName(target), at),
      splitRef: (target, at) => ({
        forward: this.reference(file, target, () => this.splitNames(target).forward, at),
        reverse: this.reference(file, target, () => this.splitNames(target).reverse, at),
      }),
    };
  }
}

interface AdjointRequest {
  call: TransformCall;
  spec: Omit<AdjointSpec, "exported">;
}

function specName(call: TransformCall): string {
  const base = `${call.target.base}_${call.kind}`;
  const plain = !call.many && call.wrt[0] === 0;
  return plain ? base : `${base}_wrt_${call.wrt.join("_")}`;
}

/** Records what a transform call asks for and replaces the call with the generated function. */
function planTransform(session: Session, call: TransformCall): void {
  const { target, kind } = call;
  if (kind === "jvp") {
    throw new CompileError(codes.unsupportedSyntax, "jvp (forward mode) is not supported yet; use vjp or grad", call.call);
  }
  if (!session.isInput(target.file)) session.reference(call.call.getSourceFile(), target, () => "", call.call);
  if (kind !== "vjp") {
    const returnType = target.fn.getReturnType();
    if (classify(returnType, target.fn) !== "number" || !(returnType.isNumber() || returnType.isNumberLiteral() || returnType.isUnion())) {
      throw new CompileError(
        codes.nonNumberResult,
        `${kind} needs a function with a number result, but \`${target.name}\` returns \`${returnType.getText(target.fn)}\`; use vjp for other results`,
        call.call,
      );
    }
  }
  const key = keyOf(target.decl);
  const list = session.requests.get(key) ?? [];
  session.requests.set(key, list);
  const wanted = specName(call);
  let request = list.find((r) => r.spec.doc === docFor(call));
  if (!request) {
    const name = session.output(target.file).names.fresh(wanted);
    request = { call, spec: { kind: kind === "vjp" ? "adjoint" : kind, name, wrt: call.wrt, many: call.many, doc: docFor(call) } };
    list.push(request);
  }
  const name = request.spec.name;
  const local = session.reference(call.call.getSourceFile(), target, () => name, call.call);
  const replacement = call.receiver ? `${local}.bind(${call.receiver})` : local;
  session.output(call.call.getSourceFile()).replace(call.call.getStart(), call.call.getEnd(), replacement);
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

/** Lowers and checks one differentiable function. */
function lowerChecked(session: Session, target: DiffFunction): IrFunction {
  const out = session.output(target.file);
  const ir = hoistInvariants(mergeCommonValues(lower(target, session.resolver(target.file), out.names.reservedNames())));
  checkCalls(ir);
  return ir;
}

/** The reusable adjoint of a function: cotangents of every parameter, given the result's. */
function adjointSpec(session: Session, target: DiffFunction, ir: IrFunction): AdjointSpec {
  return {
    kind: "adjoint",
    name: session.adjointName(target),
    wrt: ir.params.flatMap((p, i) => (p.type === "inactive" ? [] : [i])),
    many: true,
    exported: target.exported,
    doc: `Adjoint of \`${target.name}\`: the cotangents of its parameters, given the cotangent of its result.`,
  };
}

/** One generated function of `ir` for `spec`: activity is analysed for its `wrt`. */
function generate(session: Session, out: FileOutput, ir: IrFunction, spec: AdjointSpec, reserved: Set<string>): string {
  const activity = analyse(ir, spec.wrt.map((i) => ir.params[i].name));
  return generateAdjoint(ir, activity, spec, session.rules, reserved, { namespace: () => out.runtimeNamespace() });
}

function generateFor(session: Session, target: DiffFunction, ir: IrFunction): string[] {
  const reserved = session.output(target.file).names.reservedNames();
  const adjoint = adjointSpec(session, target, ir);
  const out = session.output(target.file);
  const texts = [generate(session, out, ir, adjoint, reserved)];
  for (const { spec } of session.requests.get(keyOf(target.decl)) ?? []) {
    const full = { ...spec, exported: target.exported };
    texts.push(spec.kind === "adjoint" ? vjpText(ir, full, adjoint.name, reserved) : generate(session, out, ir, full, reserved));
  }
  const split = session.splits.get(keyOf(target.decl));
  if (split) texts.push(generate(session, out, ir, { ...adjoint, kind: "split", name: split.forward, reverseName: split.reverse }, reserved));
  return texts;
}

/** `vjp(f)`: the value now, and a pullback that runs f's adjoint at the same arguments. */
function vjpText(ir: IrFunction, spec: AdjointSpec, adjoint: string, reserved: Set<string>): string {
  const names = new Names(reserved);
  for (const p of ir.params) names.reserve(p.name);
  const value = names.fresh("value");
  const seed = names.fresh("result_bar");
  const params = [...(ir.self ? [`this: ${ir.self}`] : []), ...ir.params.map((p) => `${p.name}: ${p.typeText}`)].join(", ");
  const args = ir.params.map((p) => p.name).join(", ");
  const adjointCall = ir.self ? `${adjoint}.call(this, ${args ? `${args}, ` : ""}${seed})` : `${adjoint}(${args}, ${seed})`;
  const cotangents = `[${ir.params.map((p) => p.tangentText).join(", ")}]`;
  return [
    `/** ${spec.doc} */`,
    `${spec.exported ? "export " : ""}function ${spec.name}(${params}): [${ir.resultTypeText}, (${seed}: ${ir.resultTangentText}) => ${cotangents}] {`,
    `  const ${value} = ${ir.callText}(${args});`,
    `  return [${value}, (${seed}: ${ir.resultTangentText}) => ${adjointCall}];`,
    `}`,
  ].join("\n");
}

/** TypeScript's own errors in the inputs, as ADG diagnostics: adgen compiles only valid code. */
function typeScriptDiagnostics(files: readonly SourceFile[]): AdgDiagnostic[] {
  const found: AdgDiagnostic[] = [];
  for (const file of files) {
    const program = file.getProject().getProgram().compilerObject;
    const sf = program.getSourceFile(file.getFilePath());
    if (!sf) continue;
    const syntactic = program.getSyntacticDiagnostics(sf);
    const all = syntactic.length ? syntactic : program.getSemanticDiagnostics(sf);
    for (const d of all) {
      if (d.category !== 1 /* Error */) continue;
      const text = typeof d.messageText === "string" ? d.messageText : flatten(d.messageText);
      found.push({
        code: syntactic.length ? codes.typeScriptSyntax : codes.typeScriptType,
        message: `TypeScript error TS${d.code}: ${text}`,
        ...positionIn(file, d.start ?? 0, d.length ?? 0),
      });
    }
  }
  return found;
}

function flatten(chain: import("ts-morph").ts.DiagnosticMessageChain): string {
  return [chain.messageText, ...(chain.next ?? []).map(flatten)].join(" ");
}

export function compile(project: Project, files: readonly SourceFile[]): CompileResult {
  const session = new Session(project, files);
  session.diagnostics.push(...typeScriptDiagnostics(files));
  if (session.diagnostics.length > 0) return { files: [], diagnostics: session.diagnostics };

  session.loadUserRules();
  const targets = files.flatMap((file) => session.guard(file, () => differentiableFunctions(file)) ?? []);
  for (const file of files) {
    const calls = session.guard(file, () => transformCalls(file)) ?? [];
    for (const call of calls) session.guard(call.call, () => planTransform(session, call));
  }
  // Lower everything first: a caller asks for its callees' split halves as it is lowered.
  const lowered = targets.flatMap((target) => {
    const ir = session.guard(target.decl, () => lowerChecked(session, target));
    return ir ? [{ target, ir }] : [];
  });
  for (const { target, ir } of lowered) {
    const texts = session.guard(target.decl, () => generateFor(session, target, ir));
    for (const text of texts ?? []) session.output(target.file).addFunction(text);
  }
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
export function inspect(
  project: Project,
  file: SourceFile,
  options: InspectOptions,
): { text: string; diagnostics: AdgDiagnostic[] } {
  const session = new Session(project, [file]);
  const diagnostics = typeScriptDiagnostics([file]);
  if (diagnostics.length) return { text: "", diagnostics };
  session.loadUserRules();
  const all = session.guard(file, () => differentiableFunctions(file)) ?? [];
  const targets = options.fn ? all.filter((t) => t.name === options.fn || t.base === options.fn) : all;
  if (options.fn && targets.length === 0) {
    const known = all.map((t) => t.name).join(", ") || "none";
    return {
      text: "",
      diagnostics: [{ code: codes.usage, message: `no @differentiable function named \`${options.fn}\` in ${file.getFilePath()} (found: ${known})` }],
    };
  }
  const stage = options.stage ?? "emit";
  const mode = options.mode ?? "grad";
  const parts: string[] = [];
  if (stage === "discover") {
    for (const t of all) parts.push(`@differentiable ${t.name} (line ${t.decl.getStartLineNumber()})${t.exported ? ", exported" : ""}`);
    for (const call of session.guard(file, () => transformCalls(file)) ?? []) {
      parts.push(`${call.kind}(${call.target.name}) wrt [${call.wrt.join(", ")}] at line ${call.call.getStartLineNumber()}`);
    }
  }
  for (const target of stage === "discover" ? [] : targets) {
    const text = session.guard(target.decl, () => {
      const ir = lowerChecked(session, target);
      if (stage === "lower") return printFunction(ir);
      const adjoint = adjointSpec(session, target, ir);
      if (stage === "analyse") {
        const activity = analyse(ir, adjoint.wrt.map((i) => ir.params[i].name));
        return printFunction(ir, (name) =>
          activity.isActive(name) ? "active" : !activity.varied.has(name) ? "inactive: does not depend on the inputs" : "inactive: does not reach the result",
        );
      }
      if (mode === "jvp") throw new CompileError(codes.unsupportedSyntax, "jvp (forward mode) is not supported yet", target.decl);
      const reserved = session.output(file).names.reservedNames();
      if (mode === "vjp") return generate(session, session.output(file), ir, adjoint, reserved);
      const grad: AdjointSpec = {
        kind: "grad",
        name: `${target.base}_grad`,
        wrt: [0],
        many: false,
        exported: target.exported,
        doc: `Gradient of \`${target.name}\` with respect to \`${ir.params[0]?.name}\`.`,
      };
      return generate(session, session.output(file), ir, grad, reserved);
    });
    if (text !== undefined) parts.push(text);
  }
  return { text: parts.join("\n\n") + "\n", diagnostics: session.diagnostics };
}
