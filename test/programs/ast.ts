/**
 * The random programs' abstract syntax: what the generator (./generate.ts) produces and
 * the renderer (./render.ts) turns into TypeScript and into a plain-JavaScript twin.
 *
 * A program is `p(x, y, n, m?)`: `x` an array (or a number without `arrayParams`), `y` a
 * number, `n` a trip count, `m` a nested array (with `nestedParams`). Its locals exist
 * when the program uses them: scalars `s`, `t`; arrays `a` (Float64Array), `b`
 * (`number[]`), `c` (a second name for `a` or `b`), `g` (grown past its end from `[]`),
 * `row` (a named row), `cf`/`ca` (a Float64Array and a `number[]`, copies of other arrays
 * or rebound to them), `obj` (`{ w, v }`),
 * `stk` (a stack), `rows` (`number[][]`); and the local functions `sq` (an arrow) and
 * `cube` (a nested function declaration). Invariant: every array a program reads is
 * non-empty, and every index is reduced modulo the length of what it indexes.
 *
 * A recursive program calls itself, or a cycle of partners that calls it back, with
 * `n - 1` under `if (n > 0)`, after its body (see `Recursion`); `n` only decreases along a
 * cycle, so the recursion ends, at most `n` levels deep.
 */

/** Scalars: `v` is the element of the nearest `for…of`, or an arrow's parameter. */
export type Scalar = "x" | "y" | "s" | "t" | "v";
/** One-dimensional arrays that may be read (`ow` is `obj.w`). */
export type Vec = "x" | "a" | "b" | "c" | "g" | "row" | "cf" | "ca" | "ow";
/** Two-dimensional arrays that may be read. */
export type Grid = "m" | "rows";

export type Expr =
  | { k: "var"; name: Scalar }
  | { k: "num"; v: number }
  | { k: "counter"; level: number } // a loop counter as a (passive) value: `(i * 0.25)`
  | { k: "bin"; op: "+" | "-" | "*"; a: Expr; b: Expr }
  | { k: "div"; a: Expr; b: Expr } // a / (1.5 + Math.sin(b))
  | { k: "math"; f: MathFn; a: Expr }
  | { k: "kink"; f: "max" | "min"; a: Expr; b: Expr }
  | { k: "abs"; a: Expr }
  | { k: "helper"; a: Expr; b: Expr }
  | { k: "sum"; arr: Vec; a: Expr } // an array passed to a @differentiable helper
  | { k: "read"; arr: Vec; at: Index }
  | { k: "read2"; arr: Grid; at: Index; at2: Index } // m[i][j], rows[i][j]
  | { k: "field" } // obj.v
  | { k: "local"; fn: "sq" | "cube"; a: Expr } // a local arrow / nested function, capturing y and s
  | { k: "reduce"; arr: Vec; a: Expr } // arr.reduce((acc, v) => acc * 0.5 + Math.sin(v * a), 0)
  | { k: "tick" } // an impure call that receives nothing active
  | { k: "ticks" } // the module variable that call changes, read directly
  | { k: "plain"; level: number } // a plain (unmarked) function of a constant or a counter
  | { k: "pick"; c: Cond; a: Expr; b: Expr }
  | { k: "stop"; a: Expr }; // stopGradient(a): its value, held constant by differentiation
export type MathFn = "sin" | "cos" | "tanh" | "atan" | "exp" | "sqrt" | "log" | "hypot" | "sq";
/**
 * `arr[0]`, `arr[i]`, `arr[(i + 1) % arr.length]`, `arr[arr.length - 1 - i]`; `level`
 * counts the enclosing counted loops from the outermost.
 */
export type Index = { k: "const"; v: 0 | 1 } | { k: "counter"; level: number; off: 0 | 1 | 2; rev: boolean };
export type Cond =
  | { k: "cmp"; a: Expr; op: ">" | "<"; b: Expr }
  | { k: "parity"; level: number } // i % 2 === 0
  | { k: "trips"; v: number }; // n > v
/** How a value is updated; all but `plain` stay bounded however often they run. */
export type Update = "plain" | "set" | "add" | "sub" | "decay" | "scale";
export type Bound = { k: "n" } | { k: "len"; arr: "x" | "a" | "b" | "c" } | { k: "const"; v: 2 | 3 };
/** A row put into `rows`: a fresh literal, the named `row`, a row already in `rows`, a copy of an array or of a row of `m`. */
export type RowSource = { k: "literal"; a: Expr; b: Expr } | { k: "row" } | { k: "existing"; at: Index } | { k: "copy"; of: Vec } | { k: "param"; at: Index };
/** An array stored into `obj.w`. */
export type ArraySource = { k: "literal"; a: Expr; b: Expr } | { k: "name"; of: "b" | "ca" | "row" | "g" };
export type CopyKind = "newTyped" | "typedFrom" | "slice" | "sliceRange" | "sliceEnd" | "spread" | "arrayFrom" | "subarray";
export type Destructure = "declArray" | "declObject" | "declRow" | "swap" | "assignArray" | "assignObject";
export type Target = "y" | "s" | "t";

export type Stmt =
  | { k: "set"; to: Target; how: Update; e: Expr }
  | { k: "store"; arr: "a" | "b" | "c" | "g" | "row" | "cf" | "ca" | "ow"; at: Index; how: Update; e: Expr }
  | { k: "if"; c: Cond; then: Stmt[]; else: Stmt[] }
  | { k: "for"; bound: Bound; body: Stmt[] }
  | { k: "while"; bound: Bound; body: Stmt[] }
  | { k: "forOf"; arr: Vec; body: Stmt[] }
  | { k: "exit"; how: "break" | "continue"; c: Cond }
  | { k: "return"; c: Cond; e: Expr }
  | { k: "store2"; at: Index; at2: Index; how: Update; e: Expr } // rows[i][j] (how)= e
  | { k: "pushRow"; src: RowSource } // rows.push(src)
  | { k: "putRow"; at: Index | "end"; src: RowSource } // rows[i] = src, rows[rows.length] = src
  | { k: "buildRow"; fresh: "fill" | "empty"; put: Index | "end" | "push"; a: Expr; b: Expr } // a new row written, then stored
  | { k: "rebind"; a: Expr; b: Expr } // row = [a, b]
  | { k: "grow"; how: "index" | "push"; e: Expr } // g[g.length] = e, g.push(e)
  | { k: "field"; how: Update; e: Expr } // obj.v (how)= e
  | { k: "storeArray"; src: ArraySource } // obj.w = src
  | { k: "destructure"; form: Destructure; to: Target; how: Update; a: Expr; b: Expr }
  | { k: "copy"; from: Vec; how: CopyKind } // cf = …, ca = … (by the copy's type)
  | { k: "fill"; arr: "a" | "b" | "cf" | "ca"; e: Expr; from: 0 | 1 }
  | { k: "setFrom"; src: "literal" | "row"; e: Expr; offset: 0 | 1 } // a.set([e], offset), a.set(row, 0)
  | { k: "forOfRows"; to: Target; how: Update; e: Expr } // for (const r of rows) to (how)= r[0] * e + r[r.length - 1]
  | { k: "push"; e: Expr } // stk.push(e)
  | { k: "pop"; to: Target; how: Update; e: Expr } // to (how)= stk.pop() ?? e
  | { k: "forEach"; arr: Vec; to: "s" | "t"; e: Expr } // arr.forEach((v) => { to = to * 0.9 + Math.sin(v * e); })
  | { k: "extremum"; f: "max" | "min"; arr: Vec; to: "s" | "t" } // for (let e = 0; e < arr.length; e++) to = Math.max(to, arr[e]);
  | { k: "map"; from: Vec; e: Expr }; // cf / ca = from.map((v) => v * e)

export type Length = "2" | "3" | "x.length";
/** How `cf` (a Float64Array) or `ca` (a `number[]`) starts: a copy of `x`, or of `a` / `b`; none without copies. */
export type CopyInit = { from: "x" | "local"; how: CopyKind } | null;
export type Returns = "number" | "array" | "tuple" | "object" | "nested";

/** How a recursive call's result is used (`r` is the call's value as a number). */
export type CallUse =
  | "linear" // s = s * 0.5 + 0.25 * r
  | "nonlinear" // s = s * 0.5 + Math.tanh(r) * t
  | "arith" // t = (y + r * 0.5) * Math.cos(s): the call inside arithmetic
  | "overwritten" // let q = r; s += Math.tanh(q * q); q = s * 0.5; t += Math.sin(q)
  | "stored" // arr[at] = Math.tanh(r)
  | "branch" // if (r > s) s = s * 0.5 + y; else t = t * 0.5 - y: a decision on the call's result
  | "tail"; // return r * 0.5 + s (a number result; else as `linear`)
/** The array passed down as `x`: `x` itself, the local of its type (`a` or `b`, written before), or a fresh copy of `x`. */
export type Pass = "x" | "local" | "copy";
export interface Call {
  pass: Pass;
  /** the `y` passed down */
  arg: Expr;
  use: CallUse;
  /** where a `stored` result goes */
  store: Extract<Stmt, { k: "store" }>["arr"];
  at: Index;
}
/**
 * A partner in a cycle of mutual recursion: `f(x, y, n, m?)` calling the next member with
 * `n` (or `n - 1` in `guarded`), `c` a constant: `scale` (c * next(…) + 0.1 * y), `square`
 * (the result squared), `copy` (x copied, one element written, passed on), `guarded` (its
 * own `if (n > 1)`, else a value of its own), `state` (reads the module variable `ticks`).
 */
export interface Partner {
  form: "scale" | "square" | "copy" | "guarded" | "state";
  c: number;
}
/**
 * Where the call (or the first partner's) sits under `if (n > 0) { … }`: once (`if`), in a
 * loop, or twice (`tree`, with `n - 1` and `n - 2`); `around` runs before the calls, at the
 * site (inside its loop); `after` runs after the guard, before the result.
 */
export interface Recursion {
  site: "if" | "for" | "while" | "forOf" | "tree";
  bound: Bound;
  over: Vec;
  around: Stmt[];
  calls: Call[];
  partners: Partner[];
  after: Stmt[];
}

export interface Program {
  xType: "Float64Array" | "number[]";
  mType: "number[][]" | "Float64Array[]";
  lenA: Length;
  lenB: Length;
  /** `new Array<number>(L).fill(0)`, or `const b: number[] = new Array(L).fill(0)` */
  bTyped: boolean;
  /** what `c` names */
  aliasOf: "a" | "b";
  /** `rows` starts as `[[y, 0.25]]`, or as `[row]` */
  rowsInit: "literal" | "named";
  cfInit: CopyInit;
  caInit: CopyInit;
  s0: Expr;
  t0: Expr;
  body: Stmt[];
  result: Expr;
  returns: Returns;
  recursion: Recursion | null;
}

export interface Point {
  x: number[];
  y: number;
  n: number;
  m: number[][];
}

export interface Case {
  program: Program;
  points: Point[];
}
