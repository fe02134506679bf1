/**
 * Tangents of single statements, one rule per kind, as IR: the tangent code that goes
 * beside each primal statement in forward mode.
 *
 *   y = a            ⇒ ẏ = ȧ
 *   y = f(a, b)      ⇒ ẏ = ∂f/∂a·ȧ + ∂f/∂b·ḃ      (f's forward rule, instantiated)
 *   y = o[k]         ⇒ ẏ = ȯ[k]
 *   r = [a, row]     ⇒ ṙ = [ȧ, roẇ]
 *   r = copy of s    ⇒ ṙ = the same copy of ṡ
 *   o[k] = a         ⇒ ȯ[k] = ȧ                    (`+=` stays `+=`)
 *   o.push(a)        ⇒ ȯ.push(ȧ)                   (pop, fill and set alike)
 *   y = g(a, w)      ⇒ [y, ẏ] = g_tangent(a, w, ȧ, ẇ)   (a @differentiable callee)
 * An active array or object has a tangent of its shape, created where it is and mirrored
 * on every store, alias and rebinding, so aliasing among tangents is exactly the primal's.
 * Tangent code follows its primal statement and may read the result; where the statement
 * reads its own target (`x = x * y`), the primal goes through a temporary first.
 * Input: one primal statement (ANF). Output: the statements that replace it.
 */
import { CompileError, codes, messages } from "../diagnostics";
import { instantiate, instantiatePick, type Rule, type RuleCall } from "../front/rules";
import { elementShape, lit, op, tuple, v, type Expr, type Shape, type Stmt } from "../ir/ir";
import { exprReads, mapDeep } from "../ir/traverse";
import type { TangentContext } from "./context";
import { nameOf } from "../naming";

type Assign = Extract<Stmt, { kind: "assign" }>;
type Call = Extract<Expr, { kind: "call" }>;

export function withTangent(cx: TangentContext, s: Stmt): Stmt[] {
  const origin = s.origin;
  switch (s.kind) {
    case "assign":
      return assignWithTangent(cx, s);
    case "store": {
      if (!cx.isActive(s.object)) return [s];
      const slot = elementShape(cx.shapeOf(s.object), s.key);
      if (slot.kind === "inactive") return [s];
      const tangent: Stmt = { kind: "store", object: cx.dot(s.object), key: s.key, value: cx.tangentOf(s.value, slot), origin, ...(s.accumulate ? { accumulate: s.accumulate } : {}) };
      return [s, tangent];
    }
    case "push": {
      if (!cx.isActive(s.object)) return [s];
      return [s, { kind: "push", object: cx.dot(s.object), value: cx.tangentOf(s.value, elementOf(cx.shapeOf(s.object))), origin }];
    }
    case "fill": {
      if (!cx.isActive(s.object)) return [s];
      const value = cx.tangentOf(s.value, elementOf(cx.shapeOf(s.object)));
      return [s, { ...s, object: cx.dot(s.object), value }];
    }
    case "set": {
      if (!cx.isActive(s.object)) return [s];
      const source = cx.tangentOf(s.source, cx.activeVar(s.source) ? cx.shapeOf(cx.activeVar(s.source)!) : cx.shapeOf(s.object));
      return [s, { ...s, object: cx.dot(s.object), source }];
    }
    case "effect": {
      // an element popped off an active array: its tangent goes too
      const popped = s.value.kind === "pop" && cx.activeVar(s.value.object);
      return popped ? [s, { kind: "effect", value: { kind: "pop", object: cx.dotVar(popped) }, origin }] : [s];
    }
    default:
      return [s];
  }
}

function assignWithTangent(cx: TangentContext, s: Assign): Stmt[] {
  const { target, value, origin } = s;
  if (s.accumulate) {
    // x += e ⇒ ẋ += ė
    return cx.isActive(target) ? [s, { kind: "assign", target: cx.dot(target), value: cx.tangentOf(value, { kind: "number" }), accumulate: s.accumulate, origin }] : [s];
  }
  if (!cx.isActive(target)) {
    const popped = value.kind === "pop" && cx.activeVar(value.object);
    return popped ? [s, { kind: "effect", value: { kind: "pop", object: cx.dotVar(popped) }, origin }] : [s];
  }
  if (value.kind === "call" && value.callee.kind === "differentiable") return callWithTangent(cx, s, value, value.callee);
  if (value.kind === "call" && value.spread && value.callee.kind === "rule" && forwardRule(cx, value, origin).kind === "sum") return spreadSum(cx, s, value);
  if (!exprReads(value).includes(target)) return [s, { kind: "assign", target: cx.dot(target), value: tangentValue(cx, target, value, v(target), origin), origin }];
  // the statement reads what it assigns: the tangent needs the old value, the result the new one
  const info = cx.vars.get(target)!;
  const result = cx.temp(info.type, info.typeText, info.shape);
  return [
    { kind: "assign", target: result, value, origin },
    { kind: "assign", target: cx.dot(target), value: tangentValue(cx, target, value, v(result), origin), origin },
    { kind: "assign", target, value: v(result), origin },
  ];
}

/** `y = g(args)` ⇒ `[y, ẏ] = g_tangent(args, tangents of the active ones)`. */
function callWithTangent(cx: TangentContext, s: Assign, call: Call, callee: Extract<Call["callee"], { kind: "differentiable" }>): Stmt[] {
  const wrt = call.args.flatMap((a, i) => (cx.activeVar(a) ? [i] : []));
  const tangent = cx.callees.tangent(callee.target, wrt);
  const info = cx.vars.get(s.target)!;
  const shape: Shape = { kind: "tuple", items: [info.shape, info.shape] };
  const pair = cx.temp("reference", `[${info.typeText}, ${cx.vars.get(cx.dot(s.target))!.typeText}]`, shape);
  const tangentCallee = { kind: "differentiable" as const, text: tangent.name, target: tangent.key, standalone: true, ...(callee.receiver ? { receiver: callee.receiver } : {}) };
  const tangents = wrt.map((i) => cx.dotVar(cx.activeVar(call.args[i])!));
  const item = (i: number): Expr => ({ kind: "get", object: v(pair), key: { kind: "index", index: lit(String(i)) } });
  return [
    { kind: "assign", target: pair, value: { kind: "call", callee: tangentCallee, args: [...call.args, ...tangents] }, origin: s.origin },
    { kind: "assign", target: s.target, value: item(0), origin: s.origin },
    { kind: "assign", target: cx.dot(s.target), value: item(1), origin: s.origin },
  ];
}

/** The tangent of `target = value` for an active target; `result` holds the new value. */
function tangentValue(cx: TangentContext, target: string, value: Expr, result: Expr, origin: number): Expr {
  const shape = cx.shapeOf(target);
  const fromActive = (object: Expr, rebuild: (dot: Expr) => Expr): Expr => {
    const active = cx.activeVar(object);
    return active ? rebuild(cx.dotVar(active)) : cx.zero(result, shape);
  };
  switch (value.kind) {
    case "var":
    case "lit":
      return cx.tangentOf(value, shape);
    case "op":
      if (value.op === "nonnull") return cx.tangentOf(value, shape);
      if (value.op === "?:") return op("?:", value.args[0], cx.tangentOf(value.args[1], shape), cx.tangentOf(value.args[2], shape));
      return cx.zero(result, shape);
    case "call":
      if (value.callee.kind !== "rule") return cx.zero(result, shape);
      return ruleTangent(cx, value, result, origin);
    case "get":
      return fromActive(value.object, (dot) => {
        const element: Expr = { kind: "get", object: dot, key: value.key };
        // an optional field may be absent from the tangent, as from the value
        return value.key.kind === "field" && value.key.optional && shape.kind === "number" ? op("??", element, lit("0")) : element;
      });
    case "alloc":
      return { kind: "alloc", ctor: value.ctor, length: value.length, ...(value.fill ? { fill: cx.tangentOf(value.fill, elementOf(shape)) } : {}) };
    case "clone":
    case "view":
      return fromActive(value.object, (dot) => ({ ...value, object: dot }));
    case "pop":
      return fromActive(value.object, (dot) => ({ kind: "pop", object: dot }));
    case "literal": {
      const items = value.items.flatMap((item) => {
        const slot = elementShape(shape, value.shape === "array" ? { kind: "index", index: lit(item.key) } : { kind: "field", name: item.key });
        if (slot.kind === "inactive") return value.shape === "array" ? [{ key: item.key, value: lit("null") as Expr }] : [];
        return [{ key: item.key, value: cx.tangentOf(item.value, slot) }];
      });
      return { kind: "literal", shape: value.shape, items };
    }
    default:
      return cx.zero(result, shape);
  }
}

/** The callee's forward rule: an error naming the function where it has none. */
function forwardRule(cx: TangentContext, call: Call, origin: number): NonNullable<Rule["forward"]> {
  const forward = call.callee.kind === "rule" ? cx.rules.get(call.callee.rule)?.forward : undefined;
  if (!forward) throw new CompileError(codes.noForwardRule, messages.noForwardRule(name(call)), cx.fn.origins[origin]?.pos);
  return forward;
}

/** The runtime function through which tangent code calls a forward rule that is not one expression. */
export const calledForwardRule = "forwardRule";

/** The callee of a rule call as written (`Math.sin`, `softsign`). */
const name = (call: Call) => (call.callee.kind === "rule" ? call.callee.text : "the callee");

/** ẏ from the callee's forward rule; a spread call (`Math.max(...z)`) picks from ż. */
function ruleTangent(cx: TangentContext, call: Call, result: Expr, origin: number): Expr {
  const forward = forwardRule(cx, call, origin);
  if (call.spread) {
    const array = call.args[0];
    if (forward.kind !== "pick") throw new CompileError(codes.ruleShape, messages.spreadForwardRule(name(call)), cx.fn.origins[origin]?.pos);
    const ruleCall: RuleCall = { args: [], result, spread: array };
    return { kind: "get", object: cx.tangentOf(array, spreadShape), key: { kind: "index", index: instantiate(forward.index, ruleCall) } };
  }
  const tangents = call.args.map((a) => (cx.activeVar(a) ? cx.tangentOf(a, { kind: "number" }) : zeroTangent));
  const ruleCall: RuleCall = { args: call.args, result, tangents };
  switch (forward.kind) {
    case "called":
      return { kind: "call", callee: { kind: "runtime", name: calledForwardRule }, args: [lit(name(call)), tuple(call.args), tuple(tangents.map((t) => (t === zeroTangent ? lit("0") : t))), result] };
    case "fixed":
      return withoutZeroTerms(instantiate(forward.tangent, ruleCall));
    case "pick":
      return withoutZeroTerms(instantiatePick(forward.index, ruleCall));
    case "sum": {
      const terms = call.args.flatMap((arg, i) => (tangents[i] === zeroTangent ? [] : [instantiate(forward.term, ruleCall, { item: arg, index: lit(String(i)), tangent: tangents[i] })]));
      return terms.length ? terms.reduce((sum, term) => op("+", sum, term)) : lit("0");
    }
  }
}

/**
 * The tangent of an argument that does not vary: a symbolic zero, dropped with the terms it
 * multiplies (a tangent rule is linear in the tangents), so `y = a * c` with `c` constant
 * gives `ẏ = ȧ * c`, not `ȧ * c + a * 0`.
 */
const zeroTangent: Expr = v("$zeroTangent");

function withoutZeroTerms(e: Expr): Expr {
  const isZero = (x: Expr) => x === zeroTangent;
  const pruned = mapDeep(e, (node) => {
    if (node.kind !== "op" || !node.args.some(isZero)) return node;
    const [a, b] = node.args;
    if (node.args.length === 1) return node.op === "-" || node.op === "+" ? zeroTangent : node;
    if (node.op === "*" || (node.op === "/" && isZero(a))) return zeroTangent;
    if (node.op === "+") return isZero(a) ? b : a;
    if (node.op === "-") return isZero(b) ? a : isZero(a) && isZero(b) ? zeroTangent : op("-", b);
    return node;
  });
  return mapDeep(pruned, (node) => (isZero(node) ? lit("0") : node));
}

const spreadShape: Shape = { kind: "array", ctor: "Array", element: { kind: "number" } };

/** `y = f(...z)` with a per-element forward rule ⇒ `ẏ = 0; for (k …) ẏ += term(z[k], ż[k])`. */
function spreadSum(cx: TangentContext, s: Assign, call: Call): Stmt[] {
  const forward = forwardRule(cx, call, s.origin) as Extract<NonNullable<Rule["forward"]>, { kind: "sum" }>;
  const array = call.args[0];
  const dot = cx.dot(s.target);
  const k = cx.fresh(nameOf.elementIndex, "number", "number", { kind: "number" });
  const item: Expr = { kind: "get", object: array, key: { kind: "index", index: v(k) } };
  const tangent: Expr = { kind: "get", object: cx.tangentOf(array, spreadShape), key: { kind: "index", index: v(k) } };
  const term = instantiate(forward.term, { args: [], result: v(s.target), spread: array }, { item, index: v(k), tangent });
  const body: Stmt[] = [{ kind: "assign", target: dot, value: term, accumulate: "+", origin: s.origin }];
  return [
    s,
    { kind: "assign", target: dot, value: lit("0"), origin: s.origin },
    { kind: "for", index: k, start: lit("0"), end: { kind: "length", object: array }, step: 1, body, origin: s.origin, integralEnd: true },
  ];
}

const elementOf = (shape: Shape): Shape => (shape.kind === "array" ? shape.element : { kind: "number" });
