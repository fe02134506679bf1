/**
 * The catalogue of adgen diagnostics.
 *
 * Input: nothing. Output: the `ADG` codes with their message templates, the typed
 * error that compiler passes throw at a node, and the tsc-style text front ends print.
 * Invariant: every user-facing failure has a code listed here; internal code never
 * surfaces a bare stack trace.
 */
import * as path from "node:path";
import { ts, type Node, type SourceFile } from "ts-morph";

export const codes = {
  // ADG1xxx — syntax adgen does not handle (yet)
  unsupportedSyntax: 1001,
  typeScriptSyntax: 1002,
  writeToInput: 1003,
  closure: 1004,
  exceptions: 1005,
  generator: 1006,
  // 1007 is retired: storing a parameter's array into another is supported
  moduleWrite: 1008,
  tooDeep: 1009,
  // ADG2xxx — resolution
  notDifferentiableCallee: 2001,
  transformTarget: 2002,
  outsideInputs: 2003,
  ruleShape: 2004,
  transformReference: 2005,
  effectsRerun: 2006,
  // ADG3xxx — types
  nonNumberResult: 3001,
  unsupportedType: 3002,
  typeScriptType: 3003,
  // ADG4xxx — command line and files
  usage: 4001,
  missingInput: 4002,
  outDirOverlap: 4003,
  outDirNotOwned: 4004,
  unreadable: 4005,
  unwritable: 4006,
  badEncoding: 4007,
  /** a library the compiler needs is not installed (reported before the compiler loads) */
  missingLibrary: 4008,
  // ADG9xxx — internal
  internal: 9001,
} as const;

export type Code = (typeof codes)[keyof typeof codes];

/** A diagnostic as data: front ends turn it into text or into a ts.Diagnostic. */
export interface AdgDiagnostic {
  code: Code;
  message: string;
  /** absent for command-line errors that belong to no file */
  file?: string;
  /** 1-based, as tsc prints them */
  line?: number;
  column?: number;
  /** 0-based offset and length in the file, for editors and tsc diagnostics */
  start?: number;
  length?: number;
}

/** A stack overflow: a limit of nesting, not a bug, reported as ADG1009. */
export const isStackOverflow = (error: unknown): boolean => error instanceof RangeError && /call stack/i.test(error.message);

/** Thrown by a pass at the node it cannot handle; the pipeline turns it into a diagnostic. */
export class CompileError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly at?: Node | SourcePos,
  ) {
    super(message);
  }
}

/** A place in a source file, kept as plain data so the IR needs no AST. */
export interface SourcePos {
  file: string;
  start: number;
  length: number;
  line: number;
  column: number;
}

export function sourcePos(node: Node): SourcePos {
  return positionIn(node.getSourceFile(), node.getStart(), node.getWidth());
}

/**
 * A position by offset. Lines as the compiler counts them (CR, LF and CRLF all end a line),
 * found by binary search in its table of line starts: ts-morph's own lookup counts only LF
 * and rescans the text up to the offset on every call.
 */
export function positionIn(file: SourceFile, start: number, length: number): SourcePos {
  const { line, character } = ts.getLineAndCharacterOfPosition(file.compilerNode, start);
  return { file: file.getFilePath(), start, length, line: line + 1, column: character + 1 };
}

export function diagnosticAt(at: Node | SourcePos, code: Code, message: string): AdgDiagnostic {
  const pos = "getSourceFile" in at ? sourcePos(at) : at;
  return { code, message, ...pos };
}

/** `path:line:col - error ADG1234: message` (the tsc format, so editors and CI link it). */
export function formatDiagnostic(d: AdgDiagnostic, cwd = process.cwd()): string {
  const where = d.file
    ? `${relativeTo(cwd, d.file)}${d.line !== undefined ? `:${d.line}:${d.column}` : ""} - `
    : "";
  return `${where}error ADG${d.code}: ${d.message}`;
}

/** A path as tsc prints it: relative to `cwd` when beneath it, `.` for `cwd` itself. */
function relativeTo(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === "") return ".";
  return rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

/**
 * The messages, one sentence each: what the construct is, and the fix that applies to it.
 * Passes throw `new CompileError(code, messages.x(…), node)`.
 */
export const messages = {
  unsupported: (what: string, advice?: string) => `${what} is not supported in a @differentiable function${advice ? `; ${advice}` : ""}`,
  exception: (what: string) =>
    `${what} is not supported in a @differentiable function: the reverse sweep cannot follow an exception. Check the condition before the call instead, or keep the guarded code outside the function`,
  suspends: (what: string) =>
    `${what} is not supported in a @differentiable function: it must run to completion in one call. Compute the values first and pass them in`,
  recursiveLocal: (name: string) =>
    `the local function \`${name}\` calls itself, so it cannot be inlined; make it a top-level /** @differentiable */ function and call that`,
  localAsValue: (name: string) =>
    `the local function \`${name}\` is used as a value; call it, or pass it to map, reduce or forEach, where it is inlined (or make it a top-level /** @differentiable */ function)`,
  moduleWrite: (name: string) =>
    `\`${name}\` is declared outside the function, and a @differentiable function may only read such values; keep the value in a local variable, or return it`,
  tooDeep: () =>
    "this code nests deeper, or chains more operations, than the compiler's stack can follow here (TypeScript's own limit is about 1,000 levels); split it into smaller functions, or build it with the `adgen` CLI, which runs with a deeper stack",
  /** `reruns`: how the transform runs the function more than once ("again in its pullback") */
  effectsRerun: (call: string, name: string, reruns: string, effect: { text: string; pos: { file: string; line: number } }) =>
    `${call} runs \`${name}\` ${reruns}, and \`${name}\` has effects that would run again or give other values ` +
    `(\`${effect.text}\`, ${path.basename(effect.pos.file)}:${effect.pos.line}). Pass such values in as arguments, or use grad or valueAndGrad, which run it once`,
  writeToInput: (code: string) =>
    `\`${code}\` writes into an array or object this function did not create (a parameter's, or a module's); a @differentiable function must leave its inputs unchanged. Copy it into a local array first (e.g. \`const a = Float64Array.from(x)\`)`,
} as const;
