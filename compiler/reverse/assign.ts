/**
 * Adjoints of single statements, one rule per kind.
 *
 *   y = a           ⇒ ā += ȳ
 *   y = op(a, b)    ⇒ ā += ∂op/∂a·ȳ, b̄ += ∂op/∂b·ȳ    (from the op's rule template)
 *   y = g(a, b)     ⇒ [ā, b̄] += g_reverse(a, b, ȳ)     (the callee's reverse half; the
 *                                                      forward sweep called g_forward)
 *   y = o[k]        ⇒ ō[k] += ȳ
 *   r = [a, b]      ⇒ ā += r̄[0], b̄ += r̄[1]
 *   o[k] = a        ⇒ ā += ō[k], ō[k] = 0
 *   o.push(a)       ⇒ ā += ō.pop()
 *   c = a.slice()   ⇒ ā += c̄ (element by element)
 *
 * Arrays and objects have "shadows" (r̄) bound in the forward sweep beside them, of the
 * same shape; an element's adjoint lives in the shadow's element.
 * Input: one IR statement, activity and the adjoint names. Output: the contributions it
 * makes, as data, so the caller decides how to declare and emit them.
 */
import { atomText, keyText, type Atom, type Stmt, type Value } from "../ir";
import type { Rule } from "../rules";

/** Where a contribution goes: a variable's adjoint, or an element of a shadow. */
export type Receiver = { kind: "var"; name: string } | { kind: "element"; text: string; optional?: boolean };

/** `receiver += text` (or `-=` when negated) */
export interface Contribution {
  to: Receiver;
  text: string;
  negated: boolean;
}

/** A call of a callee's adjoint whose results add into the arguments' adjoints. */
export interface AdjointCall {
  /** the callee's reverse half */
  reverse: string;
  args: Atom[];
  /** for each argument, the variable whose adjoint receives its cotangent (or none) */
  receivers: (string | undefined)[];
  /** which receivers are arrays or objects (their cotangents are added element-wise) */
  references: boolean[];
  seed: string;
  /** the method receiver (`this`) the adjoint is called on */
  self?: string;
}

export type StmtAdjoint =
  | { kind: "contributions"; contributions: Contribution[]; after?: string[] }
  | { kind: "call"; call: AdjointCall };

export interface AdjointContext {
  isActive(name: string): boolean;
  isReference(name: string): boolean;
  /** the adjoint (or shadow) name of a variable */
  bar(name: string): string;
  rules: ReadonlyMap<string, Rule>;
  /** the runtime namespace, for element-wise helpers */
  runtime: string;
}

const none: StmtAdjoint = { kind: "contributions", contributions: [] };

export function stmtAdjoint(s: Stmt, ctx: AdjointContext): StmtAdjoint {
  const activeVar = (a: Atom) => (a.kind === "var" && ctx.isActive(a.name) ? a.name : undefined);
  const toVar = (name: string): Receiver => ({ kind: "var", name });
  if (s.kind === "store") {
    if (!ctx.isActive(s.object)) return none;
    // an array stored into another shares its shadow: nothing to add
    if (s.value.kind === "var" && ctx.isReference(s.value.name)) return none;
    const element = `${ctx.bar(s.object)}${keyText(s.key)}`;
    const to = activeVar(s.value);
    return {
      kind: "contributions",
      contributions: to ? [{ to: toVar(to), text: element, negated: false }] : [],
      after: [`${element} = 0;`],
    };
  }
  if (s.kind === "push") {
    if (!ctx.isActive(s.object)) return none;
    const to = activeVar(s.value);
    const popped = `${ctx.bar(s.object)}.pop()!`;
    if (!to || ctx.isReference(to)) return { kind: "contributions", contributions: [], after: [`${popped};`] };
    return { kind: "contributions", contributions: [{ to: toVar(to), text: popped, negated: false }] };
  }
  if (s.kind !== "assign" || !ctx.isActive(s.target)) return none;
  return valueAdjoint(s.target, s.value, ctx);
}

function valueAdjoint(target: string, value: Value, ctx: AdjointContext): StmtAdjoint {
  const activeVar = (a: Atom) => (a.kind === "var" && ctx.isActive(a.name) ? a.name : undefined);
  const seed = ctx.bar(target);
  const contributions: Contribution[] = [];
  const add = (name: string | undefined, text: string, negated = false) => {
    if (name) contributions.push({ to: { kind: "var", name }, text, negated });
  };
  switch (value.kind) {
    case "copy":
      // a reference copy shares its shadow: nothing to add
      if (!ctx.isReference(target)) add(activeVar(value.arg), seed);
      break;
    case "op": {
      const rule = value.rule ? ctx.rules.get(value.rule) : undefined;
      if (!rule) break;
      const parts = rule.reverse(value.args.map(atomText), target, seed);
      value.args.forEach((arg, i) => {
        const part = parts[i];
        if (part) add(activeVar(arg), part.text, part.negated);
      });
      break;
    }
    case "get":
      if (!ctx.isReference(target) && ctx.isActive(value.object)) {
        const optional = value.key.kind === "field" && value.key.optional;
        contributions.push({ to: { kind: "element", text: `${ctx.bar(value.object)}${keyText(value.key)}`, optional }, text: seed, negated: false });
      }
      break;
    case "literal":
      for (const item of value.items) {
        const name = activeVar(item.value);
        if (name && !ctx.isReference(name)) add(name, value.shape === "array" ? `${seed}[${item.key}]` : `${seed}.${item.key}`);
      }
      break;
    case "call":
      return {
        kind: "call",
        call: {
          reverse: value.split.reverse,
          args: value.args,
          receivers: value.args.map(activeVar),
          references: value.args.map((a) => a.kind === "var" && ctx.isReference(a.name)),
          seed,
          self: value.receiver,
        },
      };
    case "clone":
      if (ctx.isActive(value.object)) return { kind: "contributions", contributions: [], after: [`${ctx.runtime}.addTo(${ctx.bar(value.object)}, ${seed});`] };
      break;
    case "length":
    case "alloc":
      break;
  }
  return { kind: "contributions", contributions };
}
