/**
 * Analyse: activity of every IR variable.
 *
 * Input: an IrFunction and the parameters differentiated with respect to. Output: which
 * variables are *varied* (depend on those parameters) and *useful* (reach the result);
 * only variables that are both — and numbers — get adjoint code. Also rejects a call of a
 * function without a derivative that receives a varied value (ADG2001).
 * Flow-insensitive and iterated to a fixed point, so it is exact for straight-line code
 * and safe (never misses a dependence) for any control flow.
 */
import { CompileError, codes } from "./diagnostics";
import { valueArgs, type IrFunction, type Stmt } from "./ir";

export interface Activity {
  varied: ReadonlySet<string>;
  useful: ReadonlySet<string>;
  isActive(name: string): boolean;
}

/** Whether an `op` value is a call (a callee name) rather than an operator token. */
export const isCallOp = (op: string): boolean => /^[A-Za-z_$]/.test(op) && op !== "typeof";

export function analyse(fn: IrFunction, independents: readonly string[]): Activity {
  const assigns = fn.body.filter((s): s is Extract<Stmt, { kind: "assign" }> => s.kind === "assign");
  const isNumber = (name: string) => fn.vars.get(name)?.type === "number";

  const varied = new Set(independents.filter(isNumber));
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of assigns) {
      if (varied.has(s.target) || !isNumber(s.target)) continue;
      const fromVaried = valueArgs(s.value).some((a) => a.kind === "var" && varied.has(a.name));
      const differentiable = s.value.kind !== "op" || s.value.rule !== undefined;
      if (fromVaried && differentiable) {
        varied.add(s.target);
        changed = true;
      }
    }
  }

  const useful = new Set<string>();
  for (const s of fn.body) if (s.kind === "return" && s.value.kind === "var") useful.add(s.value.name);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of assigns) {
      if (!useful.has(s.target)) continue;
      for (const a of valueArgs(s.value)) {
        if (a.kind === "var" && !useful.has(a.name)) {
          useful.add(a.name);
          changed = true;
        }
      }
    }
  }

  return {
    varied,
    useful,
    isActive: (name) => varied.has(name) && useful.has(name) && isNumber(name),
  };
}

/**
 * A value that depends on the inputs must not flow into a call adgen cannot differentiate:
 * its derivative would be silently dropped. Checked against *all* numeric parameters, so
 * the verdict does not depend on which gradient was asked for.
 */
export function checkCalls(fn: IrFunction): void {
  const all = analyse(fn, fn.params.map((p) => p.name));
  for (const s of fn.body) {
    if (s.kind !== "assign" || s.value.kind !== "op" || s.value.rule || !isCallOp(s.value.op)) continue;
    const active = s.value.args.find((a) => a.kind === "var" && all.varied.has(a.name));
    if (active) {
      throw new CompileError(
        codes.notDifferentiableCallee,
        `\`${s.value.op}\` has no derivative, but it receives a value that depends on the inputs (in \`${fn.origins[s.origin].text}\`). Mark it /** @differentiable */, give it a rule with defineDerivative, or pass it only values that do not depend on the inputs`,
        fn.origins[s.origin].pos,
      );
    }
  }
}
