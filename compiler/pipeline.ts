/**
 * The pass order, in one place, and the one core entry that every front end calls.
 *
 *   discover ─▶ lower ─▶ analyse ─▶ differentiate ─▶ emit
 *
 * Input: a ts-morph Project and the source files to rewrite. Output: for each file its
 * new text (user code kept line for line, transform calls replaced in place, generated
 * functions appended), plus diagnostics. Nothing here touches the file system or formats:
 * front ends do that.
 */
import type { Project, SourceFile } from "ts-morph";
import type { AdgDiagnostic } from "./diagnostics";

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

export declare function compile(project: Project, files: readonly SourceFile[]): CompileResult;
export declare function inspect(
  project: Project,
  file: SourceFile,
  options: InspectOptions,
): { text: string; diagnostics: AdgDiagnostic[] };
