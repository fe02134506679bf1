/**
 * `inspect --stage plan`: the primal as the save plan sees it, for the user asking "why is
 * this on the tape?".
 *
 * Input: the primal IR and its plan. Output: the primal as an OutFunction whose `notes` say,
 * beside each assignment, what the reverse sweep does about the value it overwrites: saved
 * (on a tape in a loop, in a local outside), computed again, undone by a counter's inverse
 * step; and, beside an array's declaration, whether elements overwritten are kept.
 * Invariant: only what the plan decided; a variable without a note needs nothing.
 */
import { type IrFunction, type OutFunction } from "../ir/ir";
import { walk } from "../ir/traverse";
import { writtenArray, type Plan } from "./plan";

export function planView(fn: IrFunction, plan: Plan, doc: string): OutFunction {
  const notes = new Map<string, Set<string>>();
  const note = (name: string, text: string) => {
    if (fn.vars.has(name)) notes.set(name, (notes.get(name) ?? new Set()).add(text));
  };
  const where = (how: "local" | "tape") => (how === "tape" ? "on the tape (in a loop)" : "in a local");
  for (const [s, how] of plan.saves) {
    if (s.kind === "assign") note(s.target, `the value this overwrites is saved ${where(how)}: the reverse sweep reads it`);
  }
  for (const [s, how] of plan.keeps) {
    const array = writtenArray(s);
    if (array) note(array, `elements its writes overwrite are saved ${where(how)}: the reverse sweep reads them`);
  }
  for (const s of walk(fn.body)) {
    if (s.kind !== "assign") continue;
    if (plan.steps.has(s)) note(s.target, "a counter: its step is undone in reverse, nothing saved");
    if ([...plan.recompute.values()].some((redo) => redo.includes(s))) note(s.target, "computed again in the reverse sweep, nothing saved");
  }
  const text = new Map([...notes].map(([name, texts]) => [name, [...texts].join("; ")]));
  return {
    name: fn.name.replace(/\W/g, "_"),
    doc: `${doc} The save plan: what the reverse sweep needs from each value.`,
    exported: false,
    self: fn.self,
    params: fn.params,
    returnTypeText: fn.result.typeText,
    vars: fn.vars,
    body: fn.body,
    origins: fn.origins,
    notes: text,
  };
}
