/**
 * Adjoints of single assignments, one rule per value kind.
 *
 *   y = a           ⇒ ā += ȳ
 *   y = op(a, b)    ⇒ ā += ∂op/∂a·ȳ, b̄ += ∂op/∂b·ȳ    (from the op's rule template)
 *   y = g(a, b)     ⇒ [ā, b̄] += g_adjoint(a, b, ȳ)     (the callee's generated adjoint)
 *
 * Input: one IR assignment and the adjoint names. Output: the contributions it makes to
 * its arguments' adjoints, as data, so the caller decides how to declare and emit them.
 */
import { atomText, type Atom, type Value } from "../ir";
import type { Rule } from "../rules";

/** `target̄ += text` (or `-=` when negated) */
export interface Contribution {
  target: string;
  text: string;
  negated: boolean;
}

/** A call of a callee's adjoint whose results add into the arguments' adjoints. */
export interface AdjointCall {
  adjoint: string;
  args: Atom[];
  /** for each argument, the variable whose adjoint receives its cotangent (or none) */
  receivers: (string | undefined)[];
  seed: string;
}

export type AssignAdjoint =
  | { kind: "contributions"; contributions: Contribution[] }
  | { kind: "call"; call: AdjointCall };

export function assignAdjoint(
  target: string,
  value: Value,
  seed: string,
  isActive: (name: string) => boolean,
  rules: ReadonlyMap<string, Rule>,
): AssignAdjoint {
  const activeVar = (a: Atom) => (a.kind === "var" && isActive(a.name) ? a.name : undefined);
  switch (value.kind) {
    case "copy": {
      const to = activeVar(value.arg);
      return { kind: "contributions", contributions: to ? [{ target: to, text: seed, negated: false }] : [] };
    }
    case "op": {
      const rule = value.rule ? rules.get(value.rule) : undefined;
      if (!rule) return { kind: "contributions", contributions: [] };
      const parts = rule.reverse(value.args.map(atomText), target, seed);
      const contributions: Contribution[] = [];
      value.args.forEach((arg, i) => {
        const to = activeVar(arg);
        const part = parts[i];
        if (to && part) contributions.push({ target: to, ...part });
      });
      return { kind: "contributions", contributions };
    }
    case "call":
      return {
        kind: "call",
        call: { adjoint: value.adjoint, args: value.args, receivers: value.args.map(activeVar), seed },
      };
  }
}
