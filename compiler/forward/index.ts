/**
 * Forward mode: a function's tangent function, as IR.
 *
 * Input: a lowered `@differentiable` function and the parameters whose tangents are given.
 * Output: an IrFunction in A-normal form that runs the primal with each active value's
 * tangent beside it, in one pass and with no tape:
 *
 *   - `pair`:        f_tangent(...args, ...tangents of wrt) → [value, tangent]
 *   - `directional`: f_directional(...args, v) → the tangent along v alone (a number: the
 *                    directional derivative ∇f·v), which reverse mode then differentiates
 *                    for `hvp` (reverse over forward).
 *
 * Being IR like the user's own functions, a tangent function can be simplified and printed
 * (`jvp`), or given to the analyses and to reverse mode (`hvp`, `hessian`): its calls of
 * other tangent functions are calls of `@differentiable` functions, known by their keys.
 */
import { analyse } from "../ir/activity";
import { normalize, type ValueType } from "../ir/anf";
import { elementShape, lit, v, type Expr, type IrFunction, type IrParam, type Shape, type Stmt } from "../ir/ir";
import { operatorRuleKey, type Rule } from "../front/rules";
import { nameOf, type Names } from "../naming";
import { TangentContext, type TangentCallees } from "./context";
import { withTangent } from "./tangents";
import { tangentText } from "../front/types";

export interface TangentInputs {
  fn: IrFunction;
  rules: ReadonlyMap<string, Rule>;
  /** the names of the output file, that local names must avoid */
  names: Names;
  callees: TangentCallees;
}

export interface TangentRequest {
  kind: "pair" | "directional";
  /** the key the tangent function's IR is known by, and its name */
  key: string;
  name: string;
  /** the parameters whose tangents are given */
  wrt: readonly number[];
  /** directional: the direction is a tuple, one item per wrt parameter (as `wrt: [...]` asks) */
  many?: boolean;
}

export function generateTangent(inputs: TangentInputs, request: TangentRequest): IrFunction {
  const { fn } = inputs;
  const activity = analyse(fn, request.wrt.map((i) => fn.params[i].name));
  const directional = request.kind === "directional";
  const cx = new TangentContext(fn, activity, inputs.rules, inputs.names, inputs.callees);
  const wrtParams = request.wrt.map((i) => fn.params[i]);

  const params: IrParam[] = [...fn.params];
  const prologue: Stmt[] = [];
  if (!directional) {
    for (const p of wrtParams) params.push({ ...p, name: cx.dot(p.name), typeText: p.tangentText, initText: undefined, optional: undefined });
  } else {
    // one direction for every wrt parameter: itself, or a tuple of them
    const many = request.many === true || wrtParams.length > 1;
    const shape: Shape = many ? { kind: "tuple", items: wrtParams.map((p) => p.shape) } : wrtParams[0].shape;
    const typeText = many ? `[${wrtParams.map((p) => p.tangentText).join(", ")}]` : wrtParams[0].tangentText;
    const direction = cx.fresh(nameOf.direction, many || shape.kind !== "number" ? "reference" : "number", typeText, shape);
    cx.vars.set(direction, { ...cx.vars.get(direction)!, role: "param" });
    params.push({ name: direction, typeText, type: many || shape.kind !== "number" ? "reference" : "number", tangentText: typeText, shape });
    wrtParams.forEach((p, k) => {
      const value: Expr = many ? { kind: "get", object: v(direction), key: { kind: "index", index: lit(String(k)) } } : v(direction);
      prologue.push({ kind: "assign", target: cx.dot(p.name), value, origin: -1 });
    });
  }

  // a parameter held fixed can still be active (a copy of it is written with active values): its tangent is zero
  fn.params.forEach((p, i) => {
    if (!request.wrt.includes(i) && cx.isActive(p.name)) prologue.push({ kind: "assign", target: cx.dot(p.name), value: cx.zero(v(p.name), p.shape), origin: -1 });
  });
  const body = [...prologue, ...tangentBody(cx, fn.body, directional)];
  const resultTangentText = fn.result.tangentText;
  const result: IrFunction["result"] = directional
    ? fn.result
    : { type: "reference", typeText: `[${fn.result.typeText}, ${resultTangentText}]`, tangentText: `[${resultTangentText}, ${resultTangentText}]`, shape: { kind: "tuple", items: [fn.result.shape, fn.result.shape] } };
  const normalized = normalize(body, {
    temp: (t: ValueType) => cx.temp(t.type, t.typeText, t.shape),
    typeOf: (e) => typeOf(cx, e),
    operation: (e) => asRuleCall(e, inputs.rules),
  });
  return {
    name: fn.name,
    base: `${fn.base}_${directional ? "directional" : "tangent"}`,
    key: request.key,
    params,
    callText: request.name,
    ...(fn.self ? { self: fn.self } : {}),
    result,
    vars: cx.vars,
    body: normalized,
    origins: fn.origins,
  };
}

/** The body with tangent code beside each statement; `return a` returns `[a, ȧ]` (or ȧ). */
function tangentBody(cx: TangentContext, body: readonly Stmt[], directional: boolean): Stmt[] {
  return body.flatMap((s): Stmt[] => {
    switch (s.kind) {
      case "if":
        return [{ ...s, then: tangentBody(cx, s.then, directional), else: tangentBody(cx, s.else, directional) }];
      case "loop":
        return [{ ...s, test: tangentBody(cx, s.test, directional), body: tangentBody(cx, s.body, directional) }];
      case "for":
        return [{ ...s, body: tangentBody(cx, s.body, directional) }];
      case "return": {
        const tangent = cx.tangentOf(s.value, cx.fn.result.shape);
        if (directional) return [{ ...s, value: tangent }];
        return [{ ...s, value: { kind: "literal", shape: "array", items: [{ key: "0", value: s.value }, { key: "1", value: tangent }] } }];
      }
      default:
        return withTangent(cx, s);
    }
  });
}

/** An operator with a rule as lowering writes it: a call of the rule, which reverse mode differentiates. */
function asRuleCall(e: Expr, rules: ReadonlyMap<string, Rule>): Expr {
  const key = e.kind === "op" ? operatorRuleKey(e.op, e.args.length) : undefined;
  return key && e.kind === "op" && rules.has(key) ? { kind: "call", callee: { kind: "rule", text: e.op, rule: key }, args: e.args } : e;
}

const booleanOps = new Set(["<", "<=", ">", ">=", "==", "!=", "===", "!==", "&&", "||", "!"]);

/** The type of a value tangent code computes: numbers, except tests and elements of arrays. */
function typeOf(cx: TangentContext, e: Expr): ValueType {
  const number: ValueType = { type: "number", typeText: "number", shape: { kind: "number" } };
  if (e.kind === "op" && booleanOps.has(e.op)) return { type: "inactive", typeText: "boolean", shape: { kind: "inactive" } };
  if (e.kind === "var") {
    const info = cx.vars.get(e.name)!;
    return { type: info.type, typeText: info.typeText, shape: info.shape };
  }
  if (e.kind === "literal") {
    const items = e.items.map((item) => ({ ...item, ...typeOf(cx, item.value) }));
    if (e.shape === "array") return { type: "reference", typeText: `[${items.map((i) => i.typeText).join(", ")}]`, shape: { kind: "tuple", items: items.map((i) => i.shape) } };
    const fields = items.map((i) => ({ name: i.key, optional: false, shape: i.shape }));
    return { type: "reference", typeText: `{ ${items.map((i) => `${i.key}: ${i.typeText}`).join("; ")} }`, shape: { kind: "object", fields } };
  }
  if (e.kind === "get" && e.object.kind === "var") {
    const shape = elementShape(cx.shapeOf(e.object.name), e.key);
    if (shape.kind !== "number" && shape.kind !== "inactive") return { type: "reference", typeText: tangentText(shape), shape };
  }
  if (e.kind === "call" && e.callee.kind === "runtime" && e.args[0]) {
    // zerosLike(x): the tangent type of x
    const of = typeOf(cx, e.args[0]);
    return { ...of, typeText: cx.vars.get(e.args[0].kind === "var" ? e.args[0].name : "")?.tangentText ?? of.typeText };
  }
  return number;
}
