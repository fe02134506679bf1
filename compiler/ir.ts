/**
 * The intermediate representation: a function body in A-normal form.
 *
 * Every assignment performs one operation on atoms (names or literals); structured
 * control flow stays structured so generated code reads like its source. The IR is plain
 * data — no ts-morph nodes — so the passes after lowering depend on nothing but this file.
 */
import type { SourcePos } from "./diagnostics";

/** A name (parameter, local or temporary) or a literal / outer constant printed as is. */
export type Atom = { kind: "var"; name: string } | { kind: "lit"; text: string };

export type Value =
  /** `target = arg` */
  | { kind: "copy"; arg: Atom }
  /**
   * An operator or a call of a function that is not differentiated through: `op` is the
   * operator token (`*`, `<`, `!`) or the callee as written (`Math.sin`). `rule` names the
   * derivative rule when there is one; without it the result carries no derivative.
   */
  | { kind: "op"; op: string; args: Atom[]; rule?: string }
  /** A call of another `@differentiable` function, differentiated through its adjoint. */
  | { kind: "call"; callee: string; adjoint: string; args: Atom[] };

/** Index of the source statement an IR statement came from (into `IrFunction.origins`). */
export type Origin = number;

/** A user statement: its one-line text for `// adjoint of:` comments, and where it is. */
export interface OriginInfo {
  text: string;
  pos: SourcePos;
}

export type Stmt =
  | { kind: "assign"; target: string; value: Value; declares: boolean; origin: Origin }
  | { kind: "return"; value: Atom; origin: Origin };

/** How a value takes part in differentiation. */
export type VarType = "number" | "inactive";

export interface IrVar {
  name: string;
  type: VarType;
  /** TypeScript type text, for declarations */
  typeText: string;
  role: "param" | "local" | "temp";
  /** assigned more than once (so declared with `let`) */
  mutable: boolean;
}

export interface IrParam {
  name: string;
  typeText: string;
  type: VarType;
}

export interface IrFunction {
  /** the function's name as the user calls it */
  name: string;
  params: IrParam[];
  resultType: VarType;
  resultTypeText: string;
  vars: Map<string, IrVar>;
  body: Stmt[];
  /** the user statements, indexed by Origin */
  origins: OriginInfo[];
}

export const v = (name: string): Atom => ({ kind: "var", name });
export const lit = (text: string): Atom => ({ kind: "lit", text });

export function atomText(a: Atom): string {
  if (a.kind === "var") return a.name;
  return a.text.startsWith("-") ? `(${a.text})` : a.text;
}

/** The atoms a value reads. */
export function valueArgs(value: Value): Atom[] {
  return value.kind === "copy" ? [value.arg] : value.args;
}

const infix = new Set(["+", "-", "*", "/", "%", "**", "<", "<=", ">", ">=", "==", "===", "!=", "!==", "&&", "||", "??", "&", "|", "^", "<<", ">>", ">>>"]);
const prefix = new Set(["-", "+", "!", "~", "typeof"]);

/** The primal expression of a value, as TypeScript. */
export function valueText(value: Value): string {
  switch (value.kind) {
    case "copy":
      return atomText(value.arg);
    case "call":
      return `${value.callee}(${value.args.map(atomText).join(", ")})`;
    case "op": {
      const args = value.args.map(atomText);
      if (args.length === 2 && infix.has(value.op)) return `${args[0]} ${value.op} ${args[1]}`;
      if (args.length === 1 && prefix.has(value.op)) {
        const sep = value.op === "typeof" ? " " : "";
        return `${value.op}${sep}${args[0]}`;
      }
      return `${value.op}(${args.join(", ")})`;
    }
  }
}

/** The IR as text: what `adgen inspect --stage lower` prints. */
export function printFunction(fn: IrFunction, annotate?: (name: string) => string): string {
  const params = fn.params.map((p) => `${p.name}: ${p.typeText}`).join(", ");
  const lines = [`function ${fn.name}(${params}): ${fn.resultTypeText} {`];
  let origin = -1;
  for (const stmt of fn.body) {
    if (stmt.origin !== origin) {
      origin = stmt.origin;
      lines.push(`  // ${fn.origins[origin].text}`);
    }
    lines.push(`  ${stmtText(fn, stmt, annotate)}`);
  }
  lines.push("}");
  return lines.join("\n");
}

function stmtText(fn: IrFunction, stmt: Stmt, annotate?: (name: string) => string): string {
  if (stmt.kind === "return") return `return ${atomText(stmt.value)};`;
  const variable = fn.vars.get(stmt.target);
  const keyword = stmt.declares ? (variable?.mutable ? "let " : "const ") : "";
  const note = annotate ? `  // ${annotate(stmt.target)}` : "";
  return `${keyword}${stmt.target} = ${valueText(stmt.value)};${note}`;
}
