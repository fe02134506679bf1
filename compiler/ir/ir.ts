/**
 * The intermediate representation: one IR for the user's functions and for the code
 * generated from them.
 *
 * Expressions are trees; statements keep structured control flow (`if`, `loop`, counted
 * `for`) so generated code reads like its source. After lowering a body is in A-normal form:
 * every operand is an atom (a name or a literal) and each assignment does one operation;
 * the analyses and the derivative passes rely on that. The derivative passes build new IR
 * (a forward and a reverse sweep, or a tangent function) from the same nodes plus the tape
 * operations, and `emit/simplify` folds it back into expressions before it is printed once.
 * The IR is plain data: no ts-morph node travels past lowering.
 */
import type { SourcePos } from "../diagnostics";

/** How a value takes part in differentiation. */
export type VarType = "number" | "reference" | "inactive";

/**
 * The structure of a differentiable value, as API.md shapes tangents: numbers, arrays
 * (typed or `number[]`, nested), tuples and objects with their differentiable fields.
 */
export type Shape =
  | { kind: "number" }
  /** booleans, strings, functions, integer typed arrays: no derivative */
  | { kind: "inactive" }
  | { kind: "array"; ctor: ArrayCtor; element: Shape }
  | { kind: "tuple"; items: Shape[] }
  | { kind: "object"; fields: { name: string; optional: boolean; shape: Shape }[] };

export type ArrayCtor = "Float64Array" | "Float32Array" | "Array";

/** `[i]` or `.name`. */
export type Key = { kind: "index"; index: Expr } | { kind: "field"; name: string; optional?: boolean };

export type TapeKind = "number" | "boolean" | "reference";

/** What a call calls, and what that means for derivatives and for moving code. */
export type Callee =
  /** a function with a derivative rule (`Math.sin`, a user's `defineDerivative`): pure */
  | { kind: "rule"; text: string; rule: string }
  /**
   * a `@differentiable` function, differentiated through its generated halves; `text` is a
   * method name read off `receiver` (`this.step`), or with `standalone` a generated function
   * called with `receiver` as its `this` (`step_tangent.call(this, …)`)
   */
  | { kind: "differentiable"; text: string; target: string; receiver?: Expr; standalone?: boolean }
  /** a generated function (`f_forward`, `f_reverse`, a tangent): `of` names its source */
  | { kind: "generated"; text: string; of: string; role: GeneratedRole; receiver?: Expr }
  /**
   * anything else, called as `fn(…)` or `fn.method(…)`: no derivative flows through it;
   * `pure` only when known to be
   */
  | { kind: "opaque"; fn: Expr; method?: string; pure: boolean }
  /** a helper of adgen's runtime in generated code (`zerosLike`, `addTo`) */
  | { kind: "runtime"; name: string };

export type GeneratedRole = "forward" | "reverse" | "adjoint" | "tangent";

export type Expr =
  | { kind: "var"; name: string }
  /**
   * a literal or an outside constant printed as is (`0`, `true`, `Math.PI`, `WEIGHTS`);
   * `volatile`: module state a called function may change meanwhile (a `let`, an array's
   * contents), read where it stands and never moved, merged or read again
   */
  | { kind: "lit"; text: string; volatile?: true }
  /** an operator: `op` is its token (`*`, `<`, `!`, `?:` for a pure select of three) */
  | { kind: "op"; op: string; args: Expr[] }
  /** `spread`: the last argument is an array spread into the call (`Math.max(...z)`) */
  | { kind: "call"; callee: Callee; args: Expr[]; spread?: boolean }
  | { kind: "get"; object: Expr; key: Key }
  | { kind: "length"; object: Expr }
  /** `new Float64Array(n)`, `new Array<number>(n).fill(v)` */
  | { kind: "alloc"; ctor: ArrayCtor; length: Expr; fill?: Expr }
  /** a shallow copy: `Float64Array.from(a)`, `new Float64Array(a)`, `a.slice(start, end)`, `[...a]` */
  | { kind: "clone"; ctor: ArrayCtor | "slice"; object: Expr; start?: Expr; end?: Expr }
  /** `a.subarray(start, end)`: a view sharing `a`'s memory */
  | { kind: "view"; object: Expr; start?: Expr; end?: Expr }
  | { kind: "literal"; shape: "array" | "object"; items: { key: string; value: Expr }[] }
  /** `a.pop()` of a local array used as a stack */
  | { kind: "pop"; object: Expr }
  /** the top of a tape, removed (generated code only); `pair` matches the `save` that pushed it */
  | { kind: "restore"; tape: TapeKind; typeText?: string; pair?: number };

export type Atom = Extract<Expr, { kind: "var" | "lit" }>;

/** Index of the source statement an IR statement came from (into `IrFunction.origins`). */
export type Origin = number;

/** A user statement: its one-line text for `// adjoint of:` comments, and where it is. */
export interface OriginInfo {
  text: string;
  pos: SourcePos;
}

export type Stmt =
  /** `target = value`, or `target += value` / `-=` when `accumulate` is set */
  | { kind: "assign"; target: string; value: Expr; accumulate?: "+" | "-"; origin: Origin }
  /** `object[key] = value` (or `+=` / `-=`) */
  | { kind: "store"; object: string; key: Key; value: Expr; accumulate?: "+" | "-"; origin: Origin }
  /** `object.push(value)` */
  | { kind: "push"; object: string; value: Expr; origin: Origin }
  /** `object.fill(value, start, end)` */
  | { kind: "fill"; object: string; value: Expr; start?: Expr; end?: Expr; origin: Origin }
  /** `object.set(source, offset)` */
  | { kind: "set"; object: string; source: Expr; offset?: Expr; origin: Origin }
  /** an expression evaluated for its effect (a call whose result is unused, `a.pop()`) */
  | { kind: "effect"; value: Expr; origin: Origin }
  /** push a value on a tape (generated code only); `pair` matches the `restore` that pops it */
  | { kind: "save"; tape: TapeKind; value: Expr; origin: Origin; pair?: number }
  /** the condition is never assigned inside the branches */
  | { kind: "if"; cond: Expr; then: Stmt[]; else: Stmt[]; origin: Origin }
  /** `while (true) { test; if (!cond) break; body }`: `test` runs once more than `body` */
  | { kind: "loop"; test: Stmt[]; cond: Expr; body: Stmt[]; origin: Origin }
  /**
   * A counted loop: `index` runs `start, start + 1, …, end - 1` (`step` 1) or `start,
   * start - 1, …, end` (`step` -1); the bounds are evaluated once, `index` is never
   * assigned in `body`, and `body` never leaves the loop early. `start` is an integer;
   * `integralEnd` says `end` is known to be one too.
   */
  | { kind: "for"; index: string; start: Expr; end: Expr; step: 1 | -1; body: Stmt[]; origin: Origin; integralEnd?: boolean }
  | { kind: "return"; value: Expr; origin: Origin }
  /** a comment line in generated code */
  | { kind: "comment"; text: string; origin: Origin };

export type StmtKind = Stmt["kind"];

export interface IrVar {
  name: string;
  type: VarType;
  /** TypeScript type text, for declarations */
  typeText: string;
  /** the tangent's type text (`number`, `Float64Array`, `{ w: number[] }`) for active types */
  tangentText?: string;
  shape: Shape;
  role: "param" | "local" | "temp" | "generated";
}

export interface IrParam {
  name: string;
  typeText: string;
  type: VarType;
  /** the type text of its tangent (`null` for inactive parameters) */
  tangentText: string;
  shape: Shape;
  /** a default value's source text (`eps = 1e-3`), kept in generated signatures */
  initText?: string;
  /** `gain?: number` */
  optional?: boolean;
}

/**
 * A parameter as TypeScript: `gain?: number`, `eps: number = 1e-3`; an optional one that a required parameter follows (a
 * generated function's own parameters come after the user's) as `gain: number | undefined`, since TypeScript allows `?`
 * only where every later parameter is optional.
 */
export function parameterText(p: Pick<IrParam, "name" | "typeText" | "initText" | "optional">, requiredLater = false): string {
  if (p.initText) return `${p.name}: ${p.typeText} = ${p.initText}`;
  if (!p.optional) return `${p.name}: ${p.typeText}`;
  return requiredLater ? `${p.name}: ${p.typeText} | undefined` : `${p.name}?: ${p.typeText}`;
}

export interface IrFunction {
  /** the function's name as the user calls it (`loss`, `Affine.apply`) */
  name: string;
  /** an identifier generated functions are named after (`loss`, `Affine_apply`) */
  base: string;
  /** a key that identifies the function across the project */
  key: string;
  params: IrParam[];
  /** how generated code calls the function itself (`loss`, `this.apply`) */
  callText: string;
  /** for methods: the type of `this`, an inactive receiver whose fields the body may read */
  self?: string;
  result: { type: VarType; typeText: string; tangentText: string; shape: Shape };
  vars: Map<string, IrVar>;
  body: Stmt[];
  /** the user statements, indexed by Origin */
  origins: OriginInfo[];
}

export const v = (name: string): Extract<Expr, { kind: "var" }> => ({ kind: "var", name });
export const lit = (text: string): Extract<Expr, { kind: "lit" }> => ({ kind: "lit", text });
export const op = (operator: string, ...args: Expr[]): Expr => ({ kind: "op", op: operator, args });
/** `Math.ceil(e)`: how many times `for (i = 0; i < e; i++)` runs, for an `e` that may not be an integer. */
export const ceiling = (e: Expr): Expr => ({ kind: "call", callee: { kind: "rule", text: "Math.ceil", rule: "Math.ceil" }, args: [e] });
/** An array literal of `items`: a tuple. */
export const tuple = (items: readonly Expr[]): Expr => ({ kind: "literal", shape: "array", items: items.map((value, k) => ({ key: String(k), value })) });

/** The operator token of an arithmetic value (`+` for an operator's rule call too). */
export function arithmetic(value: Expr): string | undefined {
  if (value.kind === "op") return value.op;
  if (value.kind === "call" && value.callee.kind === "rule" && /^[-+*/%]|\*\*$/.test(value.callee.text)) return value.callee.text;
  return undefined;
}

export const isAtom = (e: Expr): e is Atom => e.kind === "var" || e.kind === "lit";
export const varName = (e: Expr): string | undefined => (e.kind === "var" ? e.name : undefined);

/** A literal's numeric value, when it is a plain number (`2`, `-0.5`, `1e-3`). */
export function numberValue(e: Expr): number | undefined {
  if (e.kind !== "lit" || !/^-?(\d|\.\d)/.test(e.text)) return undefined;
  const value = Number(e.text);
  return Number.isFinite(value) ? value : undefined;
}

/** The array element shape of a reference's shape (`number` for a flat array). */
export function elementShape(shape: Shape, key: Key): Shape {
  switch (shape.kind) {
    case "array":
      return shape.element;
    case "tuple": {
      const index = key.kind === "index" && key.index.kind === "lit" ? Number(key.index.text) : NaN;
      return shape.items[index] ?? { kind: "inactive" };
    }
    case "object":
      return (key.kind === "field" && shape.fields.find((f) => f.name === key.name)?.shape) || { kind: "inactive" };
    default:
      return { kind: "inactive" };
  }
}

export const typeOfShape = (shape: Shape): VarType =>
  shape.kind === "number" ? "number" : shape.kind === "inactive" ? "inactive" : "reference";

/** A flat array of numbers: its copies' adjoints flow element by element. */
export const isFlatArray = (shape: Shape): boolean => shape.kind === "array" && shape.element.kind === "number";

/** A generated function, ready to be simplified and printed. */
export interface OutFunction {
  name: string;
  /** its doc comment's text */
  doc: string;
  exported: boolean;
  /** for methods: the type of `this` */
  self?: string;
  params: { name: string; typeText: string; initText?: string; optional?: boolean }[];
  returnTypeText: string;
  /** the types of its variables, for declarations */
  vars: Map<string, IrVar>;
  body: Stmt[];
  /** the source statements `origin` fields index */
  origins: OriginInfo[];
  /** an entry point: if it throws, the tapes are put back as they were when it was called */
  guarded?: boolean;
  /** per variable, a note printed beside its assignments (`inspect --stage plan`) */
  notes?: ReadonlyMap<string, string>;
}

/** A comment statement that code never moves across (the sweeps' boundary). */
export const barrier = (text: string): Stmt => ({ kind: "comment", text, origin: -1 });
