/**
 * How TypeScript types take part in differentiation.
 *
 * Input: a ts-morph Type. Output: its VarType (number, reference to something holding
 * numbers, or inactive) and the type text of its tangent as API.md shapes it: numbers stay
 * numbers, float arrays keep their type, `number[]` and nested arrays nest, tuples and
 * objects keep their differentiable fields only. Anything else is ADG3002.
 */
import { Node, SyntaxKind, type Type } from "ts-morph";
import { CompileError, codes } from "./diagnostics";
import type { VarType } from "./ir";

export interface TypeInfo {
  type: VarType;
  /** the tangent's type text; `null` for inactive values */
  tangent: string;
}

const inactive: TypeInfo = { type: "inactive", tangent: "null" };

export function unsupported(node: Node, what = constructName(node)): CompileError {
  return new CompileError(
    codes.unsupportedSyntax,
    `${what} is not supported in a @differentiable function yet; move it out of the function or rewrite it with the supported constructs (see the README)`,
    node,
  );
}

/** How a construct is named in "… is not supported" messages. */
function constructName(node: Node): string {
  const names: Partial<Record<SyntaxKind, string>> = {
    [SyntaxKind.IfStatement]: "an `if` statement",
    [SyntaxKind.ForStatement]: "a `for` loop",
    [SyntaxKind.ForOfStatement]: "a `for…of` loop",
    [SyntaxKind.ForInStatement]: "a `for…in` loop",
    [SyntaxKind.WhileStatement]: "a `while` loop",
    [SyntaxKind.DoStatement]: "a `do…while` loop",
    [SyntaxKind.SwitchStatement]: "a `switch` statement",
    [SyntaxKind.TryStatement]: "a `try` statement",
    [SyntaxKind.ThrowStatement]: "a `throw` statement",
    [SyntaxKind.ConditionalExpression]: "the conditional operator `?:`",
    [SyntaxKind.ElementAccessExpression]: "element access `a[i]`",
    [SyntaxKind.PropertyAccessExpression]: "property access",
    [SyntaxKind.ArrayLiteralExpression]: "an array literal",
    [SyntaxKind.ObjectLiteralExpression]: "an object literal",
    [SyntaxKind.ArrowFunction]: "a nested function",
    [SyntaxKind.FunctionExpression]: "a nested function",
    [SyntaxKind.FunctionDeclaration]: "a nested function",
    [SyntaxKind.ClassDeclaration]: "a class declaration",
    [SyntaxKind.NewExpression]: "`new`",
    [SyntaxKind.TemplateExpression]: "a template literal",
    [SyntaxKind.AwaitExpression]: "`await`",
    [SyntaxKind.YieldExpression]: "`yield`",
    [SyntaxKind.SpreadElement]: "spread arguments",
    [SyntaxKind.ThisKeyword]: "`this`",
    [SyntaxKind.DeleteExpression]: "`delete`",
  };
  return names[node.getKind()] ?? `\`${node.getKindName()}\``;
}

export function classify(type: Type, at: Node): VarType {
  return describeType(type, at).type;
}

export function describeType(type: Type, at: Node): TypeInfo {
  const found = describe(type, at, 0);
  if (found) return found;
  throw new CompileError(
    codes.unsupportedType,
    `a value of type \`${type.getText(at)}\` is not supported in a @differentiable function (supported: number, boolean, string, number[], Float64Array, Float32Array, nested arrays, tuples and plain objects of these)`,
    at,
  );
}

function describe(type: Type, at: Node, depth: number): TypeInfo | undefined {
  if (depth > 8) return undefined;
  if (type.isNumber() || type.isNumberLiteral()) return { type: "number", tangent: "number" };
  if (isNonDifferentiable(type)) return inactive;
  if (type.isUnion()) {
    const parts = type.getUnionTypes().filter((t) => !t.isUndefined() && !t.isNull());
    if (parts.every((t) => t.isNumber() || t.isNumberLiteral())) return { type: "number", tangent: "number" };
    if (parts.every(isNonDifferentiable)) return inactive;
    if (parts.length === 1) return describe(parts[0], at, depth + 1);
    return undefined;
  }
  const text = type.getText();
  if (/^(Readonly<)?Float64Array\b/.test(text)) return { type: "reference", tangent: "Float64Array" };
  if (/^(Readonly<)?Float32Array\b/.test(text)) return { type: "reference", tangent: "Float32Array" };
  if (/^(Readonly<)?(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|BigInt64|BigUint64)Array\b/.test(text)) return inactive;
  if (type.isTuple()) {
    const items = type.getTupleElements().map((t) => describe(t, at, depth + 1));
    if (items.some((i) => !i)) return undefined;
    if (items.every((i) => i!.type === "inactive")) return inactive;
    return { type: "reference", tangent: `[${items.map((i) => i!.tangent).join(", ")}]` };
  }
  if (type.isArray() || type.isReadonlyArray?.()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    const item = element && describe(element, at, depth + 1);
    if (!item) return undefined;
    if (item.type === "inactive") return inactive;
    return { type: "reference", tangent: `${/[|&]/.test(item.tangent) ? `(${item.tangent})` : item.tangent}[]` };
  }
  // Library types (Map, Date, Promise, …) are not plain data, whatever their fields.
  const declared = (type.getSymbol() ?? type.getAliasSymbol())?.getDeclarations()[0];
  if (declared?.getSourceFile().isDeclarationFile() && /[\\/]typescript[\\/]lib[\\/]|lib\.[\w.]*\.d\.ts$/.test(declared.getSourceFile().getFilePath())) return undefined;
  if (type.isObject() && type.getCallSignatures().length === 0 && !type.getStringIndexType() && !type.getNumberIndexType()) {
    const fields: string[] = [];
    for (const prop of type.getProperties()) {
      const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
      if (decl && (Node.isMethodDeclaration(decl) || Node.isMethodSignature(decl))) continue;
      const propType = prop.getTypeAtLocation(at);
      const item = describe(propType, at, depth + 1);
      if (!item) return undefined;
      if (item.type !== "inactive") fields.push(`${prop.getName()}${prop.isOptional() ? "?" : ""}: ${item.tangent}`);
    }
    if (fields.length === 0) return inactive;
    return { type: "reference", tangent: `{ ${fields.join("; ")} }` };
  }
  return undefined;
}

function isNonDifferentiable(type: Type): boolean {
  return (
    type.isBoolean() ||
    type.isBooleanLiteral() ||
    type.isString() ||
    type.isStringLiteral() ||
    type.isUndefined() ||
    type.isNull() ||
    type.isTemplateLiteral() ||
    type.getCallSignatures().length > 0 ||
    (type.isUnion() && type.getUnionTypes().every((t) => t.isBooleanLiteral() || t.isStringLiteral() || t.isUndefined() || t.isNull()))
  );
}
