/**
 * Ownership: a @differentiable function writes only into storage it created.
 *
 * Input: a lowered function and the writes lowering recorded (each with its source node).
 * Output: nothing, or a CompileError (ADG1003) at the first write into an array or object
 * that may belong to a parameter or to the module. Flow-insensitive and iterated to a fixed
 * point, so a name rebound in a loop or a row read out of a container is judged by every
 * value it may hold: `self` when the object itself may be outside storage, `inner` when
 * something stored in it (at any depth) may be.
 */
import { Node } from "ts-morph";
import { CompileError, codes, messages } from "../../diagnostics";
import { type Expr, type IrFunction } from "../../ir/ir";
import { walk } from "../../ir/traverse";

interface Provenance {
  self: boolean;
  inner: boolean;
}

/** A module-level value printed as is (`WEIGHTS`), not a literal. */
const isOutside = (text: string) => /^[A-Za-z_$]/.test(text) && !["true", "false", "null", "undefined", "NaN", "Infinity"].includes(text);

export function checkOwnership(fn: IrFunction, writes: readonly { object: string; at: Node }[]): void {
  const outside: Provenance = { self: true, inner: true };
  // numbers are values, not storage: only arrays and objects have a provenance
  const storage = (name: string) => {
    const variable = fn.vars.get(name);
    return !!variable && (variable.type === "reference" || (variable.type === "inactive" && variable.typeText !== "number" && variable.typeText !== "boolean" && variable.typeText !== "string"));
  };
  const known = new Map<string, Provenance>();
  // a flat array of numbers holds no storage (its copies are the function's own): never `inner`
  const flat = (name: string) => {
    const shape = fn.vars.get(name)?.shape;
    return shape?.kind === "array" && shape.element.kind === "number";
  };
  for (const p of fn.params) if (storage(p.name)) known.set(p.name, { self: true, inner: !flat(p.name) });
  if (fn.self) known.set("this", { ...outside });
  const of = (e: Expr): Provenance | undefined =>
    e.kind === "var" ? known.get(e.name) : e.kind === "lit" && isOutside(e.text) ? outside : e.kind === "op" && e.op === "nonnull" ? of(e.args[0]) : undefined;
  const reaches = (e: Expr) => {
    const p = of(e);
    return !!p && (p.self || p.inner);
  };

  let changed = true;
  const merge = (name: string, self: boolean, inner: boolean) => {
    if (!storage(name)) return;
    const p = known.get(name) ?? { self: false, inner: false };
    inner &&= !flat(name);
    if ((self && !p.self) || (inner && !p.inner)) {
      known.set(name, { self: p.self || self, inner: p.inner || inner });
      changed = true;
    }
  };
  while (changed) {
    changed = false;
    for (const s of walk(fn.body)) {
      if (s.kind === "assign") {
        const value = s.value;
        const from = value.kind === "get" || value.kind === "view" || value.kind === "clone" || value.kind === "pop" || value.kind === "length" ? of(value.object) : of(value);
        switch (value.kind) {
          case "get":
          case "pop":
            if (from?.inner) merge(s.target, true, true);
            break;
          case "view":
            if (from) merge(s.target, from.self, from.inner);
            break;
          case "clone":
            if (from?.inner) merge(s.target, false, true);
            break;
          case "literal":
            if (value.items.some((i) => reaches(i.value))) merge(s.target, false, true);
            break;
          case "call":
            // a differentiable callee may hand back (part of) its argument
            if (value.callee.kind === "differentiable" && value.args.some(reaches)) merge(s.target, true, true);
            break;
          default:
            if (from) merge(s.target, from.self, from.inner);
        }
      } else if (s.kind === "store" || s.kind === "push") {
        if (reaches(s.value)) merge(s.object, false, true);
      } else if (s.kind === "set") {
        const p = of(s.source);
        if (p?.inner) merge(s.object, false, true);
      }
    }
  }
  for (const { object, at } of writes) {
    if (!known.get(object)?.self) continue;
    throw new CompileError(codes.writeToInput, messages.writeToInput(at.getText().replace(/\s+/g, " "), writtenInto(at), Node.isCallExpression(at)), at);
  }
}

/** `W` in `W[0] = x`, `W.push(x)`, `W.fill(0)`; `this.w` in `this.w[i] += x`: the storage a write changes. */
function writtenInto(at: Node): string | undefined {
  let target: Node = Node.isBinaryExpression(at) ? at.getLeft() : Node.isCallExpression(at) ? at.getExpression() : at;
  if (Node.isCallExpression(at) && Node.isPropertyAccessExpression(target)) target = target.getExpression();
  else if (Node.isElementAccessExpression(target) || Node.isPropertyAccessExpression(target)) target = target.getExpression();
  return Node.isIdentifier(target) || Node.isPropertyAccessExpression(target) ? target.getText() : undefined;
}
