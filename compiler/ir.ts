/**
 * The intermediate representation: a function body in A-normal form.
 *
 * Every assignment performs one operation on atoms (names or literals); control flow stays
 * structured (`if`, `loop`) so generated code reads like its source. Lowering has already
 * turned `break`, `continue`, early `return`, `switch`, `&&`/`||`/`??` and `?:` into flags
 * and branches, so a body has one exit: its final `return`. The IR is plain data — no
 * ts-morph nodes — so the passes after lowering depend on nothing but this file.
 */
import type { SourcePos } from "./diagnostics";

/** A name (parameter, local or temporary) or a literal / outer constant printed as is. */
export type Atom = { kind: "var"; name: string } | { kind: "lit"; text: string };

/** Where in an array, tuple or object: `[i]` or `.name`. */
export type Key =
  | { kind: "index"; index: Atom }
  /** `optional`: the field may be absent (`gain?: number`), and so may its adjoint */
  | { kind: "field"; name: string; optional?: boolean };

/**
 * The callee's forward and reverse halves: the forward half runs the callee's forward sweep
 * and leaves on the tapes what its reverse half needs, so a call is not swept twice.
 */
export interface SplitNames {
  forward: string;
  reverse: string;
}

export type ArrayConstructor = "Float64Array" | "Float32Array" | "Array";

export type Value =
  /** `target = arg` */
  | { kind: "copy"; arg: Atom }
  /**
   * An operator or a call of a function that is not differentiated through: `op` is the
   * operator token (`*`, `<`, `!`) or the callee as written (`Math.sin`). `rule` names the
   * derivative rule when there is one; without it the result carries no derivative.
   */
  | { kind: "op"; op: string; args: Atom[]; rule?: string }
  /**
   * A call of a `@differentiable` function, differentiated through its adjoint; a method
   * call has the receiver its adjoint is called on (`g_adjoint.call(this, …)`).
   */
  | { kind: "call"; callee: string; adjoint: string; args: Atom[]; receiver?: string; split: SplitNames }
  /** `object[key]` / `object.key`: an element or a field */
  | { kind: "get"; object: string; key: Key }
  /** `object.length`: an integer, never differentiable */
  | { kind: "length"; object: string }
  /** `Float64Array.from(a)`, `a.slice()`: a copy of a flat array */
  | { kind: "clone"; object: string; from?: string }
  /** `new Float64Array(n)` / `new Array(n).fill(0)`: a zeroed array */
  | { kind: "alloc"; ctor: ArrayConstructor; length: Atom }
  /** `[a, b]` or `{ a: x, b: y }` */
  | { kind: "literal"; shape: "array" | "object"; items: { key: string; value: Atom }[] };

/** Index of the source statement an IR statement came from (into `IrFunction.origins`). */
export type Origin = number;

/** A user statement: its one-line text for `// adjoint of:` comments, and where it is. */
export interface OriginInfo {
  text: string;
  pos: SourcePos;
}

export type Stmt =
  | { kind: "assign"; target: string; value: Value; origin: Origin }
  /** `object[key] = value` (a number into a local array or object) */
  | { kind: "store"; object: string; key: Key; value: Atom; origin: Origin }
  /** `object.push(value)` on a local array */
  | { kind: "push"; object: string; value: Atom; origin: Origin }
  /** `cond` is never assigned inside the branches, so the reverse sweep can test it again */
  | { kind: "if"; cond: Atom; then: Stmt[]; else: Stmt[]; origin: Origin }
  /** `while (true) { test; if (!cond) break; body }`: `test` runs once more than `body` */
  | { kind: "loop"; test: Stmt[]; cond: Atom; body: Stmt[]; origin: Origin }
  /** the one final return */
  | { kind: "return"; value: Atom; origin: Origin };

/**
 * How a value takes part in differentiation: a number; a reference to an array, tuple or
 * object that holds numbers (its adjoint is a "shadow" of the same shape); or inactive
 * (booleans, strings, integer arrays: never differentiated).
 */
export type VarType = "number" | "reference" | "inactive";

export interface IrVar {
  name: string;
  type: VarType;
  /** TypeScript type text, for declarations */
  typeText: string;
  role: "param" | "local" | "temp";
  /** the type text of its adjoint, for arrays and objects (`Float64Array`, `number[][]`) */
  tangentText?: string;
}

export interface IrParam {
  name: string;
  typeText: string;
  type: VarType;
  /** the type text of its cotangent (`number`, `Float64Array`, `{ w: number[] }`, `null`) */
  tangentText: string;
}

export interface IrFunction {
  /** the function's name as the user calls it */
  name: string;
  params: IrParam[];
  /** how generated code calls the function (`loss`, `this.apply`) */
  callText: string;
  /** for methods: the type of `this`, an inactive receiver whose fields the body may read */
  self?: string;
  resultType: VarType;
  resultTypeText: string;
  resultTangentText: string;
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

export function keyText(key: Key): string {
  return key.kind === "index" ? `[${atomText(key.index)}]` : `.${key.name}`;
}

/** The atoms a value reads (not counting the array or object it reads from). */
export function valueArgs(value: Value): Atom[] {
  switch (value.kind) {
    case "copy":
      return [value.arg];
    case "op":
    case "call":
      return value.args;
    case "get":
      return value.key.kind === "index" ? [value.key.index] : [];
    case "length":
    case "clone":
      return [];
    case "alloc":
      return [value.length];
    case "literal":
      return value.items.map((i) => i.value);
  }
}

/** How many statements assign each variable. */
export function assignmentCounts(body: readonly Stmt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of walk(body)) if (s.kind === "assign") counts.set(s.target, (counts.get(s.target) ?? 0) + 1);
  return counts;
}

/** A value with `f` applied to each atom it reads. */
export function mapAtoms(value: Value, f: (a: Atom) => Atom): Value {
  switch (value.kind) {
    case "copy":
      return { ...value, arg: f(value.arg) };
    case "op":
    case "call":
      return { ...value, args: value.args.map(f) };
    case "get":
      return value.key.kind === "index" ? { ...value, key: { kind: "index", index: f(value.key.index) } } : value;
    case "alloc":
      return { ...value, length: f(value.length) };
    case "literal":
      return { ...value, items: value.items.map((i) => ({ ...i, value: f(i.value) })) };
    case "length":
    case "clone":
      return value;
  }
}

/** Every name a value reads, the array or object included. */
export function valueReads(value: Value): string[] {
  const names = valueArgs(value).flatMap((a) => (a.kind === "var" ? [a.name] : []));
  if (value.kind === "get" || value.kind === "length" || value.kind === "clone") names.push(value.object);
  return names;
}

/** The statement lists nested in a statement: an `if`'s branches, a loop's test and body. */
export function childLists(s: Stmt): Stmt[][] {
  return s.kind === "if" ? [s.then, s.else] : s.kind === "loop" ? [s.test, s.body] : [];
}

/** Every statement in a body, nested ones included, in program order. */
export function* walk(body: readonly Stmt[]): Generator<Stmt> {
  for (const s of body) {
    yield s;
    for (const list of childLists(s)) yield* walk(list);
  }
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
    case "get":
      return `${value.object}${keyText(value.key)}`;
    case "length":
      return `${value.object}.length`;
    case "clone":
      return value.from ? `${value.from}(${value.object})` : `${value.object}.slice()`;
    case "alloc":
      return value.ctor === "Array"
        ? `new Array<number>(${atomText(value.length)}).fill(0)`
        : `new ${value.ctor}(${atomText(value.length)})`;
    case "literal": {
      if (value.shape === "array") return `[${value.items.map((i) => atomText(i.value)).join(", ")}]`;
      return `{ ${value.items.map((i) => `${i.key}: ${atomText(i.value)}`).join(", ")} }`;
    }
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

/** A statement that is not control flow, as one line of TypeScript. */
export function simpleText(s: Exclude<Stmt, { kind: "if" | "loop" }>): string {
  switch (s.kind) {
    case "assign":
      return `${s.target} = ${valueText(s.value)};`;
    case "store":
      return `${s.object}${keyText(s.key)} = ${atomText(s.value)};`;
    case "push":
      return `${s.object}.push(${atomText(s.value)});`;
    case "return":
      return `return ${atomText(s.value)};`;
  }
}

/** The IR as text: what `adgen inspect --stage lower` prints. */
export function printFunction(fn: IrFunction, annotate?: (name: string) => string): string {
  const params = fn.params.map((p) => `${p.name}: ${p.typeText}`).join(", ");
  const lines = [`function ${fn.name}(${params}): ${fn.resultTypeText} {`];
  let origin = -1;
  const block = (body: readonly Stmt[], indent: string) => {
    for (const s of body) {
      if (s.origin !== origin) {
        origin = s.origin;
        lines.push(`${indent}// ${fn.origins[origin].text}`);
      }
      if (s.kind === "if") {
        lines.push(`${indent}if (${atomText(s.cond)}) {`);
        block(s.then, indent + "  ");
        if (s.else.length) {
          lines.push(`${indent}} else {`);
          block(s.else, indent + "  ");
        }
        lines.push(`${indent}}`);
      } else if (s.kind === "loop") {
        lines.push(`${indent}loop {`);
        block(s.test, indent + "  ");
        lines.push(`${indent}  if (!${atomText(s.cond)}) break;`);
        block(s.body, indent + "  ");
        lines.push(`${indent}}`);
      } else {
        const note = annotate && s.kind === "assign" ? `  // ${annotate(s.target)}` : "";
        lines.push(`${indent}${simpleText(s)}${note}`);
      }
    }
  };
  block(fn.body, "  ");
  lines.push("}");
  return lines.join("\n");
}
