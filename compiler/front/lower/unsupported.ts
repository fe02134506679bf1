/**
 * The error for a construct lowering meets but does not handle: ADG1001, naming the
 * construct and, where one applies, the fix. The fence pass rejects what it can up front;
 * this is lowering's own last word on the cases only it can see.
 */
import { Node, SyntaxKind } from "ts-morph";
import { CompileError, codes } from "../../diagnostics";

export function unsupported(node: Node, what = constructName(node), advice?: string): CompileError {
  return new CompileError(codes.unsupportedSyntax, `${what} is not supported in a @differentiable function${advice ? `; ${advice}` : ""}`, node);
}

const names: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.ForInStatement]: "a `for…in` loop",
  [SyntaxKind.ClassDeclaration]: "a class declaration",
  [SyntaxKind.ClassExpression]: "a class expression",
  [SyntaxKind.NewExpression]: "`new`",
  [SyntaxKind.DeleteExpression]: "`delete`",
  [SyntaxKind.TaggedTemplateExpression]: "a tagged template",
  [SyntaxKind.RegularExpressionLiteral]: "a regular expression",
  [SyntaxKind.WithStatement]: "`with`",
  [SyntaxKind.DebuggerStatement]: "`debugger`",
  [SyntaxKind.CommaToken]: "the comma operator",
  [SyntaxKind.VoidExpression]: "`void`",
  [SyntaxKind.SpreadElement]: "spread",
};

export function constructName(node: Node): string {
  return names[node.getKind()] ?? `\`${node.getKindName()}\``;
}
