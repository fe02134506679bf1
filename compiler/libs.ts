/**
 * The default libraries without the DOM, for a build whose code never meets the DOM.
 *
 * When the compiler options leave `lib` to tsc, tsc reads the ECMAScript libraries of the
 * target and the DOM's (`lib.dom.d.ts` alone is 2 MB, most of what a small build parses and
 * binds). Input: the compiler options, then the program built without the DOM. Output: the
 * `lib` to try first, then whether the DOM must come back. Invariant: adgen's program has
 * the DOM only when it could matter — a program without it is kept only when no file but
 * the libraries names a global the DOM declares (nor `globalThis`, `import.meta` or a
 * script's `this`, which reach the globals without naming them), and TypeScript reports no
 * error in the inputs (an error's text may list DOM names). The DOM's declarations are then
 * never looked up, so every type and every diagnostic is what tsc would give.
 */
import * as path from "node:path";
import { type Project, type SourceFile, ts } from "ts-morph";
import { loadProject } from "./project";
import { typeScriptDiagnostics } from "./typescript";

/** The DOM's libraries among those the default `lib` references. */
const domLibraries = new Set(["dom", "dom.iterable", "dom.asynciterable", "webworker.importscripts"]);

/**
 * The names both the DOM's and the kept libraries declare, and how code reaches the DOM's
 * side without naming a DOM global. Any other shared name keeps the DOM in.
 */
const implicitlyReached: ReadonlyMap<string, (node: ts.Node) => boolean> = new Map([
  // the DOM adds `url` and `resolve` to the type of `import.meta`
  ["ImportMeta", (node: ts.Node) => ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword],
  // the DOM's is `CSS.escape`, reached only through `CSS`, a DOM global
  ["escape", () => false],
]);

export interface LeanLibraries {
  /** the `lib` option: the default libraries but the DOM's */
  lib: string[];
  /** the global names the DOM's libraries declare, and `globalThis` */
  domNames: ReadonlySet<string>;
}

/** The libraries ts-morph serves, by file name, as it reads them (loaded once). */
let libraryTexts: ReadonlyMap<string, string> | undefined;

function libraries(): ReadonlyMap<string, string> {
  if (!libraryTexts) {
    const common = require(require.resolve("@ts-morph/common", { paths: [path.dirname(require.resolve("ts-morph"))] })) as {
      getLibFiles(): readonly { fileName: string; text: string }[];
    };
    libraryTexts = new Map(common.getLibFiles().map((file) => [file.fileName, file.text]));
  }
  return libraryTexts;
}

const referencedLibraries = (text: string) => [...text.matchAll(/^\/\/\/ <reference lib="([^"]+)" \/>/gm)].map((match) => match[1]!);

/** A library and every library it references, as file names. */
function withReferences(names: readonly string[], texts: ReadonlyMap<string, string>, into = new Set<string>()): Set<string> {
  for (const name of names) {
    const file = `lib.${name}.d.ts`;
    if (into.has(file)) continue;
    into.add(file);
    withReferences(referencedLibraries(texts.get(file) ?? ""), texts, into);
  }
  return into;
}

/**
 * The names a library declares, at its top level and in its namespaces: every name after a
 * declaring keyword (in a comment too: stripping comments could cut code where a string
 * holds `//`). Cheap — a regular expression over the text, where parsing the DOM costs a
 * tenth of a second — and never short of a top-level name, as test/libs.test.ts checks
 * against the libraries' syntax trees; an extra name only costs a lookup, or the DOM.
 */
export function declaredNames(text: string): Set<string> {
  const declaration = /\b(?:var|let|const|function|class|enum|interface|type|namespace|module)\s+([A-Za-z_$][\w$]*)/g;
  return new Set([...text.matchAll(declaration)].map((match) => match[1]!));
}

/**
 * The libraries to try for `options`, or undefined when they set `lib` or `noLib`, or when
 * the DOM merges into a declaration that code could reach unnamed in a way not known here.
 */
export function leanLibraries(options: ts.CompilerOptions): LeanLibraries | undefined {
  if (options.lib !== undefined || options.noLib) return undefined;
  let texts: ReadonlyMap<string, string>;
  try {
    texts = libraries();
  } catch {
    return undefined;
  }
  const referenced = referencedLibraries(texts.get(ts.getDefaultLibFileName(options)) ?? "");
  const kept = referenced.filter((name) => !domLibraries.has(name));
  if (kept.length === referenced.length) return undefined;
  const keptFiles = withReferences(kept, texts);
  const domFiles = [...withReferences([...domLibraries], texts)].filter((file) => !keptFiles.has(file));
  const keptNames = new Set([...keptFiles].flatMap((file) => [...declaredNames(texts.get(file) ?? "")]));
  const domNames = new Set(domFiles.flatMap((file) => [...declaredNames(texts.get(file) ?? "")]));
  if ([...domNames].some((name) => keptNames.has(name) && !implicitlyReached.has(name))) return undefined;
  domNames.add("globalThis");
  return { lib: kept.map((name) => `lib.${name}.d.ts`), domNames };
}

/**
 * Why `program` (built with `lean.lib`) might differ from the same program with the DOM:
 * a file (not a library) that names a DOM global (a name it declares itself, a parameter
 * `length` say, shadows the global and is no reason), reaches the DOM's merged
 * declarations, references a library itself, is JavaScript (its JSDoc types are code), or
 * is a script using `this` at the top (`typeof globalThis`). Undefined when nothing could.
 */
export function domReach(program: ts.Program, lean: LeanLibraries): string | undefined {
  const checker = program.getTypeChecker();
  for (const file of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(file)) continue;
    if (file.libReferenceDirectives.length > 0) return `${file.fileName} references a library`;
    if (/\.[cm]?jsx?$/.test(file.fileName)) return `${file.fileName} is JavaScript`;
    const script = !ts.isExternalModule(file) && !file.isDeclarationFile;
    const found = reachInFile(file, lean.domNames, script, checker);
    if (found) return `${file.fileName} names ${found}`;
  }
  return undefined;
}

/** The first DOM global the file names or reaches, outside member names (`a.length`, `{ name: … }`). */
function reachInFile(file: ts.SourceFile, domNames: ReadonlySet<string>, script: boolean, checker: ts.TypeChecker): string | undefined {
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node)) {
      if (domNames.has(node.text) && !isMemberName(node) && !isLocal(resolved(node, checker))) found = node.text;
      return;
    }
    if (script && node.kind === ts.SyntaxKind.ThisKeyword) found = "this";
    for (const [name, reaches] of implicitlyReached) if (reaches(node)) found = name;
    if (!found) ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** What a name stands for where it is written: in `{ name }` the variable, not the property. */
function resolved(node: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  const parent = node.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return checker.getShorthandAssignmentValueSymbol(parent);
  if (ts.isExportSpecifier(parent)) return checker.getExportSpecifierLocalTargetSymbol(parent);
  return checker.getSymbolAtLocation(node);
}

/**
 * Whether every declaration of a symbol lies in a scope that comes before the globals: a
 * function's, a class's, a type's, a namespace's or a module file's (but `declare global`).
 * Anything else — a script's top level, an unresolved name — may meet the DOM.
 */
function isLocal(symbol: ts.Symbol | undefined): boolean {
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every(isLocalDeclaration);
}

function isLocalDeclaration(declaration: ts.Node): boolean {
  for (let node = declaration.parent; node; node = node.parent) {
    if (ts.isModuleDeclaration(node)) return (node.flags & ts.NodeFlags.GlobalAugmentation) === 0;
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return true;
    if (ts.isMappedTypeNode(node) || ts.isInferTypeNode(node)) return true;
    if (ts.isSourceFile(node)) return ts.isExternalModule(node);
  }
  return false;
}

/** A name looked up among a type's members, never among the globals. */
function isMemberName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isQualifiedName(parent)) return parent.right === node;
  if (ts.isBindingElement(parent)) return parent.propertyName === node;
  const named =
    ts.isPropertyAssignment(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isGetAccessorDeclaration(parent) ||
    ts.isSetAccessorDeclaration(parent) ||
    ts.isEnumMember(parent);
  return named && parent.name === node;
}

/** Sets `project` to the default libraries without the DOM's where that may be tried: what was set, if anything. */
export function leaveDomOut(project: Project): LeanLibraries | undefined {
  const lean = leanLibraries(project.compilerOptions.get());
  if (lean) project.compilerOptions.set({ lib: lean.lib });
  return lean;
}

/**
 * Puts the DOM's libraries back into a project that `leaveDomOut` set, when its program
 * could meet them or TypeScript finds an error in `inputs`: whether it did.
 */
export function bringDomBack(project: Project, inputs: readonly SourceFile[], lean: LeanLibraries): boolean {
  if (domReach(project.getProgram().compilerObject, lean) === undefined && typeScriptDiagnostics(inputs).length === 0) return false;
  project.compilerOptions.set({ lib: undefined });
  project.resolveSourceFileDependencies();
  return true;
}

/** `loadProject` over the inputs' texts, without the DOM's libraries where that changes nothing. */
export function loadProjectLean(files: ReadonlyMap<string, string>, tsconfig?: string): Project {
  let lean: LeanLibraries | undefined;
  const project = loadProject(files, tsconfig, (options) => {
    lean = leanLibraries(options);
    return lean && { lib: lean.lib };
  });
  if (lean) bringDomBack(project, [...files.keys()].map((file) => project.getSourceFileOrThrow(file)), lean);
  return project;
}
