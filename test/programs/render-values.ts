/**
 * Renders the values of random programs: expressions, conditions, indices and array
 * references, as TypeScript or as the plain-JavaScript twin's code (./render.ts renders
 * statements and whole programs on top of this).
 *
 * Input: `Expr`, `Cond`, `Index` nodes (./ast.ts) inside the loops a statement renderer has
 * entered. Output: their text. Invariants: every index is reduced modulo the length of the
 * array it indexes; every local a value refers to is noted in `uses`, so that the program
 * declares it; in the twin, decisions on active values go through the recording `__gt`,
 * `__max`, `__min`, `__abs`.
 */
import type { Bound, CopyKind, Cond, Expr, Grid, Index, Program, Stmt, Vec } from "./ast";

export type Local = "a" | "b" | "c" | "g" | "row" | "rows" | "cf" | "ca" | "obj" | "stk" | "sq" | "cube";
export interface Loop {
  name: string;
  bound: Bound;
  kind: "for" | "while";
}

export class ValueRenderer {
  protected readonly uses = new Set<Local>();
  /** enclosing counted loops, outermost first */
  protected readonly loops: Loop[] = [];

  constructor(
    protected readonly p: Program,
    protected readonly js: boolean,
  ) {}

  /** A copy of the array `src` by `how`, and whether it is a Float64Array. */
  protected copyOf(src: string, typed: boolean, how: CopyKind): { text: string; typed: boolean } {
    switch (how) {
      case "newTyped":
        return { text: `new Float64Array(${src})`, typed: true };
      case "typedFrom":
        return { text: `Float64Array.from(${src})`, typed: true };
      case "slice":
        return { text: `${src}.slice()`, typed };
      case "sliceRange":
        return { text: `${src}.slice(0, 2)`, typed };
      case "sliceEnd":
        return { text: `${src}.slice(-2)`, typed };
      case "spread":
        return { text: `[...${src}]`, typed: false };
      case "arrayFrom":
        return { text: `Array.from(${src})`, typed: false };
      case "subarray":
        // a view of the parameter itself would let the program write into it (ADG1003)
        return { text: `${typed && src !== "x" ? src : `Float64Array.from(${src})`}.subarray(0, 2)`, typed: true };
    }
  }

  /** Whether a one-dimensional array is a Float64Array (the rest are `number[]`). */
  protected typed(v: Vec): boolean {
    if (v === "x") return this.p.xType === "Float64Array";
    if (v === "c") return this.p.aliasOf === "a";
    return v === "a" || v === "cf";
  }

  protected use(local: Local): string {
    this.uses.add(local);
    return local;
  }

  /** A one-dimensional array's text, noting its use. */
  protected vec(v: Vec): string {
    if (v === "x") return "x";
    if (v === "ow") return `${this.use("obj")}.w`;
    return this.use(v);
  }

  protected grid(g: Grid): string {
    return g === "m" ? "m" : this.use("rows");
  }

  protected element(arr: Extract<Stmt, { k: "store" }>["arr"], at: Index): string {
    const text = this.vec(arr);
    return `${text}[${this.index(text, at)}]`;
  }

  protected bound(b: Bound): string {
    return b.k === "n" ? "n" : b.k === "const" ? String(b.v) : `${this.vec(b.arr)}.length`;
  }

  /** The counted loop a counter reference means (clamped to those enclosing it). */
  protected loop(level: number): Loop | undefined {
    return this.loops[Math.min(level, this.loops.length - 1)];
  }

  /** An index into `arr` (its text), reduced modulo its length; `mayBeShort` for arrays that may hold one element. */
  protected index(arr: string, at: Index, mayBeShort = false): string {
    const loop = at.k === "counter" ? this.loop(at.level) : undefined;
    if (at.k === "const" || !loop) {
      const v = at.k === "const" ? at.v : 0;
      return v === 1 && mayBeShort ? `1 % ${arr}.length` : String(v);
    }
    const i = loop.name;
    const inRange = loop.kind === "for" && loop.bound.k === "len" && this.bound(loop.bound) === `${arr}.length`;
    const base = at.off === 0 ? (inRange ? i : `${i} % ${arr}.length`) : `(${i} + ${at.off}) % ${arr}.length`;
    return at.rev ? `${arr}.length - 1 - ${at.off === 0 && inRange ? i : `(${base})`}` : base;
  }

  protected cond(c: Cond): string {
    switch (c.k) {
      case "cmp":
        // Only `>` in TypeScript: `f(a) < (b[0] > c)` would parse as type arguments. The twin
        // evaluates the operands in the same order (they may call the impure `tick()`).
        if (this.js) return c.op === ">" ? `__gt(${this.expr(c.a)}, ${this.expr(c.b)})` : `__gt(${this.expr(c.b)}, ${this.expr(c.a)})`;
        return c.op === ">" ? `${this.expr(c.a)} > ${this.expr(c.b)}` : `${this.expr(c.b)} > ${this.expr(c.a)}`;
      case "parity": {
        const loop = this.loop(c.level);
        return loop ? `${loop.name} % 2 === 0` : "n % 2 === 0";
      }
      case "trips":
        return `n > ${c.v}`;
    }
  }

  protected expr(e: Expr): string {
    switch (e.k) {
      case "var":
        return e.name;
      case "num":
        return e.v < 0 ? `(${e.v})` : String(e.v);
      case "counter": {
        const loop = this.loop(e.level);
        return loop ? `(${loop.name} * 0.25)` : "0.5";
      }
      case "bin":
        return `(${this.expr(e.a)} ${e.op} ${this.expr(e.b)})`;
      case "div":
        return `(${this.expr(e.a)} / (1.5 + Math.sin(${this.expr(e.b)})))`;
      case "math":
        return mathCall(e.f, this.expr(e.a));
      case "kink":
        return `${this.js ? `__${e.f}` : `Math.${e.f}`}(${this.expr(e.a)}, ${this.expr(e.b)})`;
      case "abs":
        return `${this.js ? "__abs" : "Math.abs"}(${this.expr(e.a)})`;
      case "helper":
        return `helper(${this.expr(e.a)}, ${this.expr(e.b)})`;
      case "sum":
        return `${this.typed(e.arr) ? "sumF" : "sumA"}(${this.vec(e.arr)}, ${this.expr(e.a)})`;
      case "read": {
        const text = this.vec(e.arr);
        return `${text}[${this.index(text, e.at)}]`;
      }
      case "read2": {
        const row = `${this.grid(e.arr)}[${this.index(e.arr, e.at, true)}]`;
        return `${row}[${this.index(row, e.at2)}]`;
      }
      case "field":
        return `${this.use("obj")}.v`;
      case "local":
        return `${this.use(e.fn)}(${this.expr(e.a)})`;
      case "reduce": {
        const params = this.js ? "(acc, v)" : "(acc: number, v: number)";
        return `${this.vec(e.arr)}.reduce(${params} => acc * 0.5 + Math.sin(v * ${this.expr(e.a)}), 0)`;
      }
      case "tick":
        return "tick()";
      case "ticks":
        return "ticks";
      case "plain": {
        const loop = this.loop(e.level);
        return `plain(${loop ? loop.name : 2})`;
      }
      case "pick":
        return `(${this.cond(e.c)} ? ${this.expr(e.a)} : ${this.expr(e.b)})`;
      case "stop":
        return `${this.js ? "__stop" : "stopGradient"}(${this.expr(e.a)})`;
    }
  }
}

/** `Math` calls kept smooth and finite on any argument. */
export function mathCall(f: Extract<Expr, { k: "math" }>["f"], a: string): string {
  switch (f) {
    case "exp":
      return `Math.exp(Math.tanh(${a}))`;
    case "sqrt":
      return `Math.sqrt(1 + ${a} ** 2)`;
    case "log":
      return `Math.log(2 + Math.sin(${a}))`;
    case "hypot":
      return `Math.hypot(${a}, 1)`;
    case "sq":
      return `(${a} ** 2)`;
    default:
      return `Math.${f}(${a})`;
  }
}
