/**
 * Discover: what in a project adgen has to act on.
 *
 * Input: ts-morph source files. Output: the `@differentiable` functions (JSDoc tag or the
 * runtime's decorator), users' `defineDerivative` rules, and the call sites of the
 * transforms imported from "adgen". The JSDoc tag is read from the raw comment text, so
 * discovery does not depend on how much JSDoc the compiler chose to parse.
 */
import {
  Node,
  type ArrowFunction,
  type CallExpression,
  type FunctionDeclaration,
  type FunctionExpression,
  type MethodDeclaration,
  type SourceFile,
} from "ts-morph";
import { CompileError, codes } from "./diagnostics";
import { runtimeExportName, runtimeReferences, type RuntimeReference } from "./runtime-refs";

export type FunctionLike = FunctionDeclaration | ArrowFunction | FunctionExpression | MethodDeclaration;

export interface DiffFunction {
  /** the declared name (`loss`, or `Affine.apply` for a method) */
  name: string;
  /** an identifier to name generated functions after (`loss`, `Affine_apply`) */
  base: string;
  /** how generated code calls the function itself (`loss`, `this.apply`, `Model.create`) */
  callText: string;
  /** for a method that reads `this`: the receiver's type text */
  self?: string;
  file: SourceFile;
  /** the function itself */
  fn: FunctionLike;
  /** the declaration that names it (function declaration or `const` declarator) */
  decl: Node;
  exported: boolean;
}

export type TransformKind = "grad" | "valueAndGrad" | "vjp" | "jvp";
export const transformKinds: readonly TransformKind[] = ["grad", "valueAndGrad", "vjp", "jvp"];
/** Every transform "adgen" exports or will: each use must be a direct call that is compiled. */
const transformExports: readonly string[] = [...transformKinds, "hvp", "hessian", "jacobian"];

export interface TransformCall {
  kind: TransformKind;
  call: CallExpression;
  target: DiffFunction;
  /** parameter indices asked for; `many` when `wrt` was an array (result is a tuple) */
  wrt: number[];
  many: boolean;
  /** `obj` in `grad(obj.method)`: the receiver the generated function is bound to */
  receiver?: string;
}

const tagPattern = /\/\*\*[\s\S]*?@differentiable\b[\s\S]*?\*\//;

/** Whether a declaration carries the `@differentiable` JSDoc tag in its leading comments. */
function hasTag(node: Node): boolean {
  return node.getLeadingCommentRanges().some((range) => tagPattern.test(range.getText()));
}

/** The function a declaration names, if it is a function declaration or `const f = () => …`. */
export function functionOf(decl: Node): FunctionLike | undefined {
  if (Node.isFunctionDeclaration(decl) || Node.isMethodDeclaration(decl)) return decl;
  if (Node.isVariableDeclaration(decl)) {
    const init = decl.getInitializer();
    if (Node.isArrowFunction(init) || Node.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/** The node whose leading comment holds a declaration's JSDoc. */
function docHost(decl: Node): Node {
  return Node.isVariableDeclaration(decl) ? decl.getVariableStatementOrThrow() : decl;
}

/** Whether a method carries the runtime's `@differentiable` decorator. */
function hasDecorator(method: MethodDeclaration): boolean {
  const file = method.getSourceFile();
  return method.getDecorators().some((d) => runtimeExportName(file, d.getExpression().compilerNode) === "differentiable");
}

/** A class method or an object-literal method marked `@differentiable`. */
function asDiffMethod(method: MethodDeclaration): DiffFunction | undefined {
  if (!hasTag(method) && !hasDecorator(method)) return undefined;
  const owner = method.getParentOrThrow();
  const name = method.getName();
  const file = method.getSourceFile();
  if (Node.isClassDeclaration(owner)) {
    const className = owner.getName();
    if (!className) return undefined;
    const isStatic = method.isStatic();
    return {
      name: `${className}.${name}`,
      base: `${className}_${name}`,
      callText: isStatic ? `${className}.${name}` : `this.${name}`,
      self: isStatic ? undefined : className,
      file,
      fn: method,
      decl: method,
      exported: owner.isExported(),
    };
  }
  if (Node.isObjectLiteralExpression(owner)) {
    const holder = owner.getParent();
    if (!Node.isVariableDeclaration(holder)) return undefined;
    const objectName = holder.getName();
    const statement = holder.getVariableStatementOrThrow();
    return {
      name: `${objectName}.${name}`,
      base: `${objectName}_${name}`,
      callText: `this.${name}`,
      self: `typeof ${objectName}`,
      file,
      fn: method,
      decl: method,
      exported: statement.isExported(),
    };
  }
  return undefined;
}

export function asDiffFunction(decl: Node): DiffFunction | undefined {
  if (Node.isMethodDeclaration(decl)) return asDiffMethod(decl);
  const fn = functionOf(decl);
  if (!fn || !hasTag(docHost(decl))) return undefined;
  const name = Node.isFunctionDeclaration(decl) || Node.isVariableDeclaration(decl) ? decl.getName() : undefined;
  if (!name) return undefined;
  const host = docHost(decl);
  const exported = Node.isExportable(host) && host.isExported();
  return { name, base: name, callText: name, file: decl.getSourceFile(), fn, decl, exported };
}

/** The `@differentiable` functions declared at the top level of a file, in source order. */
export function differentiableFunctions(file: SourceFile): DiffFunction[] {
  const found: DiffFunction[] = [];
  const add = (diff: DiffFunction | undefined) => diff && found.push(diff);
  for (const statement of file.getStatements()) {
    if (Node.isClassDeclaration(statement)) {
      for (const method of statement.getMethods()) add(asDiffMethod(method));
      continue;
    }
    const decls = Node.isVariableStatement(statement) ? statement.getDeclarations() : [statement];
    for (const decl of decls) {
      add(asDiffFunction(decl));
      const init = Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined;
      if (Node.isObjectLiteralExpression(init)) {
        for (const member of init.getProperties()) if (Node.isMethodDeclaration(member)) add(asDiffMethod(member));
      }
    }
  }
  return found;
}

/** The `@differentiable` function an expression names: `f`, `obj.method` or `Class.method`. */
export function calleeFunction(node: Node): DiffFunction | undefined {
  const named = Node.isPropertyAccessExpression(node) ? node.getNameNode() : Node.isIdentifier(node) ? node : undefined;
  const decl = named && resolveDeclaration(named);
  return decl && asDiffFunction(decl);
}

/** The declaration an identifier stands for, through imports and aliases. */
export function resolveDeclaration(node: Node): Node | undefined {
  let symbol = node.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
  return symbol?.getDeclarations()[0];
}

/**
 * The transform calls in a file, each resolved to its target and `wrt` list. A transform
 * used any other way (`(grad as any)(f)`, `const G = grad`, adgen's namespace passed
 * around) would throw at run time, uncompiled: it is an error here.
 */
export function transformCalls(file: SourceFile): TransformCall[] {
  const calls: TransformCall[] = [];
  for (const reference of runtimeReferences(file)) {
    if (reference.name !== undefined && !transformExports.includes(reference.name)) continue;
    if (!reference.call) throw misusedTransform(reference);
    const kind = reference.name as TransformKind;
    if (!transformKinds.includes(kind)) {
      throw new CompileError(codes.unsupportedSyntax, `\`${reference.text}\` is not supported by this version of adgen; use ${transformKinds.join(", ")}`, reference.at);
    }
    calls.push(readTransformCall(reference.call, kind));
  }
  return calls;
}

function misusedTransform({ name, text, at }: RuntimeReference): CompileError {
  const why = "adgen compiles only direct calls of its transforms, and any other use would throw when it runs";
  return name === undefined
    ? new CompileError(codes.transformReference, `adgen's namespace \`${text}\` is used here as a value: ${why}; call them through it, as in \`${text}.grad(f)\``, at)
    : new CompileError(codes.transformReference, `\`${text}\` is used here other than in a direct call such as \`${text}(f)\`: ${why}`, at);
}

function readTransformCall(call: CallExpression, kind: TransformKind): TransformCall {
  const [targetArg, options] = call.getArguments();
  if (!targetArg) {
    throw new CompileError(codes.transformTarget, `${kind}() needs the function to differentiate`, call);
  }
  const target = calleeFunction(targetArg);
  if (!target) {
    throw new CompileError(
      codes.transformTarget,
      `${kind}(${targetArg.getText()}): the argument must name a function marked /** @differentiable */ (a function declaration, a const arrow function or a method, in this file or imported)`,
      targetArg,
    );
  }
  const arity = target.fn.getParameters().length;
  const { wrt, many } = readWrt(options, kind, arity);
  // `obj.method` binds the gradient to obj; `Class.prototype.method` stays unbound, as the method itself is
  const owner = Node.isPropertyAccessExpression(targetArg) ? targetArg.getExpression() : undefined;
  const unbound = owner && Node.isPropertyAccessExpression(owner) && owner.getName() === "prototype";
  const receiver = target.self && owner && !unbound ? owner.getText() : undefined;
  return { kind, call, target, wrt, many, receiver };
}

function readWrt(options: Node | undefined, kind: TransformKind, arity: number): { wrt: number[]; many: boolean } {
  if (!options || kind === "vjp" || kind === "jvp") return { wrt: [0], many: false };
  const bad = (node: Node, why: string) =>
    new CompileError(codes.transformTarget, `${kind} options: ${why}`, node);
  if (!Node.isObjectLiteralExpression(options)) throw bad(options, "write them as an object literal, e.g. { wrt: 1 }");
  const prop = options.getProperty("wrt");
  if (!prop) return { wrt: [0], many: false };
  if (!Node.isPropertyAssignment(prop)) throw bad(prop, "write `wrt: <index>` or `wrt: [<indices>]`");
  const init = prop.getInitializerOrThrow();
  const index = (node: Node): number => {
    if (!Node.isNumericLiteral(node)) throw bad(node, "`wrt` indices must be integer literals");
    const value = node.getLiteralValue();
    if (!Number.isInteger(value) || value < 0 || value >= arity) {
      throw bad(node, `parameter index ${node.getText()} is out of range: the function has ${arity} parameter(s)`);
    }
    return value;
  };
  if (Node.isArrayLiteralExpression(init)) return { wrt: init.getElements().map(index), many: true };
  return { wrt: [index(init)], many: false };
}

/** Users' `defineDerivative(fn, …)` calls in a file, with the declaration each one is for. */
export function userRuleCalls(file: SourceFile): { call: CallExpression; decl: Node }[] {
  const found: { call: CallExpression; decl: Node }[] = [];
  for (const { name, call } of runtimeReferences(file)) {
    if (name !== "defineDerivative" || !call) continue;
    const target = call.getArguments()[0];
    const decl = target && resolveDeclaration(target);
    if (!decl) {
      throw new CompileError(codes.ruleShape, "defineDerivative: the first argument must name a function", call);
    }
    found.push({ call, decl });
  }
  return found;
}

/**
 * How `from` imports `target`: the module specifier and the end of the first import of it
 * (`import … from`, `import * as`, `import x = require(…)`), where generated code may add
 * an import of its own on the same line.
 */
export function importOf(from: SourceFile, target: SourceFile): { specifier: string; end: number } | undefined {
  for (const statement of from.getStatements()) {
    if (Node.isImportDeclaration(statement) && !statement.isTypeOnly() && statement.getModuleSpecifierSourceFile() === target) {
      return { specifier: statement.getModuleSpecifierValue(), end: statement.getEnd() };
    }
    if (Node.isImportEqualsDeclaration(statement)) {
      const reference = statement.getModuleReference();
      if (Node.isExternalModuleReference(reference) && reference.getReferencedSourceFile() === target) {
        const specifier = reference.getExpression();
        if (Node.isStringLiteral(specifier)) return { specifier: specifier.getLiteralValue(), end: statement.getEnd() };
      }
    }
  }
  return undefined;
}
