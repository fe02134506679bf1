/**
 * Renders random programs: TypeScript for the compiler, and a plain-JavaScript twin.
 *
 * Input: a `Program` (./ast.ts). Output: the function `p<i>` as TypeScript, or as the
 * twin's JavaScript. Invariants: a program declares exactly the locals it uses, each after
 * those it refers to and before its scalars; the twin is the TypeScript without types, its
 * decisions on active values recorded (./render-values.ts); a program returns its result
 * plus a small multiple of the ends of every array it used, so that no wrong element goes
 * unobserved. A recursive program is rendered with its partners (`p<i>q1`, `p<i>q2`), the
 * same way in both.
 */
import type { Call, CopyInit, CopyKind, Expr, Partner, Program, Recursion, RowSource, Stmt, Target, Update, Vec } from "./ast";
import { FEATURES } from "./features";
import { ValueRenderer, type Local, type Loop } from "./render-values";

class Renderer extends ValueRenderer {
  private readonly out: string[] = [];
  private fresh = 0;

  fn(name: string): string {
    const { p, js } = this;
    const s0 = this.expr(p.s0);
    const t0 = this.expr(p.t0);
    this.block(p.body, "  ");
    if (p.recursion) this.recurse(p.recursion, name);
    this.out.push(...this.returnLines(p.result, "  "), "}");
    const xParam = js ? "x" : FEATURES.arrayParams ? `x: ${p.xType}` : "x: number";
    const mParam = !FEATURES.nestedParams ? "" : js ? ", m" : `, m: ${p.mType}`;
    const head = js
      ? `function ${name}(${xParam}, y, n${mParam}) {`
      : `/** @differentiable */\nexport function ${name}(${xParam}, y: number, n: number${mParam}): ${resultType[p.returns]} {`;
    return [head, ...this.prelude(), `  let s = ${s0};`, `  let t = ${t0};`, ...this.out].join("\n");
  }

  /** Declarations of the locals the program uses, each after those it refers to. */
  private prelude(): string[] {
    const { p, js, uses } = this;
    const ty = (annotation: string) => (js ? "" : annotation);
    if (uses.has("c")) uses.add(p.aliasOf);
    if (uses.has("rows") && p.rowsInit === "named") uses.add("row");
    const cf = uses.has("cf") ? this.initial(p.cfInit, true) : "";
    const ca = uses.has("ca") ? this.initial(p.caInit, false) : "";
    const lines: Partial<Record<Local, string[]>> = {
      a: [`const a = new Float64Array(${p.lenA});`],
      b: [js ? `const b = new Array(${p.lenB}).fill(0);` : p.bTyped ? `const b = new Array<number>(${p.lenB}).fill(0);` : `const b: number[] = new Array(${p.lenB}).fill(0);`],
      c: [`const c = ${p.aliasOf};`],
      g: [`const g${ty(": number[]")} = [];`, `for (let k = 0; k < 3; k++) g[k] = y * (k + 1) * 0.5;`],
      row: [`let row${ty(": number[]")} = [y, 0.5];`],
      rows: [`const rows${ty(": number[][]")} = ${p.rowsInit === "named" ? "[row]" : "[[y, 0.25]]"};`],
      cf: [`let cf${ty(": Float64Array")} = ${cf};`],
      ca: [`let ca${ty(": number[]")} = ${ca};`],
      obj: [`const obj${ty(": { w: number[]; v: number }")} = { w: [y, 0.5], v: y };`],
      stk: [`const stk${ty(": number[]")} = [];`],
      sq: [`const sq = (u${ty(": number")})${ty(": number")} => u * Math.cos(u) + y * 0.5;`],
      cube: [`function cube(u${ty(": number")})${ty(": number")} {`, `  return Math.sin(u) * u * 0.5 + y;`, `}`],
    };
    const order: Local[] = ["a", "b", "c", "g", "row", "rows", "cf", "ca", "obj", "stk", "sq", "cube"];
    return order.filter((l) => uses.has(l)).flatMap((l) => lines[l]!.map((line) => `  ${line}`));
  }

  /**
   * What a program returns: its result expression plus a small multiple of the first and last
   * element of every local array it has used so far, so that a wrong element anywhere shows
   * in the result (and so in the derivative) instead of dying unobserved.
   */
  private returnLines(e: Expr, pad: string): string[] {
    const observed = this.observed();
    const v = observed.length > 0 ? `(${this.expr(e)} + 0.125 * (${observed.join(" + ")}))` : this.expr(e);
    switch (this.p.returns) {
      case "number":
        return [`${pad}return ${v};`];
      case "array":
        return [`${pad}${this.vec("a")}[0] += Math.tanh(${v});`, `${pad}return a;`];
      case "tuple":
        return [`${pad}return [${v}, ${this.vec("a")}];`];
      case "object":
        return [`${pad}return { v: ${v}, w: ${this.vec("b")} };`];
      case "nested":
        return [`${pad}${this.grid("rows")}.push([Math.tanh(${v}), 0.5]);`, `${pad}return rows;`];
    }
  }

  private observed(): string[] {
    const ends = (arr: string) => `${arr}[0] + ${arr}[${arr}.length - 1]`;
    const vecs = (["a", "b", "g", "row", "cf", "ca"] as const).filter((v) => this.uses.has(v)).map(ends);
    const obj = this.uses.has("obj") ? [ends("obj.w"), "obj.v"] : [];
    const rows = this.uses.has("rows") ? [ends("rows[0]"), ends("rows[rows.length - 1]")] : [];
    return [...vecs, ...obj, ...rows];
  }

  private block(stmts: Stmt[], pad: string): void {
    for (const s of stmts) this.stmt(s, pad);
  }

  private stmt(s: Stmt, pad: string): void {
    const line = (text: string): void => void this.out.push(pad + text);
    switch (s.k) {
      case "set":
        return line(update(s.to, s.how, this.expr(s.e)));
      case "store":
        return line(update(this.element(s.arr, s.at), s.how, this.expr(s.e)));
      case "if":
        line(`if (${this.cond(s.c)}) {`);
        this.block(s.then, pad + "  ");
        if (s.else.length > 0) {
          line(`} else {`);
          this.block(s.else, pad + "  ");
        }
        return line(`}`);
      case "for": {
        const name = ["i", "j", "l"][this.loops.length]!;
        line(`for (let ${name} = 0; ${name} < ${this.bound(s.bound)}; ${name}++) {`);
        return this.loopBody({ name, bound: s.bound, kind: "for" }, s.body, pad);
      }
      case "while": {
        // The counter moves first, so `continue` cannot skip it; inside, it runs 1…bound.
        const name = `w${this.fresh++}`;
        line(`let ${name} = 0;`);
        line(`while (${name} < ${this.bound(s.bound)}) {`);
        line(`  ${name}++;`);
        return this.loopBody({ name, bound: s.bound, kind: "while" }, s.body, pad);
      }
      case "forOf":
        line(`for (const v of ${this.vec(s.arr)}) {`);
        this.block(s.body, pad + "  ");
        return line(`}`);
      case "exit":
        return line(`if (${this.cond(s.c)}) ${s.how};`);
      case "return":
        if (this.p.returns === "number") return line(`if (${this.cond(s.c)}) return ${this.expr(s.e)};`);
        line(`if (${this.cond(s.c)}) {`);
        this.out.push(...this.returnLines(s.e, pad + "  "));
        return line(`}`);
      case "store2": {
        const row = `${this.grid("rows")}[${this.index("rows", s.at, true)}]`;
        return line(update(`${row}[${this.index(row, s.at2)}]`, s.how, this.expr(s.e)));
      }
      case "pushRow":
        return line(`${this.grid("rows")}.push(${this.rowSource(s.src)});`);
      case "putRow": {
        const at = s.at === "end" ? "rows.length" : this.index("rows", s.at, true);
        return line(`${this.grid("rows")}[${at}] = ${this.rowSource(s.src)};`);
      }
      case "buildRow": {
        const r = `r${this.fresh++}`;
        line(s.fresh === "fill" ? `const ${r} = new Array${this.js ? "" : "<number>"}(2).fill(0);` : `const ${r}${this.js ? "" : ": number[]"} = [];`);
        line(`${r}[0] = ${this.expr(s.a)};`);
        line(`${r}[1] = ${this.expr(s.b)};`);
        const rows = this.grid("rows");
        return line(s.put === "push" ? `${rows}.push(${r});` : `${rows}[${s.put === "end" ? "rows.length" : this.index("rows", s.put, true)}] = ${r};`);
      }
      case "rebind":
        return line(`${this.vec("row")} = [${this.expr(s.a)}, ${this.expr(s.b)}];`);
      case "grow":
        return line(s.how === "push" ? `${this.vec("g")}.push(${this.expr(s.e)});` : `${this.vec("g")}[g.length] = ${this.expr(s.e)};`);
      case "field":
        return line(update(`${this.use("obj")}.v`, s.how, this.expr(s.e)));
      case "storeArray":
        return line(`${this.vec("ow")} = ${s.src.k === "literal" ? `[${this.expr(s.src.a)}, ${this.expr(s.src.b)}]` : this.vec(s.src.of)};`);
      case "destructure":
        return this.destructure(s, line);
      case "copy":
        return line(this.copy(s.from, s.how));
      case "fill":
        return line(`${this.vec(s.arr)}.fill(${this.expr(s.e)}${s.from === 1 ? ", 1" : ""});`);
      case "setFrom":
        return line(s.src === "row" ? `${this.vec("a")}.set(${this.vec("row")}, 0);` : `${this.vec("a")}.set([${this.expr(s.e)}], ${s.offset});`);
      case "forOfRows":
        return line(`for (const r of ${this.grid("rows")}) ${update(s.to, s.how, `r[0] * ${this.expr(s.e)} + r[r.length - 1]`)}`);
      case "push":
        return line(`${this.use("stk")}.push(${this.expr(s.e)});`);
      case "pop":
        return line(update(s.to, s.how, `(${this.use("stk")}.pop() ?? ${this.expr(s.e)})`));
      case "extremum": {
        const name = `e${this.fresh++}`;
        const arr = this.vec(s.arr);
        return line(`for (let ${name} = 0; ${name} < ${arr}.length; ${name}++) ${s.to} = ${this.js ? `__${s.f}` : `Math.${s.f}`}(${s.to}, ${arr}[${name}]);`);
      }
      case "forEach":
        return line(`${this.vec(s.arr)}.forEach((v) => { ${s.to} = ${s.to} * 0.9 + Math.sin(v * ${this.expr(s.e)}); });`);
      case "map": {
        const to = this.typed(s.from) ? "cf" : "ca";
        return line(`${this.vec(to)} = ${this.vec(s.from)}.map((v) => v * ${this.expr(s.e)});`);
      }
    }
  }

  /** The guarded call site of a recursive program (./ast.ts `Recursion`), then the code after it. */
  private recurse(r: Recursion, name: string): void {
    this.out.push(`  if (n > 0) {`);
    const pad = "    ";
    const calls = () => {
      this.block(r.around, pad + "  ".repeat(r.site === "if" || r.site === "tree" ? 0 : 1));
      r.calls.forEach((call, k) => this.callLine(call, r.partners.length > 0 ? `${name}q1` : name, `n - ${k + 1}`, name, pad + (r.site === "if" || r.site === "tree" ? "" : "  ")));
    };
    if (r.site === "for") {
      this.out.push(`${pad}for (let i = 0; i < ${this.bound(r.bound)}; i++) {`);
      this.loops.push({ name: "i", bound: r.bound, kind: "for" });
      calls();
      this.loops.pop();
      this.out.push(`${pad}}`);
    } else if (r.site === "while") {
      const w = `w${this.fresh++}`;
      this.out.push(`${pad}let ${w} = 0;`, `${pad}while (${w} < ${this.bound(r.bound)}) {`, `${pad}  ${w}++;`);
      this.loops.push({ name: w, bound: r.bound, kind: "while" });
      calls();
      this.loops.pop();
      this.out.push(`${pad}}`);
    } else if (r.site === "forOf") {
      this.out.push(`${pad}for (const v of ${this.vec(r.over)}) {`);
      calls();
      this.out.push(`${pad}}`);
    } else calls();
    this.out.push(`  }`);
    this.block(r.after, "  ");
  }

  /** One call (of the program, or of its first partner) with depth `depth`, its result used as `call.use` says. */
  private callLine(call: Call, callee: string, depth: string, program: string, pad: string): void {
    const passed = call.pass === "x" ? "x" : call.pass === "local" ? this.vec(this.p.xType === "Float64Array" ? "a" : "b") : `${this.p.xType === "Float64Array" ? "Float64Array" : "Array"}.from(x)`;
    const m = FEATURES.nestedParams ? ", m" : "";
    const text = `${callee}(${passed}, ${this.expr(call.arg)}, ${depth}${m})${callee === program ? resultAsNumber[this.p.returns] : ""}`;
    const line = (t: string) => void this.out.push(pad + t);
    switch (call.use) {
      case "linear":
        return line(`s = s * 0.5 + 0.25 * ${text};`);
      case "nonlinear":
        return line(`s = s * 0.5 + Math.tanh(${text}) * t;`);
      case "arith":
        return line(`t = (y + ${text} * 0.5) * Math.cos(s);`);
      case "overwritten": {
        const q = `q${this.fresh++}`;
        return [`let ${q} = ${text};`, `s += Math.tanh(${q} * ${q});`, `${q} = s * 0.5;`, `t += Math.sin(${q});`].forEach(line);
      }
      case "stored":
        return line(`${this.element(call.store, call.at)} = Math.tanh(${text});`);
      case "branch":
        return [`if (${this.js ? `__gt(${text}, s)` : `${text} > s`}) {`, `  s = s * 0.5 + y;`, `} else {`, `  t = t * 0.5 - y;`, `}`].forEach(line);
      case "tail":
        if (this.p.returns === "number") return line(`return ${text} * 0.5 + s;`);
        return line(`s = s * 0.5 + 0.25 * ${text};`);
    }
  }

  private loopBody(loop: Loop, body: Stmt[], pad: string): void {
    this.loops.push(loop);
    this.block(body, pad + "  ");
    this.loops.pop();
    this.out.push(`${pad}}`);
  }

  private destructure(s: Extract<Stmt, { k: "destructure" }>, line: (text: string) => void): void {
    const other: Target = s.to === "s" ? "t" : s.to === "t" ? "y" : "s";
    const [a, b] = [this.expr(s.a), this.expr(s.b)];
    const [u1, u2] = [`u${this.fresh++}`, `u${this.fresh++}`];
    const declared = (decl: string) => {
      line(decl);
      line(update(s.to, s.how, `${u1} - ${u2} * 0.5`));
    };
    switch (s.form) {
      case "declArray":
        return declared(`const [${u1}, ${u2}] = [${a}, ${b}];`);
      case "declObject":
        return declared(`const { p: ${u1}, q: ${u2} } = { p: ${a}, q: ${b} };`);
      case "declRow":
        return declared(`const [${u1}, ${u2}] = ${this.vec("row")};`);
      case "swap":
        return line(`[${s.to}, ${other}] = [${other}, ${s.to}];`);
      case "assignArray":
        return line(`[${s.to}, ${other}] = [Math.tanh(${a}), Math.sin(${b})];`);
      case "assignObject":
        return line(`({ p: ${s.to}, q: ${other} } = { p: Math.tanh(${a}), q: Math.sin(${b}) });`);
    }
  }

  /** `cf = …` or `ca = …`: a copy of `from` (a view with `subarray`), to whichever has the copy's type. */
  private copy(from: Vec, how: CopyKind): string {
    const { text, typed } = this.copyOf(this.vec(from), this.typed(from), how);
    return `${this.vec(typed ? "cf" : "ca")} = ${text};`;
  }

  /** How `cf` (typed) or `ca` starts: a copy of x or of a / b when copies are on (converted to its type if the copy is not). */
  private initial(init: CopyInit, typed: boolean): string {
    const fallback = typed ? "new Float64Array(2)" : "[0.5, y]";
    if (!init || !(FEATURES.arrayParams || FEATURES.localArrays)) return fallback;
    const local = typed ? "a" : "b";
    const fromX = (init.from === "x" && FEATURES.arrayParams) || !FEATURES.localArrays;
    const src = fromX ? "x" : this.use(local);
    const copy = this.copyOf(src, fromX ? this.p.xType === "Float64Array" : typed, init.how);
    return copy.typed === typed ? copy.text : typed ? `Float64Array.from(${copy.text})` : `Array.from(${copy.text})`;
  }

  private rowSource(src: RowSource): string {
    switch (src.k) {
      case "literal":
        return `[${this.expr(src.a)}, ${this.expr(src.b)}]`;
      case "row":
        return this.vec("row");
      case "existing":
        return `${this.grid("rows")}[${this.index("rows", src.at, true)}]`;
      case "copy":
        return `Array.from(${this.vec(src.of)})`;
      case "param":
        return `Array.from(${this.grid("m")}[${this.index("m", src.at, true)}])`;
    }
  }

}

const resultType: Record<Program["returns"], string> = {
  number: "number",
  array: "Float64Array",
  tuple: "[number, Float64Array]",
  object: "{ v: number; w: number[] }",
  nested: "number[][]",
};

/** A program's result read as a number, where a partner or the program itself uses it. */
const resultAsNumber: Record<Program["returns"], string> = { number: "", array: "[0]", tuple: "[0]", object: ".v", nested: "[0][0]" };

/**
 * Partner `k` (1 or 2) of a recursive program: it calls the next member of the cycle, the
 * program itself after the last partner.
 */
function partner(p: Program, name: string, k: number, js: boolean): string {
  const { form, c } = p.recursion!.partners[k - 1]!;
  const last = k === p.recursion!.partners.length;
  const next = last ? name : `${name}q${k + 1}`;
  const asNumber = last ? resultAsNumber[p.returns] : "";
  const typed = p.xType === "Float64Array";
  const ty = (t: string) => (js ? "" : `: ${t}`);
  const xParam = `x${ty(FEATURES.arrayParams ? p.xType : "number")}`;
  const m = FEATURES.nestedParams ? ", m" : "";
  const mParam = FEATURES.nestedParams ? `, m${ty(p.mType)}` : "";
  const call = (x: string, y: string, n: string) => `${next}(${x}, ${y}, ${n}${m})${asNumber}`;
  const k1 = c < 0 ? `(${c})` : String(c);
  const body: Record<Partner["form"], string[]> = {
    scale: [`return ${k1} * ${call("x", "Math.sin(y) * 0.8 + 0.3 * y", "n")} + 0.1 * y;`],
    square: [`const u = ${call("x", `Math.cos(y) * ${k1} + y`, "n")};`, `return u * u * 0.1 + y * u;`],
    copy: [`const z = ${typed ? "Float64Array" : "Array"}.from(x);`, `z[0] = Math.tanh(y + z[z.length - 1]);`, `return ${call("z", "y * 0.8", "n")} + 0.5 * z[0];`],
    guarded: [`if (n > 1) return ${call("x", `y * ${k1}`, "n - 1")} * 0.7 + y;`, `return Math.sin(y) * ${FEATURES.arrayParams ? "x[0]" : "x"};`],
    state: [`return ${call("x", "y * (1 + 0.1 * ticks)", "n")} + 0.05 * ticks;`],
  };
  const head = `${js ? "" : "/** @differentiable */\nexport "}function ${name}q${k}(${xParam}, y${ty("number")}, n${ty("number")}${mParam})${ty("number")} {`;
  return [head, ...body[form].map((l) => `  ${l}`), "}"].join("\n");
}

function update(target: string, how: Update, v: string): string {
  switch (how) {
    case "plain":
      return `${target} = ${v};`;
    case "set":
      return `${target} = Math.tanh(${v});`;
    case "add":
      return `${target} += Math.sin(${v});`;
    case "sub":
      return `${target} -= Math.tanh(${v});`;
    case "decay":
      return `${target} = ${target} * 0.9 + Math.sin(${v});`;
    case "scale":
      return `${target} *= Math.cos(${v});`;
  }
}

/** A program, with the partners of a recursive one, as TypeScript or as its JavaScript twin. */
export const renderProgram = (p: Program, name: string, js: boolean): string =>
  [new Renderer(p, js).fn(name), ...(p.recursion?.partners ?? []).map((_, k) => partner(p, name, k + 1, js))].join("\n");
