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
  /** a `@differentiable` function, differentiated through its generated halves */
  | { kind: "differentiable"; text: string; target: string; receiver?: Expr }
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
  /** a literal or an outside constant printed as is (`0`, `true`, `Math.PI`, `WEIGHTS`) */
  | { kind: "lit"; text: string }
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

export const isAtom = (e: Expr): e is Atom => e.kind === "var" || e.kind === "lit";
export const varName = (e: Expr): string | undefined => (e.kind === "var" ? e.name : undefined);

/** A literal's numeric value, when it is a plain number (`2`, `-0.5`, `1e-3`). */
export function numberValue(e: Expr): number | undefined {
  if (e.kind !== "lit" || !/^-?(\d|\.\d)/.test(e.text)) return undefined;
  const value = Number(e.text);
  return Number.isFinite(value) ? value : undefined;
}

/** The expressions a node reads directly (operands, the object read from, indices). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "var":
    case "lit":
    case "restore":
      return [];
    case "op":
      return e.args;
    case "call":
      return [...calleeExprs(e.callee), ...e.args];
    case "get":
      return e.key.kind === "index" ? [e.object, e.key.index] : [e.object];
    case "length":
    case "pop":
      return [e.object];
    case "alloc":
      return e.fill ? [e.length, e.fill] : [e.length];
    case "clone":
    case "view":
      return [e.object, ...(e.start ? [e.start] : []), ...(e.end ? [e.end] : [])];
    case "literal":
      return e.items.map((i) => i.value);
  }
}

/** The expression with `f` applied to each direct child. */
export function mapChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  switch (e.kind) {
    case "var":
    case "lit":
    case "restore":
      return e;
    case "op":
      return { ...e, args: e.args.map(f) };
    case "call":
      return { ...e, callee: mapCallee(e.callee, f), args: e.args.map(f) };
    case "get":
      return { ...e, object: f(e.object), key: mapKey(e.key, f) };
    case "length":
    case "pop":
      return { ...e, object: f(e.object) };
    case "alloc":
      return { ...e, length: f(e.length), ...(e.fill ? { fill: f(e.fill) } : {}) };
    case "clone":
    case "view":
      return { ...e, object: f(e.object), ...(e.start ? { start: f(e.start) } : {}), ...(e.end ? { end: f(e.end) } : {}) };
    case "literal":
      return { ...e, items: e.items.map((i) => ({ key: i.key, value: f(i.value) })) };
  }
}

/** The expressions a callee evaluates: an opaque callee's function or object, a method's receiver. */
export function calleeExprs(callee: Callee): Expr[] {
  if (callee.kind === "opaque") return [callee.fn];
  if ((callee.kind === "differentiable" || callee.kind === "generated") && callee.receiver) return [callee.receiver];
  return [];
}

function mapCallee(callee: Callee, f: (e: Expr) => Expr): Callee {
  if (callee.kind === "opaque") return { ...callee, fn: f(callee.fn) };
  if ((callee.kind === "differentiable" || callee.kind === "generated") && callee.receiver) return { ...callee, receiver: f(callee.receiver) };
  return callee;
}

export const mapKey = (key: Key, f: (e: Expr) => Expr): Key => (key.kind === "index" ? { kind: "index", index: f(key.index) } : key);

/** Every name an expression reads, in evaluation order (with repeats). */
export function exprReads(e: Expr, out: string[] = []): string[] {
  const stack: Expr[] = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "var") out.push(node.name);
    else {
      const kids = children(node);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
  }
  return out;
}

/** The expressions a statement evaluates itself (not those of nested statements). */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "assign":
      return s.accumulate ? [v(s.target), s.value] : [s.value];
    case "store":
      return [v(s.object), ...(s.key.kind === "index" ? [s.key.index] : []), s.value];
    case "push":
      return [v(s.object), s.value];
    case "fill":
      return [v(s.object), s.value, ...(s.start ? [s.start] : []), ...(s.end ? [s.end] : [])];
    case "set":
      return [v(s.object), s.source, ...(s.offset ? [s.offset] : [])];
    case "effect":
    case "save":
    case "return":
      return [s.value];
    case "if":
    case "loop":
      return [s.cond];
    case "for":
      return [s.start, s.end];
    case "comment":
      return [];
  }
}

/** Every name a statement reads itself (nested statements not included). */
export function stmtReads(s: Stmt): string[] {
  const out: string[] = [];
  for (const e of stmtExprs(s)) exprReads(e, out);
  return out;
}

/** The statement with `f` applied to each expression it evaluates itself. */
export function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.kind) {
    case "assign":
      return { ...s, value: f(s.value) };
    case "store":
      return { ...s, key: mapKey(s.key, f), value: f(s.value) };
    case "push":
    case "effect":
    case "save":
    case "return":
      return { ...s, value: f(s.value) };
    case "fill":
      return { ...s, value: f(s.value), ...(s.start ? { start: f(s.start) } : {}), ...(s.end ? { end: f(s.end) } : {}) };
    case "set":
      return { ...s, source: f(s.source), ...(s.offset ? { offset: f(s.offset) } : {}) };
    case "if":
    case "loop":
      return { ...s, cond: f(s.cond) };
    case "for":
      return { ...s, start: f(s.start), end: f(s.end) };
    case "comment":
      return s;
  }
}

/** The statement lists nested in a statement. */
export function childLists(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case "if":
      return [s.then, s.else];
    case "loop":
      return [s.test, s.body];
    case "for":
      return [s.body];
    default:
      return [];
  }
}

/** Every statement in a body, nested ones included, in program order (no recursion). */
export function* walk(body: readonly Stmt[]): Generator<Stmt> {
  const stack: { list: readonly Stmt[]; i: number }[] = [{ list: body, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const s = top.list[top.i++];
    yield s;
    const lists = childLists(s);
    for (let k = lists.length - 1; k >= 0; k--) stack.push({ list: lists[k], i: 0 });
  }
}

/** The variable a statement assigns, if any. */
export const assigned = (s: Stmt): string | undefined => (s.kind === "assign" ? s.target : undefined);

/** The array or object a statement writes into, if any. */
export function writtenObject(s: Stmt): string | undefined {
  switch (s.kind) {
    case "store":
    case "push":
    case "fill":
    case "set":
      return s.object;
    default:
      return undefined;
  }
}

/** How many statements assign each variable. */
export function assignmentCounts(body: readonly Stmt[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of walk(body)) if (s.kind === "assign") counts.set(s.target, (counts.get(s.target) ?? 0) + 1);
  for (const s of walk(body)) if (s.kind === "for") counts.set(s.index, (counts.get(s.index) ?? 0) + 1);
  return counts;
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

/** An expression rebuilt bottom-up, `f` applied to every node after its children. */
export function mapDeep(e: Expr, f: (node: Expr) => Expr): Expr {
  return f(mapChildren(e, (child) => mapDeep(child, f)));
}

/** The statement with variables renamed (reads, targets and written objects alike). */
export function renameStmt(s: Stmt, rename: (name: string) => string): Stmt {
  const renamed = mapStmtExprs(s, (e) => mapDeep(e, (node) => (node.kind === "var" ? v(rename(node.name)) : node)));
  switch (renamed.kind) {
    case "assign":
      return { ...renamed, target: rename(renamed.target) };
    case "store":
    case "push":
    case "fill":
    case "set":
      return { ...renamed, object: rename(renamed.object) };
    case "for":
      return { ...renamed, index: rename(renamed.index) };
    default:
      return renamed;
  }
}

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
}

/** A comment statement that code never moves across (the sweeps' boundary). */
export const barrier = (text: string): Stmt => ({ kind: "comment", text, origin: -1 });
