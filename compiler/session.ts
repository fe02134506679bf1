/**
 * What one compilation knows about the project, apart from the pass list: the
 * differentiable functions and their lowered IR, the rules, each output file, and the
 * names of generated functions — who asked for which, and how one file refers to another's.
 *
 * Input: a ts-morph Project and the files being built. Output: FileOutputs that collect
 * the replaced transform calls, imports and generated functions, and the diagnostics.
 */
import type { PrintContext } from "./emit/print";
import { Node, type Expression, type Project, type SourceFile } from "ts-morph";
import { CompileError, codes, diagnosticAt, isStackOverflow, messages, type AdgDiagnostic } from "./diagnostics";
import { calleeFunction, importOf, resolveDeclaration, userRuleCalls, type DiffFunction } from "./discover";
import { FileOutput } from "./emit";
import type { Resolver } from "./front/lower";
import { builtinRules, ruleFromCall, type Rule } from "./front/rules";
import type { IrFunction } from "./ir/ir";

export const keyOf = (decl: Node) => `${decl.getSourceFile().getFilePath()}:${decl.getStart()}`;

/** A generated function of a target, by what it computes. */
export interface Generated {
  target: string;
  /** the function's name in the target's file */
  name: string;
  /** files other than the target's that refer to it (it is exported then) */
  usedFrom: Set<string>;
}

export class Session {
  readonly diagnostics: AdgDiagnostic[] = [];
  readonly outputs = new Map<string, FileOutput>();
  readonly rules = new Map<string, Rule>(builtinRules());
  private readonly userRuleKeys = new Map<string, string>();
  /** every differentiable function met, by key */
  readonly targets = new Map<string, DiffFunction>();
  readonly irs = new Map<string, IrFunction>();
  /** generated functions by `<target key>|<what>` */
  readonly generated = new Map<string, Generated>();

  constructor(
    readonly project: Project,
    readonly inputs: readonly SourceFile[],
    private readonly options: { checkedIndexAccess?: boolean } = {},
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
      } else if (isStackOverflow(error)) {
        this.diagnostics.push(diagnosticAt(at, codes.tooDeep, messages.tooDeep()));
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.diagnostics.push(diagnosticAt(at, codes.internal, `internal adgen error while compiling this: ${message}. Please report it with this file.`));
      }
      return undefined;
    }
  }

  output(file: SourceFile): FileOutput {
    const out = this.outputs.get(file.getFilePath());
    if (!out) throw new Error(`no output for ${file.getFilePath()}`);
    return out;
  }

  /** How generated code for `file` is printed: its runtime namespace, fresh names, the project's flags. */
  printContext(file: SourceFile): PrintContext {
    const output = this.output(file);
    return { runtime: () => output.runtimeNamespace(), names: output.names.child(), checkedIndexAccess: this.options.checkedIndexAccess ?? this.project.getCompilerOptions().noUncheckedIndexedAccess === true };
  }

  isInput(file: SourceFile): boolean {
    return this.outputs.has(file.getFilePath());
  }

  track(target: DiffFunction): string {
    const key = keyOf(target.decl);
    if (!this.targets.has(key)) this.targets.set(key, target);
    return key;
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

  /**
   * The name of a generated function of `target` (`what` says which: `grad`, `forward_wrt_0`),
   * decided once, in the target's own file.
   */
  name(target: DiffFunction, what: string, base: string): Generated {
    const key = `${keyOf(target.decl)}|${what}`;
    let found = this.generated.get(key);
    if (!found) {
      found = { target: keyOf(target.decl), name: this.output(target.file).names.fresh(base), usedFrom: new Set() };
      this.generated.set(key, found);
    }
    return found;
  }

  /** A differentiable function's derivative code is generated in its own file, which must be built. */
  requireInput(target: DiffFunction, from: SourceFile, at: Node): void {
    if (this.isInput(target.file)) return;
    throw new CompileError(
      codes.outsideInputs,
      `\`${target.name}\` is defined in ${from.getRelativePathTo(target.file)}, which is not among the files being built; add it to the inputs so its derivative code is generated`,
      at,
    );
  }

  /** How `from` refers to a generated function of `target`'s file: by name, or by an import. */
  reference(from: SourceFile, target: DiffFunction, generated: Generated, at: Node): string {
    if (target.file === from) return generated.name;
    this.requireInput(target, from, at);
    const declaration = importOf(from, target.file);
    if (!declaration) throw new CompileError(codes.outsideInputs, `cannot find how this file imports \`${target.name}\``, at);
    generated.usedFrom.add(from.getFilePath());
    return this.output(from).importName(declaration.specifier, generated.name, declaration.end);
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
      differentiable: (callee) => {
        const target = calleeFunction(callee);
        if (!target) return undefined;
        this.requireInput(target, file, callee);
        this.track(target);
        return target;
      },
      keyOf: (target) => keyOf(target.decl),
    };
  }
}
