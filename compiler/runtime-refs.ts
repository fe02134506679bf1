/**
 * References to the exports of "adgen" in a source file, under whatever name they arrive.
 *
 * Input: a ts-morph source file. Output: every place its code uses a value exported by
 * "adgen" — with the export's name, the expression that names it (`grad`, `g`, `ad.grad`)
 * and the call it is the callee of, if any — and every place it uses adgen's namespace
 * object itself as a value (`use(ad)`). Invariant: a reference is recognised by what the
 * type checker resolves it to, never by its spelling, so renamed imports, namespace imports
 * (`import * as ad`), `import ad = require("adgen")`, re-exports through project files and
 * shorthand properties (`{ grad }`) are all found; type positions (`typeof grad`) and the
 * import and export declarations themselves are not references. The walk is over compiler
 * nodes, and only names that could refer to adgen are resolved, so a file costs one pass.
 */
import { SyntaxKind, ts, type CallExpression, type Node, type SourceFile } from "ts-morph";
import { type SourcePos, positionIn } from "./diagnostics";

export interface RuntimeReference {
  /** the export's name in "adgen" (`grad`), or undefined for the namespace object itself */
  name?: string;
  /** the expression as written (`grad`, `g`, `ad.grad`, `ad`) */
  text: string;
  at: SourcePos;
  /** the call whose callee is exactly this expression (`grad(f)`), if it is one */
  call?: CallExpression;
}

/** adgen's exports as one program's checker sees them: each export (aliases resolved) → its name. */
interface RuntimeModule {
  checker: ts.TypeChecker;
  module: ts.Symbol;
  exports: Map<ts.Symbol, string>;
}

const modulesByProgram = new WeakMap<ts.Program, Map<string, RuntimeModule | undefined>>();
const referencesByFile = new WeakMap<ts.SourceFile, { program: ts.Program; found: RuntimeReference[] }>();

/** The references to adgen in a file, in source order (computed once per file and program). */
export function runtimeReferences(file: SourceFile): RuntimeReference[] {
  const program = file.getProject().getProgram().compilerObject;
  const cached = referencesByFile.get(file.compilerNode);
  if (cached?.program === program) return cached.found;
  const found = scan(file);
  referencesByFile.set(file.compilerNode, { program, found });
  return found;
}

/** The name under which `node` (an identifier or `ns.name`) refers to an export of "adgen". */
export function runtimeExportName(file: SourceFile, node: ts.Node): string | undefined {
  const runtime = runtimeModule(file);
  if (!runtime) return undefined;
  const { checker } = runtime;
  const name = ts.isPropertyAccessExpression(node) ? node.name : node;
  const symbol = checker.getSymbolAtLocation(name);
  return symbol && runtime.exports.get(resolveAlias(checker, symbol));
}

function scan(file: SourceFile): RuntimeReference[] {
  const runtime = runtimeModule(file);
  if (!runtime) return [];
  const { checker } = runtime;
  const source = file.compilerNode;
  const candidates = candidateNames(source, checker, runtime);
  const found: RuntimeReference[] = [];

  // a work list, not recursion: a long expression nests as deep as it is long
  const pending: ts.Node[] = [source];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node) || ts.isExportDeclaration(node)) continue;
    if (ts.isIdentifier(node) && candidates.has(node.text) && !inTypePosition(node)) {
      const reference = referenceAt(node, checker, runtime);
      if (reference && !ts.isExportAssignment(reference.expression.parent)) found.push(located(file, reference));
    }
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
  return found;
}

/** A reference with its position, and the call it is the callee of as a ts-morph node. */
function located(file: SourceFile, { expression, name }: { expression: ts.Expression; name?: string }): RuntimeReference {
  const source = file.compilerNode;
  const start = expression.getStart(source);
  const reference: RuntimeReference = { name, text: expression.getText(source), at: positionIn(file, start, expression.end - start) };
  const parent = expression.parent;
  if (!ts.isCallExpression(parent) || parent.expression !== expression) return reference;
  // from the token at the callee's start up to the call: a walk down by position, and a few steps up
  let node: Node | undefined = file.getDescendantAtPos(start);
  while (node && node.compilerNode !== parent) node = node.getParent();
  return { ...reference, call: node?.asKind(SyntaxKind.CallExpression) };
}

/**
 * What an identifier refers to, if it is adgen: an export (`grad`, or the `grad` of
 * `ad.grad`, reported as the whole `ad.grad`) or the namespace object used as a value. The
 * `ad` of `ad.grad` is not a reference of its own: its member is.
 */
function referenceAt(
  node: ts.Identifier,
  checker: ts.TypeChecker,
  runtime: RuntimeModule,
): { expression: ts.Expression; name?: string } | undefined {
  const parent = node.parent;
  const symbol = ts.isShorthandPropertyAssignment(parent)
    ? checker.getShorthandAssignmentValueSymbol(parent)
    : checker.getSymbolAtLocation(node);
  if (!symbol) return undefined;
  const target = resolveAlias(checker, symbol);
  if (target === runtime.module) {
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return undefined;
    return { expression: node };
  }
  const name = runtime.exports.get(target);
  if (name === undefined) return undefined;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return { expression: parent, name };
  // a property name (`{ grad: 1 }`, `o.grad`) that merely shares the spelling is not a use
  if (ts.isPropertyAssignment(parent) && parent.name === node) return undefined;
  return { expression: node, name };
}

/**
 * The spellings under which a file can reach adgen: the export names, and the local names
 * its imports bind to an export or to the module (`import { grad as g }`, `import * as ad`,
 * `import ad = require("adgen")`), with the member names of namespaces it imports that
 * re-export adgen under other names.
 */
function candidateNames(source: ts.SourceFile, checker: ts.TypeChecker, runtime: RuntimeModule): Set<string> {
  const names = new Set(runtime.exports.values());
  const consider = (name: ts.Identifier | undefined) => {
    const symbol = name && checker.getSymbolAtLocation(name);
    if (!name || !symbol) return;
    const target = resolveAlias(checker, symbol);
    if (target === runtime.module || runtime.exports.has(target)) names.add(name.text);
    if (target.flags & ts.SymbolFlags.Module && target !== runtime.module) {
      for (const member of checker.getExportsOfModule(target)) {
        if (runtime.exports.has(resolveAlias(checker, member))) names.add(member.name);
      }
    }
  };
  for (const statement of source.statements) {
    if (ts.isImportEqualsDeclaration(statement)) consider(statement.name);
    if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
    const { name, namedBindings } = statement.importClause;
    consider(name);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) consider(namedBindings.name);
    if (namedBindings && ts.isNamedImports(namedBindings)) for (const element of namedBindings.elements) consider(element.name);
  }
  return names;
}

/** Whether an identifier is part of a type (`typeof grad`, `ad.GradOptions`), not of a value. */
function inTypePosition(node: ts.Node): boolean {
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (ts.isTypeNode(current)) {
      // `class A extends ad.Base {}` is a value in a type-like node
      const parent = current.parent;
      return !(ts.isExpressionWithTypeArguments(current) && ts.isHeritageClause(parent) && parent.token === SyntaxKind.ExtendsKeyword && ts.isClassLike(parent.parent));
    }
    if (ts.isStatement(current) || ts.isExpression(current) && !ts.isIdentifier(current) && !ts.isPropertyAccessExpression(current)) return false;
  }
  return false;
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * "adgen" as resolved from the file's directory, if the program holds it: a program that
 * never imports adgen, directly or through another file, cannot refer to it.
 */
function runtimeModule(file: SourceFile): RuntimeModule | undefined {
  const project = file.getProject();
  const program = project.getProgram().compilerObject;
  let byDirectory = modulesByProgram.get(program);
  if (!byDirectory) modulesByProgram.set(program, (byDirectory = new Map()));
  const directory = file.getDirectoryPath();
  if (byDirectory.has(directory)) return byDirectory.get(directory);
  const resolved = ts.resolveModuleName("adgen", file.getFilePath(), program.getCompilerOptions(), project.getModuleResolutionHost()).resolvedModule;
  const runtimeFile = resolved && program.getSourceFile(resolved.resolvedFileName);
  const checker = program.getTypeChecker();
  const module = runtimeFile && checker.getSymbolAtLocation(runtimeFile);
  let runtime: RuntimeModule | undefined;
  if (module) {
    const exports = new Map<ts.Symbol, string>();
    for (const exported of checker.getExportsOfModule(module)) exports.set(resolveAlias(checker, exported), exported.name);
    runtime = { checker, module, exports };
  }
  byDirectory.set(directory, runtime);
  return runtime;
}
