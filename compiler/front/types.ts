/**
 * How TypeScript types take part in differentiation.
 *
 * Input: a ts-morph Type. Output: its Shape (a number, an array, tuple or object holding
 * numbers, or inactive) and the type text of its tangent as API.md shapes it: numbers stay
 * numbers, float arrays keep their type, `number[]` and nested arrays nest, tuples and
 * objects keep their differentiable fields only. A type that can hold numbers in a way adgen
 * cannot follow (a `Map`, a union of an array and a number) is ADG3002.
 */
import { Node, type Type } from "ts-morph";
import { CompileError, codes } from "../diagnostics";
import { typeOfShape, type Shape, type VarType } from "../ir/ir";

export interface TypeInfo {
  type: VarType;
  shape: Shape;
  /** the tangent's type text; `null` for inactive values */
  tangent: string;
}

export const inactiveInfo: TypeInfo = { type: "inactive", shape: { kind: "inactive" }, tangent: "null" };
export const numberInfo: TypeInfo = { type: "number", shape: { kind: "number" }, tangent: "number" };

export function infoOf(shape: Shape): TypeInfo {
  return { type: typeOfShape(shape), shape, tangent: tangentText(shape) };
}

/** The tangent type text of a shape (API.md): `number`, `Float64Array`, `number[][]`, `{ w: number }`. */
export function tangentText(shape: Shape): string {
  switch (shape.kind) {
    case "number":
      return "number";
    case "inactive":
      return "null";
    case "array":
      return shape.ctor === "Array" ? `${tangentText(shape.element)}[]` : shape.ctor;
    case "tuple":
      return `[${shape.items.map(tangentText).join(", ")}]`;
    case "object":
      return `{ ${shape.fields.map((f) => `${f.name}${f.optional ? "?" : ""}: ${tangentText(f.shape)}`).join("; ")} }`;
  }
}

export function describeType(type: Type, at: Node): TypeInfo {
  const shape = shapeOf(type, at, 0);
  if (shape) return infoOf(shape);
  throw new CompileError(
    codes.unsupportedType,
    `a value of type \`${type.getText(at)}\` is not supported in a @differentiable function (supported: number, boolean, string, number[], Float64Array, Float32Array, nested arrays, tuples and plain objects of these)`,
    at,
  );
}

const symbolName = (type: Type) => (type.getSymbol() ?? type.getAliasSymbol())?.getName();

/** `Float64Array` or `Float32Array` for those types (by their symbol, whatever their type arguments). */
export function floatArrayKind(type: Type): "Float64Array" | "Float32Array" | undefined {
  if (type.isArray() || type.isTuple()) return undefined;
  const name = symbolName(type);
  return name === "Float64Array" || name === "Float32Array" ? name : undefined;
}

/** An array TypeScript knows: `T[]`, `readonly T[]`, a tuple, or a float typed array. */
export function isArrayType(type: Type): boolean {
  const t = type.getNonNullableType();
  return t.isArray() || t.isReadonlyArray() || t.isTuple() || floatArrayKind(t) !== undefined;
}

/** Whether a type is `any` or an evolving `any[]` that TypeScript types by later use. */
export const isAnyArray = (type: Type): boolean => type.isAny() || ((type.isArray() && type.getArrayElementType()?.isAny()) ?? false);

function shapeOf(type: Type, at: Node, depth: number): Shape | undefined {
  if (depth > 8) return undefined;
  if (type.isNumber() || type.isNumberLiteral()) return { kind: "number" };
  if (isNonDifferentiable(type)) return { kind: "inactive" };
  if (type.isUnion()) {
    const parts = type.getUnionTypes().filter((t) => !t.isUndefined() && !t.isNull());
    if (parts.every((t) => t.isNumber() || t.isNumberLiteral())) return { kind: "number" };
    if (parts.every(isNonDifferentiable)) return { kind: "inactive" };
    if (parts.length === 1) return shapeOf(parts[0], at, depth + 1);
    // `true | false` unions nested in others, e.g. `boolean | undefined`
    if (parts.every((t) => t.isBooleanLiteral())) return { kind: "inactive" };
    return undefined;
  }
  const typed = floatArrayKind(type);
  if (typed) return { kind: "array", ctor: typed, element: { kind: "number" } };
  if (!type.isArray() && /^(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|BigInt64|BigUint64)Array$/.test(symbolName(type) ?? "")) return { kind: "inactive" };
  if (type.isTuple()) {
    const items = type.getTupleElements().map((t) => shapeOf(t, at, depth + 1));
    if (items.some((i) => !i)) return undefined;
    if (items.every((i) => i!.kind === "inactive")) return { kind: "inactive" };
    return { kind: "tuple", items: items as Shape[] };
  }
  if (type.isArray() || type.isReadonlyArray()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    const item = element && shapeOf(element, at, depth + 1);
    if (!item) return undefined;
    if (item.kind === "inactive") return { kind: "inactive" };
    return { kind: "array", ctor: "Array", element: item };
  }
  // Library types (Map, Date, Promise, …) are not plain data, whatever their fields.
  const declared = (type.getSymbol() ?? type.getAliasSymbol())?.getDeclarations()[0];
  if (declared?.getSourceFile().isDeclarationFile() && /[\\/]typescript[\\/]lib[\\/]|lib\.[\w.]*\.d\.ts$/.test(declared.getSourceFile().getFilePath())) return undefined;
  if (type.isObject() && type.getCallSignatures().length === 0 && !type.getStringIndexType() && !type.getNumberIndexType()) {
    const fields: { name: string; optional: boolean; shape: Shape }[] = [];
    for (const prop of type.getProperties()) {
      const decl = prop.getValueDeclaration() ?? prop.getDeclarations()[0];
      if (decl && (Node.isMethodDeclaration(decl) || Node.isMethodSignature(decl))) continue;
      const shape = shapeOf(prop.getTypeAtLocation(at), at, depth + 1);
      if (!shape) return undefined;
      if (shape.kind !== "inactive") fields.push({ name: prop.getName(), optional: prop.isOptional(), shape });
    }
    if (fields.length === 0) return { kind: "inactive" };
    return { kind: "object", fields };
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
    type.isVoid?.() ||
    type.getCallSignatures().length > 0 ||
    (type.isUnion() && type.getUnionTypes().every((t) => t.isBooleanLiteral() || t.isStringLiteral() || t.isUndefined() || t.isNull()))
  );
}
