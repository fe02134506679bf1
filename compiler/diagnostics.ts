/**
 * The catalogue of adgen diagnostics.
 *
 * Input: nothing. Output: the `ADG` codes with their message templates, the typed
 * error that compiler passes throw at a node, and the tsc-style text front ends print.
 * Invariant: every user-facing failure has a code listed here; internal code never
 * surfaces a bare stack trace.
 */
import * as path from "node:path";
import type { Node } from "ts-morph";

export const codes = {
  // ADG1xxx — syntax adgen does not handle (yet)
  unsupportedSyntax: 1001,
  typeScriptSyntax: 1002,
  writeToInput: 1003,
  closure: 1004,
  exceptions: 1005,
  generator: 1006,
  storedReference: 1007,
  // ADG2xxx — resolution
  notDifferentiableCallee: 2001,
  transformTarget: 2002,
  outsideInputs: 2003,
  ruleShape: 2004,
  // ADG3xxx — types
  nonNumberResult: 3001,
  unsupportedType: 3002,
  typeScriptType: 3003,
  // ADG4xxx — command line
  usage: 4001,
  missingInput: 4002,
  /** a library the compiler needs is not installed (reported before the compiler loads) */
  missingLibrary: 4003,
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
  const file = node.getSourceFile();
  const start = node.getStart();
  const { line, column } = file.getLineAndColumnAtPos(start);
  return { file: file.getFilePath(), start, length: node.getWidth(), line, column };
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

function relativeTo(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}
