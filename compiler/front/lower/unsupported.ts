/**
 * The error for a construct lowering meets but does not handle: ADG1001, naming the
 * construct and, where one applies, the fix, from the catalogue `constructs`. The fence pass
 * rejects what it can up front; this is lowering's own last word on the cases only it can
 * see (a construct in a position lowering does not take, such as `void` or the comma
 * operator inside an expression).
 */
import { Node, SyntaxKind } from "ts-morph";
import { CompileError, codes, constructs, messages, type Construct } from "../../diagnostics";
import { rejectedKinds } from "../fence";

const byKind: Partial<Record<SyntaxKind, Construct>> = {
  ...rejectedKinds,
  [SyntaxKind.RegularExpressionLiteral]: constructs.regularExpression,
  [SyntaxKind.CommaToken]: constructs.comma,
  [SyntaxKind.VoidExpression]: constructs.void,
};

export function unsupported(node: Node, construct?: Construct): CompileError {
  const [what, advice] = construct ?? byKind[node.getKind()] ?? [undefined];
  return new CompileError(codes.unsupportedSyntax, what ? messages.unsupported(what, advice) : messages.unknownConstruct(node.getKindName()), node);
}
