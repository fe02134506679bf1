/**
 * Reverse mode: an IR function to a generated TypeScript function that runs a forward
 * sweep (the primal, keeping what the reverse sweep needs) and then a reverse sweep (one
 * adjoint block per primal statement, in reverse order).
 *
 * Input: the IR, its activity, the rules and what to generate (a function's reusable
 * adjoint, or a `grad`/`valueAndGrad` specialised to its `wrt`). Output: TypeScript text.
 * Invariants: adjoint code only for active variables; a value the reverse sweep reads
 * after the forward sweep overwrote it is saved before the overwrite and restored in
 * reverse; a temporary used once gets its adjoint by `const`, everything else by `+=`.
 */
import { isCallOp, type Activity } from "../analyse";
import { Code } from "../code";
import { atomText, valueArgs, valueText, type IrFunction, type Stmt } from "../ir";
import { Names, adjointName } from "../naming";
import type { Rule } from "../rules";
import { assignAdjoint, type AssignAdjoint } from "./assign";

export type AdjointKind = "adjoint" | "grad" | "valueAndGrad";

export interface AdjointSpec {
  kind: AdjointKind;
  /** the generated function's name */
  name: string;
  /** parameter indices differentiated (all numeric ones for "adjoint") */
  wrt: number[];
  /** `wrt` was given as an array, so the gradient is a tuple */
  many: boolean;
  exported: boolean;
  /** a doc line for the generated function */
  doc: string;
}

type Assign = Extract<Stmt, { kind: "assign" }>;

/** The type text of a parameter's cotangent. */
export function tangentTypeText(fn: IrFunction, index: number): string {
  return fn.params[index].type === "number" ? "number" : "null";
}

export function generateAdjoint(
  fn: IrFunction,
  activity: Activity,
  spec: AdjointSpec,
  rules: ReadonlyMap<string, Rule>,
  reserved: Iterable<string>,
): string {
  const names = new Names(reserved);
  for (const name of fn.vars.keys()) names.reserve(name);
  const bar = new Map<string, string>();
  const barOf = (name: string) => {
    if (!bar.has(name)) bar.set(name, adjointName(names, name));
    return bar.get(name)!;
  };
  const seedParam = spec.kind === "adjoint" ? names.fresh("result_bar") : undefined;
  const seed = seedParam ?? "1";

  // A temporary defined and read once takes its adjoint as a `const` where it is read.
  const uses = new Map<string, number>();
  const count = (name: string) => uses.set(name, (uses.get(name) ?? 0) + 1);
  for (const s of fn.body) {
    if (s.kind === "return") {
      if (s.value.kind === "var") count(s.value.name);
    } else {
      const args = s.value.kind === "copy" ? [s.value.arg] : s.value.args;
      for (const a of args) if (a.kind === "var") count(a.name);
    }
  }
  const direct = (name: string) => fn.vars.get(name)?.role === "temp" && uses.get(name) === 1;

  // Each statement's adjoint, worked out before anything is emitted.
  const assigns = fn.body.map((s) =>
    s.kind === "assign" && activity.isActive(s.target)
      ? assignAdjoint(s.target, s.value, barOf(s.target), activity.isActive, rules)
      : undefined,
  );

  // Which primal values each adjoint block reads, to know what an overwrite must save.
  const reads = assigns.map((a, i) => {
    const s = fn.body[i];
    if (!a || s.kind !== "assign") return new Set<string>();
    const texts =
      a.kind === "call" ? a.call.args.map(atomText) : a.contributions.map((c) => c.text);
    return new Set(texts.flatMap((t) => t.match(/[A-Za-z_$][\w$]*/g) ?? []));
  });
  const defined = new Set(fn.params.map((p) => p.name));
  const overwrites = new Set<number>();
  const saved = new Map<number, string>();
  fn.body.forEach((s, i) => {
    if (s.kind !== "assign") return;
    if (defined.has(s.target)) {
      overwrites.add(i);
      if (reads.slice(0, i).some((r) => r.has(s.target))) saved.set(i, names.fresh(`${s.target}_old`));
    }
    defined.add(s.target);
  });

  // The forward sweep keeps only what the reverse sweep or the result needs, and calls
  // that may have effects; the rest of the primal would be dead code here.
  const ret = fn.body.at(-1) as Extract<Stmt, { kind: "return" }>;
  const needed = new Set<string>(reads.flatMap((r) => [...r]));
  if (spec.kind === "valueAndGrad" && ret.value.kind === "var") needed.add(ret.value.name);
  const kept = new Set<number>();
  for (let i = fn.body.length - 1; i >= 0; i--) {
    const s = fn.body[i];
    if (s.kind !== "assign") continue;
    const effectful = s.value.kind === "op" && !s.value.rule && isCallOp(s.value.op);
    if (!needed.has(s.target) && !effectful) continue;
    kept.add(i);
    for (const a of valueArgs(s.value)) if (a.kind === "var") needed.add(a.name);
  }

  const code = new Code();
  const params = fn.params.map((p) => `${p.name}: ${p.typeText}`);
  if (seedParam) params.push(`${seedParam}: number`);
  const gradients = spec.wrt.map((i) => tangentTypeText(fn, i));
  const gradientType = spec.many ? `[${gradients.join(", ")}]` : gradients[0];
  const returnType =
    spec.kind === "adjoint"
      ? `[${fn.params.map((_, i) => tangentTypeText(fn, i)).join(", ")}]`
      : spec.kind === "valueAndGrad"
        ? `[${fn.resultTypeText}, ${gradientType}]`
        : gradientType;

  code.line(`/** ${spec.doc} */`);
  code.block(`${spec.exported ? "export " : ""}function ${spec.name}(${params.join(", ")}): ${returnType}`, () => {
    code.line("// forward sweep");
    fn.body.forEach((s, i) => {
      if (s.kind !== "assign" || !kept.has(i)) return;
      const old = saved.get(i);
      if (old) code.line(`const ${old} = ${s.target};`);
      code.line(forwardText(fn, s));
    });
    let value = atomText(ret.value);
    if (spec.kind === "valueAndGrad" && ret.value.kind === "var" && [...saved.values()].length > 0) {
      const captured = names.fresh("value");
      code.line(`const ${captured} = ${value};`);
      value = captured;
    }

    code.line("");
    code.line("// reverse sweep");
    const accumulated = [...new Set([...spec.wrt.map((i) => fn.params[i].name), ...fn.vars.keys()])].filter(
      (name) => activity.isActive(name) && !direct(name),
    );
    for (const name of accumulated) code.line(`let ${barOf(name)} = 0;`);
    const declared = new Set<string>();
    const add = (target: string, text: string, negated: boolean) => {
      if (direct(target) && !declared.has(target)) {
        declared.add(target);
        code.line(`const ${barOf(target)} = ${negated ? `-${wrapNegation(text)}` : text};`);
      } else {
        code.line(`${barOf(target)} ${negated ? "-=" : "+="} ${text};`);
      }
    };

    let origin = -1;
    for (let i = fn.body.length - 1; i >= 0; i--) {
      const s = fn.body[i];
      if (s.kind === "return") {
        if (s.value.kind === "var" && activity.isActive(s.value.name)) {
          code.line(`// adjoint of: ${fn.origins[s.origin].text}`);
          origin = s.origin;
          add(s.value.name, seed, false);
        }
        continue;
      }
      const adjoint = assigns[i];
      const live = adjoint && (!direct(s.target) || declared.has(s.target));
      if (live && s.origin !== origin) {
        code.line(`// adjoint of: ${fn.origins[s.origin].text}`);
        origin = s.origin;
      }
      if (live) emitAdjoint(adjoint, add, names, barOf, direct, declared, code);
      if (live && overwrites.has(i) && !direct(s.target)) code.line(`${barOf(s.target)} = 0;`);
      const old = saved.get(i);
      if (old) code.line(`${s.target} = ${old};`);
    }

    const gradientOf = (index: number) => {
      const p = fn.params[index];
      if (p.type !== "number") return "null";
      return activity.isActive(p.name) ? barOf(p.name) : "0";
    };
    const grads = spec.wrt.map(gradientOf);
    const gradient = spec.many ? `[${grads.join(", ")}]` : grads[0];
    if (spec.kind === "adjoint") code.line(`return [${fn.params.map((_, i) => gradientOf(i)).join(", ")}];`);
    else if (spec.kind === "valueAndGrad") code.line(`return [${value}, ${gradient}];`);
    else code.line(`return ${gradient};`);
  });
  return code.toString();
}

function forwardText(fn: IrFunction, s: Assign): string {
  const variable = fn.vars.get(s.target)!;
  const keyword = s.declares ? (variable.mutable ? "let " : "const ") : "";
  const annotation = s.declares && variable.mutable && variable.role !== "temp" ? `: ${variable.typeText}` : "";
  return `${keyword}${s.target}${annotation} = ${valueText(s.value)};`;
}

function wrapNegation(text: string): string {
  return /^[\w$.]+$/.test(text) ? text : `(${text})`;
}

function emitAdjoint(
  adjoint: AssignAdjoint,
  add: (target: string, text: string, negated: boolean) => void,
  names: Names,
  barOf: (name: string) => string,
  direct: (name: string) => boolean,
  declared: Set<string>,
  code: Code,
): void {
  if (adjoint.kind === "contributions") {
    for (const c of adjoint.contributions) add(c.target, c.text, c.negated);
    return;
  }
  // `const [a_bar, t1_bar] = g_adjoint(a, t1, y_bar)`, adding into adjoints that accumulate.
  const { call } = adjoint;
  if (call.receivers.every((to) => !to)) return;
  const later: [string, string][] = [];
  const pattern = call.receivers.map((to) => {
    if (!to) return "";
    if (direct(to) && !declared.has(to)) {
      declared.add(to);
      return barOf(to);
    }
    const part = names.fresh(`${barOf(to)}_part`);
    later.push([to, part]);
    return part;
  });
  const args = [...call.args.map(atomText), call.seed].join(", ");
  while (pattern.length && pattern.at(-1) === "") pattern.pop();
  code.line(pattern.length ? `const [${pattern.join(", ")}] = ${call.adjoint}(${args});` : `${call.adjoint}(${args});`);
  for (const [to, part] of later) add(to, part, false);
}
