/**
 * Adjoints of single statements, one rule per kind, as IR.
 *
 *   y = a            ⇒ ā += ȳ
 *   y = f(a, b)      ⇒ ā += ∂f/∂a·ȳ, b̄ += ∂f/∂b·ȳ    (from f's rule template)
 *   y = o[k]         ⇒ ō[k] += ȳ
 *   r = [a, b]       ⇒ ā += r̄[0], b̄ += r̄[1]
 *   r = copy of s    ⇒ s̄[k] += r̄[k] for every k      (flat arrays; nested ones share rows)
 *   o[k] = a         ⇒ ā += ō[k], ō[k] = 0
 *   o[k] = o[k] + e  ⇒ ē += ō[k]                      (ō[k] stays: increments.ts)
 *   o.push(a)        ⇒ ā += ō.pop()
 *   y = o.pop()      ⇒ ō.push(ȳ)
 *   o.fill(a)        ⇒ ā += Σ ō[k], ō[k] = 0
 *   return a         ⇒ ā += seed
 * and after the adjoint of an assignment to a number, ȳ = 0 (dead-code removal drops it
 * where nothing reads ȳ again). Arrays and objects have shadows (r̄) of the same shape,
 * bound beside them in the forward sweep (shadows.ts), so an element's adjoint lives in the
 * shadow's element and aliases share adjoints. Calls of `@differentiable` functions: calls.ts.
 * Input: one primal statement. Output: its adjoint statements, in reverse-sweep order.
 */
import { isFlatArray, lit, op, tuple, v, type Expr, type Key, type Stmt } from "../ir/ir";
import { instantiate, type Rule } from "../front/rules";
import { accumulate, type ReverseContext } from "./context";
import { incrementsOf } from "./increments";
import { lengthBefore } from "./shadows";
import { nameOf } from "../naming";
import { CompileError, codes, messages } from "../diagnostics";

export function adjointOf(cx: ReverseContext, s: Stmt, seed: Expr): Stmt[] {
  const origin = s.origin;
  switch (s.kind) {
    case "assign": {
      if (!cx.isActive(s.target)) return [];
      const increments = incrementsOf(cx.fn);
      // an increment's read adds nothing into ō[k], and its sum nothing to the read's adjoint
      if (increments.reads.has(s)) return [];
      const out = valueAdjoint(cx, s.target, s.value, origin);
      const kept = increments.sums.get(s);
      return kept === undefined ? out : out.filter((a) => !(a.kind === "assign" && a.accumulate && a.target === cx.bar(kept)));
    }
    case "store": {
      if (!cx.isActive(s.object) || !isNumberSlot(cx, s.object, s.key)) return [];
      const slot: Expr = { kind: "get", object: cx.barVar(s.object), key: s.key };
      const to = cx.activeVar(s.value);
      const read = incrementsOf(cx.fn).stores.get(s);
      if (to && read !== undefined && cx.isActive(read)) return [accumulate(cx.bar(to), slot, origin)];
      const before = lengthBefore(cx, s);
      return [
        ...(to ? [accumulate(cx.bar(to), slot, origin)] : []),
        { kind: "store", object: cx.bar(s.object), key: s.key, value: lit("0"), origin },
        ...(before ? [{ kind: "effect", value: cx.runtimeCall("shrink", cx.barVar(s.object), v(before)), origin } as Stmt] : []),
      ];
    }
    case "push": {
      if (!cx.isActive(s.object)) return [];
      const popped: Expr = { kind: "pop", object: cx.barVar(s.object) };
      const to = cx.activeVar(s.value);
      if (to && !cx.isReference(to)) return [accumulate(cx.bar(to), popped, origin)];
      return [{ kind: "effect", value: popped, origin }];
    }
    case "effect":
      if (s.value.kind === "pop" && s.value.object.kind === "var" && cx.isActive(s.value.object.name)) {
        const number = isNumberSlot(cx, s.value.object.name, { kind: "index", index: lit("0") });
        return [{ kind: "push", object: cx.bar(s.value.object.name), value: lit(number ? "0" : "undefined"), origin }];
      }
      return [];
    case "fill": {
      if (!cx.isActive(s.object) || !isNumberSlot(cx, s.object, { kind: "index", index: lit("0") })) return [];
      const to = cx.activeVar(s.value);
      const taken = cx.runtimeCall("takeRange", cx.barVar(s.object), s.start ?? lit("0"), s.end ?? lit("undefined"));
      return [to ? accumulate(cx.bar(to), taken, origin) : { kind: "effect", value: taken, origin }];
    }
    case "set": {
      if (!cx.isActive(s.object)) return [];
      const to = cx.activeVar(s.source);
      const offset = s.offset ?? lit("0");
      if (!to) return [{ kind: "effect", value: cx.runtimeCall("takeRange", cx.barVar(s.object), offset, op("+", offset, { kind: "length", object: s.source })), origin }];
      return [{ kind: "effect", value: cx.runtimeCall("takeInto", cx.barVar(to), cx.barVar(s.object), offset), origin }];
    }
    case "return": {
      const to = cx.activeVar(s.value);
      if (!to) return [];
      if (cx.isReference(to)) return [{ kind: "effect", value: cx.runtimeCall("addTo", cx.barVar(to), seed), origin }];
      return [accumulate(cx.bar(to), seed, origin)];
    }
    default:
      return [];
  }
}

/** Whether `object[key]` holds a number (rather than a nested array or object). */
function isNumberSlot(cx: ReverseContext, object: string, key: Key): boolean {
  const shape = cx.shapeOf(object);
  if (shape.kind === "array") return shape.element.kind === "number";
  if (shape.kind === "tuple") return key.kind === "index" && key.index.kind === "lit" ? shape.items[Number(key.index.text)]?.kind === "number" : false;
  if (shape.kind === "object") return key.kind === "field" && shape.fields.find((f) => f.name === key.name)?.shape.kind === "number";
  return false;
}

/** The adjoint of `target = value` for an active target (calls of differentiable functions: calls.ts). */
function valueAdjoint(cx: ReverseContext, target: string, value: Expr, origin: number): Stmt[] {
  const seed = cx.barVar(target);
  const out: Stmt[] = [];
  const add = (to: string | undefined, contribution: Expr) => {
    if (to && !cx.isReference(to)) out.push(accumulate(cx.bar(to), contribution, origin));
  };
  const reference = cx.isReference(target);
  switch (value.kind) {
    case "var":
    case "lit":
      if (!reference) add(cx.activeVar(value), seed);
      break;
    case "op":
      if (value.op === "nonnull" && !reference) add(cx.activeVar(value.args[0]), seed);
      break;
    case "call":
      if (value.callee.kind === "rule") out.push(...ruleAdjoint(cx, cx.rules.get(value.callee.rule)!, value, v(target), seed, origin));
      break;
    case "get":
      if (!reference && value.object.kind === "var" && cx.isActive(value.object.name)) {
        const slot: Stmt = { kind: "store", object: cx.bar(value.object.name), key: value.key, value: seed, accumulate: "+", origin };
        if (value.key.kind === "field" && value.key.optional) {
          const present = op("!==", { kind: "get", object: cx.barVar(value.object.name), key: value.key }, lit("undefined"));
          out.push({ kind: "if", cond: present, then: [slot], else: [], origin });
        } else {
          out.push(slot);
        }
      }
      break;
    case "pop":
      if (value.object.kind === "var" && cx.isActive(value.object.name)) {
        out.push({ kind: "push", object: cx.bar(value.object.name), value: reference ? lit("undefined") : seed, origin });
      }
      break;
    case "literal":
      for (const item of value.items) {
        const key: Key = value.shape === "array" ? { kind: "index", index: lit(item.key) } : { kind: "field", name: item.key };
        add(cx.activeVar(item.value), { kind: "get", object: seed, key });
      }
      break;
    case "clone": {
      const from = cx.activeVar(value.object);
      if (from && isFlatArray(cx.shapeOf(target))) {
        out.push({ kind: "effect", value: cx.runtimeCall("addInto", cx.barVar(from), seed, value.start ?? lit("0")), origin });
      }
      break;
    }
    case "alloc": {
      const from = value.fill && cx.activeVar(value.fill);
      if (from) add(from, cx.runtimeCall("takeRange", seed, lit("0"), lit("undefined")));
      break;
    }
    default:
      break;
  }
  if (!reference) out.push({ kind: "assign", target: cx.bar(target), value: lit("0"), origin });
  return out;
}

/** `ā_i += rule_i(args, y, ȳ)`; a spread call (`Math.max(...z)`) adds into every element of z̄. */
function ruleAdjoint(cx: ReverseContext, rule: Rule, call: Extract<Expr, { kind: "call" }>, result: Expr, seed: Expr, origin: number): Stmt[] {
  const out: Stmt[] = [];
  if (call.spread) {
    const array = call.args[0];
    const shadow = cx.activeVar(array);
    if (!shadow || rule.reverse.kind !== "each") return out;
    const k = cx.fresh(nameOf.elementIndex, "number", "number");
    const item: Expr = { kind: "get", object: array, key: { kind: "index", index: v(k) } };
    const part = instantiate(rule.reverse.part, { args: [], result, seed, spread: array }, { item, index: v(k) });
    const body: Stmt[] = [{ kind: "store", object: cx.bar(shadow), key: { kind: "index", index: v(k) }, value: part, accumulate: "+", origin }];
    out.push({ kind: "for", index: k, start: lit("0"), end: { kind: "length", object: array }, step: 1, body, origin, integralEnd: true });
    return out;
  }
  if (rule.reverse.kind === "called") {
    // a rule that is not one expression: called once, its cotangents read one by one
    const text = call.callee.kind === "rule" ? call.callee.text : "";
    // its cotangents are numbers: an array argument's would need adding into its shadow, and
    // the array kept as it was at the call until the reverse sweep
    const array = call.args.map((a) => cx.activeVar(a)).find((a) => a !== undefined && cx.isReference(a));
    if (array) throw new CompileError(codes.ruleShape, messages.calledRuleArray(text, array), cx.fn.origins[origin]?.pos);
    const cotangents = cx.fresh(nameOf.cotangents, "reference", "number[]");
    out.push({ kind: "assign", target: cotangents, value: cx.runtimeCall("reverseRule", lit(text), tuple(call.args), result, seed), origin });
    call.args.forEach((arg, i) => {
      const to = cx.activeVar(arg);
      if (to && !cx.isReference(to)) out.push(accumulate(cx.bar(to), { kind: "get", object: v(cotangents), key: { kind: "index", index: lit(String(i)) } }, origin));
    });
    return out;
  }
  const reverse = rule.reverse;
  const ruleCall = { args: call.args, result, seed };
  call.args.forEach((arg, i) => {
    const to = cx.activeVar(arg);
    if (!to || cx.isReference(to)) return;
    const part = reverse.kind === "fixed" ? reverse.parts[i] : instantiate(reverse.part, ruleCall, { item: arg, index: lit(String(i)) });
    if (!part) return;
    out.push(accumulate(cx.bar(to), reverse.kind === "fixed" ? instantiate(part, ruleCall) : part, origin));
  });
  return out;
}
