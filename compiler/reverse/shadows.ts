/**
 * Shadows: the adjoints of arrays and objects, kept in step with them in the forward sweep.
 *
 * Every active array or object gets a shadow (its adjoint, of the same shape) where it is
 * created, and every store, push, alias or rebinding of it is mirrored on the shadow:
 *
 *   r = new Float64Array(n)   ⇒ r̄ = new Float64Array(n)
 *   r = [a, row]              ⇒ r̄ = [0, row̄]
 *   r = s (or s[i], s.subarray(…), s.pop())  ⇒ r̄ = s̄ (s̄[i], s̄.subarray(…), s̄.pop())
 *   r = copy of s             ⇒ r̄ = zeros (flat), or s̄'s copy (nested: the rows are shared)
 *   o[k] = row                ⇒ ō[k] = row̄          (a number into a number[]: ō[k] = 0, so ō grows)
 *   o.push(row)               ⇒ ō.push(row̄)         (a number: ō.push(0))
 *
 * so aliasing on the adjoint side is exactly the primal's, however arrays are stored into,
 * read out of, or replaced in other arrays. All shadows are zero during the forward sweep,
 * which is why mirroring may copy them or write zeros freely.
 * Input: one primal statement. Output: the forward statements that follow it.
 */
import { lit, type ArrayCtor, type Expr, type Shape, type Stmt } from "../ir/ir";
import type { ReverseContext } from "./context";
import { walk } from "../ir/traverse";

/** A zero shadow of a value of `shape` (`zerosLike` when its shape is only known at run time). */
export function zeroShadow(cx: ReverseContext, value: Expr, shape: Shape): Expr {
  if (shape.kind === "number") return lit("0");
  return cx.runtimeCall("zerosLike", value);
}

/** The shadow of an expression used as an array or object: its own, or zeros of its shape. */
export function shadowOf(cx: ReverseContext, e: Expr, shape: Shape): Expr {
  const active = cx.activeVar(e);
  if (active) return cx.barVar(active);
  return zeroShadow(cx, e, shape);
}

const tangentCtor = (ctor: ArrayCtor): ArrayCtor => ctor;

/** per generated function (its context), the local of each index write's shadow length */
const lengthsBefore = new WeakMap<ReverseContext, Map<Stmt, string>>();
/** per primal, whether it pushes or pops numbers */
const pushesOrPops = new WeakMap<object, boolean>();

/**
 * For an index write into a number[] of a function that pushes numbers onto or pops them off arrays: the local holding
 * the write's shadow's length before it, so that its adjoint cuts the shadow back (a write past the end grows it, and a
 * push's adjoint pops the last element). Elsewhere no number's adjoint is popped, and a grown shadow's extra slots are
 * harmless.
 */
export function lengthBefore(cx: ReverseContext, s: Stmt): string | undefined {
  const shape = s.kind === "store" ? cx.shapeOf(s.object) : undefined;
  if (s.kind !== "store" || shape?.kind !== "array" || shape.ctor !== "Array" || shape.element.kind !== "number") return undefined;
  if (!pushesOrPops.has(cx.fn)) {
    // by shape, not by name: an alias of the array may be the one pushed
    const numbers = (name: string | undefined) => {
      const of = name === undefined ? undefined : cx.shapeOf(name);
      return of?.kind === "array" && of.element.kind === "number";
    };
    const popped = (e: Expr) => e.kind === "pop" && numbers(e.object.kind === "var" ? e.object.name : undefined);
    const stacks = [...walk(cx.fn.body)].some((t) => (t.kind === "push" && numbers(t.object)) || ((t.kind === "assign" || t.kind === "effect") && popped(t.value)));
    pushesOrPops.set(cx.fn, stacks);
  }
  if (!pushesOrPops.get(cx.fn)) return undefined;
  const made = lengthsBefore.get(cx) ?? lengthsBefore.set(cx, new Map()).get(cx)!;
  return made.get(s) ?? made.set(s, cx.fresh(`${cx.bar(s.object)}_length`, "inactive", "number")).get(s);
}

export function shadowOps(cx: ReverseContext, s: Stmt): Stmt[] {
  const origin = s.origin;
  switch (s.kind) {
    case "assign": {
      // a number popped off an array: its shadow's element goes too
      if (s.value.kind === "pop" && !cx.isReference(s.target)) {
        const from = cx.activeVar(s.value.object);
        return from ? [{ kind: "effect", value: { kind: "pop", object: cx.barVar(from) }, origin }] : [];
      }
      if (!cx.isActive(s.target) || !cx.isReference(s.target)) return [];
      const value = shadowValue(cx, s.target, s.value);
      return value ? [{ kind: "assign", target: cx.bar(s.target), value, origin }] : [];
    }
    case "store": {
      if (!cx.isActive(s.object)) return [];
      const shape = cx.shapeOf(s.object);
      const element = shape.kind === "array" ? shape.element : undefined;
      if (element && element.kind === "number") {
        // a number[] may grow by an index write; a typed array cannot
        if (shape.kind !== "array" || shape.ctor !== "Array") return [];
        const before = lengthBefore(cx, s);
        return [
          ...(before ? [{ kind: "assign", target: before, value: { kind: "length", object: cx.barVar(s.object) }, origin } as Stmt] : []),
          { kind: "store", object: cx.bar(s.object), key: s.key, value: lit("0"), origin },
        ];
      }
      const slotShape = slot(shape, s.key);
      if (slotShape.kind === "number" || slotShape.kind === "inactive") return [];
      return [{ kind: "store", object: cx.bar(s.object), key: s.key, value: shadowOf(cx, s.value, slotShape), origin }];
    }
    case "push": {
      if (!cx.isActive(s.object)) return [];
      const shape = cx.shapeOf(s.object);
      const element = shape.kind === "array" ? shape.element : ({ kind: "number" } as Shape);
      return [{ kind: "push", object: cx.bar(s.object), value: element.kind === "number" ? lit("0") : shadowOf(cx, s.value, element), origin }];
    }
    case "fill": {
      if (!cx.isActive(s.object)) return [];
      const shape = cx.shapeOf(s.object);
      const element = shape.kind === "array" ? shape.element : ({ kind: "number" } as Shape);
      if (element.kind === "number") return [];
      return [{ kind: "fill", object: cx.bar(s.object), value: shadowOf(cx, s.value, element), ...(s.start ? { start: s.start } : {}), ...(s.end ? { end: s.end } : {}), origin }];
    }
    case "effect":
      if (s.value.kind === "pop" && s.value.object.kind === "var" && cx.isActive(s.value.object.name)) {
        return [{ kind: "effect", value: { kind: "pop", object: cx.barVar(s.value.object.name) }, origin }];
      }
      return [];
    default:
      return [];
  }
}

function slot(shape: Shape, key: Extract<Stmt, { kind: "store" }>["key"]): Shape {
  if (shape.kind === "array") return shape.element;
  if (shape.kind === "tuple" && key.kind === "index" && key.index.kind === "lit") return shape.items[Number(key.index.text)] ?? { kind: "inactive" };
  if (shape.kind === "object" && key.kind === "field") return shape.fields.find((f) => f.name === key.name)?.shape ?? { kind: "inactive" };
  return { kind: "inactive" };
}

/** The shadow bound beside `target = value` (calls of differentiable functions: calls.ts). */
function shadowValue(cx: ReverseContext, target: string, value: Expr): Expr | undefined {
  const shape = cx.shapeOf(target);
  switch (value.kind) {
    case "var":
      return shadowOf(cx, value, shape);
    case "op": {
      if (value.op !== "nonnull") return zeroShadow(cx, { kind: "var", name: target }, shape);
      // `r = o!`: where o is present, so is its shadow
      const inner = shadowOf(cx, value.args[0], shape);
      return inner.kind === "var" ? { kind: "op", op: "nonnull", args: [inner] } : inner;
    }
    case "get": {
      const from = cx.activeVar(value.object);
      return from ? { kind: "get", object: cx.barVar(from), key: value.key } : zeroShadow(cx, { kind: "var", name: target }, shape);
    }
    case "view": {
      const from = cx.activeVar(value.object);
      return from ? { ...value, object: cx.barVar(from) } : zeroShadow(cx, { kind: "var", name: target }, shape);
    }
    case "pop": {
      const from = cx.activeVar(value.object);
      return from ? { kind: "pop", object: cx.barVar(from) } : zeroShadow(cx, { kind: "var", name: target }, shape);
    }
    case "alloc": {
      const element = shape.kind === "array" ? shape.element : ({ kind: "number" } as Shape);
      return { kind: "alloc", ctor: tangentCtor(value.ctor), length: value.length, ...(element.kind === "number" ? { fill: lit("0") } : {}) };
    }
    case "clone": {
      const from = cx.activeVar(value.object);
      if (shape.kind === "array" && shape.element.kind === "number") {
        return { kind: "alloc", ctor: shape.ctor, length: { kind: "length", object: { kind: "var", name: target } }, fill: lit("0") };
      }
      return from ? { ...value, object: cx.barVar(from) } : zeroShadow(cx, { kind: "var", name: target }, shape);
    }
    case "literal": {
      const items = value.items.flatMap((item) => {
        const itemShape = literalSlot(shape, item.key);
        if (itemShape.kind === "inactive") return value.shape === "array" ? [{ key: item.key, value: lit("null") as Expr }] : [];
        return [{ key: item.key, value: itemShape.kind === "number" ? (lit("0") as Expr) : shadowOf(cx, item.value, itemShape) }];
      });
      return { kind: "literal", shape: value.shape, items };
    }
    default:
      return zeroShadow(cx, { kind: "var", name: target }, shape);
  }
}

function literalSlot(shape: Shape, key: string): Shape {
  if (shape.kind === "array") return shape.element;
  if (shape.kind === "tuple") return shape.items[Number(key)] ?? { kind: "inactive" };
  if (shape.kind === "object") return shape.fields.find((f) => f.name === key)?.shape ?? { kind: "inactive" };
  return { kind: "inactive" };
}
