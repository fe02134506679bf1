/**
 * TypeScript's own errors in the inputs, as ADG diagnostics: adgen compiles only code that
 * TypeScript accepts, so every later pass may trust the types it reads. A few errors that
 * mean a misspelt transform call get adgen's own explanation instead.
 */
import { Node, type SourceFile, type ts } from "ts-morph";
import { codes, positionIn, type AdgDiagnostic } from "./diagnostics";

/** TS2339: Property 'x' does not exist on type 'y'. */
const noSuchProperty = 2339;

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
      const at = positionIn(file, d.start ?? 0, d.length ?? 0);
      const explained = d.code === noSuchProperty ? instanceMethodOfClass(file, d.start ?? 0) : undefined;
      if (explained) found.push({ code: codes.transformTarget, message: explained, ...at });
      else found.push({ code: syntactic.length ? codes.typeScriptSyntax : codes.typeScriptType, message: `TypeScript error TS${d.code}: ${text}`, ...at });
    }
  }
  return found;
}

/**
 * `grad(Model.loss)` where `loss` is an instance method of the class `Model`: the spellings
 * that name it. Undefined for any other missing property.
 */
function instanceMethodOfClass(file: SourceFile, start: number): string | undefined {
  const name = file.getDescendantAtPos(start);
  const access = name?.getParent();
  if (!access || !Node.isPropertyAccessExpression(access) || access.getNameNode() !== name) return undefined;
  const call = access.getParent();
  if (!Node.isCallExpression(call) || !call.getArguments().includes(access)) return undefined;
  const declaration = access.getExpression().getSymbol()?.getValueDeclaration();
  if (!declaration || !Node.isClassDeclaration(declaration)) return undefined;
  const method = declaration.getInstanceMethod(access.getName());
  if (!method) return undefined;
  const cls = access.getExpression().getText();
  const instance = cls.charAt(0).toLowerCase() + cls.slice(1);
  const transform = call.getExpression().getText();
  return (
    `\`${access.getText()}\` is an instance method of \`${cls}\`, not a property of the class: write \`${transform}(${instance}.${access.getName()})\` ` +
    `for an instance \`${instance}\` (the result is bound to it), or \`${transform}(${cls}.prototype.${access.getName()})\` and call the result with \`.call(${instance}, …)\``
  );
}

function flatten(chain: ts.DiagnosticMessageChain): string {
  return [chain.messageText, ...(chain.next ?? []).map(flatten)].join(" ");
}
