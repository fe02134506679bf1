/** TypeScript operator tokens as the IR spells them. */
import { SyntaxKind } from "ts-morph";

export const binaryOperators: Readonly<Record<number, string>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.AsteriskAsteriskToken]: "**",
  [SyntaxKind.LessThanToken]: "<",
  [SyntaxKind.LessThanEqualsToken]: "<=",
  [SyntaxKind.GreaterThanToken]: ">",
  [SyntaxKind.GreaterThanEqualsToken]: ">=",
  [SyntaxKind.EqualsEqualsToken]: "==",
  [SyntaxKind.EqualsEqualsEqualsToken]: "===",
  [SyntaxKind.ExclamationEqualsToken]: "!=",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "!==",
  [SyntaxKind.AmpersandToken]: "&",
  [SyntaxKind.BarToken]: "|",
  [SyntaxKind.CaretToken]: "^",
  [SyntaxKind.LessThanLessThanToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanToken]: ">>",
  [SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: ">>>",
  [SyntaxKind.InKeyword]: "in",
  [SyntaxKind.InstanceOfKeyword]: "instanceof",
};

export const prefixOperators: Readonly<Record<number, string>> = {
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.ExclamationToken]: "!",
  [SyntaxKind.TildeToken]: "~",
};

export const logicalOperators: Readonly<Record<number, "&&" | "||" | "??">> = {
  [SyntaxKind.AmpersandAmpersandToken]: "&&",
  [SyntaxKind.BarBarToken]: "||",
  [SyntaxKind.QuestionQuestionToken]: "??",
};

export const compoundOperators: Readonly<Record<number, string>> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "**",
};
