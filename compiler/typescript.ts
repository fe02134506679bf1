/**
 * TypeScript's own errors in the inputs, as ADG diagnostics: adgen compiles only code that
 * TypeScript accepts, so every later pass may trust the types it reads.
 */
import type { SourceFile, ts } from "ts-morph";
import { codes, positionIn, type AdgDiagnostic } from "./diagnostics";

export function typeScriptDiagnostics(files: readonly SourceFile[]): AdgDiagnostic[] {
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

function flatten(chain: ts.DiagnosticMessageChain): string {
  return [chain.messageText, ...(chain.next ?? []).map(flatten)].join(" ");
}
