/**
 * The fence, construct by construct: each rejection with its code, its message from the
 * catalogue and its place (the construct itself), and a function of accepted constructs
 * let through. Also the rejections only lowering can make whose advice depends on the case
 * (a callback that is an unmarked function, or some other expression).
 */
import { describe, expect, it } from "vitest";
import { CompileError, codes, constructs, messages, type Code } from "../compiler/diagnostics";
import { differentiableFunctions } from "../compiler/discover";
import { fence } from "../compiler/front/fence";
import { lower } from "../compiler/front/lower";
import { projectFromTexts } from "../compiler/project";
import { Session } from "../compiler/session";

/** One project for all cases, a module each: the libraries are read once. */
const project = projectFromTexts(new Map());
let modules = 0;

/** The error the fence (then, with `lowering`, lowering) throws for the one @differentiable function of `source`. */
function rejection(source: string, lowering = false): { code: Code; message: string; at: string } | undefined {
  const file = project.createSourceFile(`/unit/module${++modules}.ts`, source);
  const [target] = differentiableFunctions(file);
  try {
    fence(target.fn);
    if (lowering) {
      const session = new Session(project, [file]);
      session.track(target);
      lower(target, session.resolver(file), session.output(file).names);
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    const at = error.at && "getText" in error.at ? error.at.getText() : "";
    return { code: error.code, message: error.message, at };
  }
}

const fn = (body: string, params = "x: number") => `/** @differentiable */\nexport function f(${params}): number {\n${body}\n}\n`;

const unsupported = (construct: readonly [string, string?]) => ({ code: codes.unsupportedSyntax, message: messages.unsupported(...construct) });

const cases: { name: string; source: string; code: Code; message: string; at: string }[] = [
  { name: "for…in", source: fn("  let s = 0;\n  for (const k in { a: 1 }) s += x;\n  return s;"), ...unsupported(constructs.forIn), at: "for (const k in { a: 1 }) s += x;" },
  { name: "a class declaration", source: fn("  class A {}\n  return x;"), ...unsupported(constructs.classDeclaration), at: "class A {}" },
  { name: "a class expression", source: fn("  const A = class {};\n  return x;"), ...unsupported(constructs.classExpression), at: "class {}" },
  { name: "debugger", source: fn("  debugger;\n  return x;"), ...unsupported(constructs.debugger), at: "debugger;" },
  { name: "delete", source: fn("  const o: { a?: number } = { a: x };\n  delete o.a;\n  return x;"), ...unsupported(constructs.delete), at: "delete o.a" },
  { name: "a tagged template", source: fn("  const s = String.raw`a`;\n  return x + s.length;"), ...unsupported(constructs.taggedTemplate), at: "String.raw`a`" },
  { name: "object spread", source: fn("  const o = { a: x };\n  const p = { ...o };\n  return p.a;"), ...unsupported(constructs.objectSpread), at: "...o" },
  { name: "a getter", source: fn("  const o = { get a() { return 1; } };\n  return x * o.a;"), ...unsupported(constructs.getter), at: "get a() { return 1; }" },
  { name: "a setter", source: fn("  const o = { set a(v: number) {} };\n  return x;"), ...unsupported(constructs.setter), at: "set a(v: number) {}" },
  { name: "import.meta", source: fn("  const u = import.meta;\n  return x;"), ...unsupported(constructs.metaProperty), at: "import.meta" },
  { name: "var", source: fn("  var y = x;\n  return y;"), ...unsupported(constructs.var), at: "var y = x" },
  { name: "arguments", source: fn("  return arguments.length * x;"), ...unsupported(constructs.arguments), at: "arguments" },
  { name: "an optional call", source: fn("  return x;", "x: number, g?: () => number").replace("return x;", "return x * (g?.() ?? 1);"), ...unsupported(constructs.optionalCall), at: "g?.()" },
  { name: "try", source: fn("  try {\n    return x;\n  } finally {\n  }"), code: codes.exceptions, message: messages.exception("`try`"), at: "try {\n    return x;\n  } finally {\n  }" },
  { name: "throw", source: fn("  if (x < 0) throw new Error();\n  return x;"), code: codes.exceptions, message: messages.exception("`throw`"), at: "throw new Error();" },
  { name: "an async local function", source: fn("  const g = async () => 1;\n  return x;"), code: codes.generator, message: messages.suspends("an `async` function"), at: "async () => 1" },
  { name: "a recursive local function", source: fn("  const g = (n: number): number => (n > 0 ? g(n - 1) : x);\n  return g(3);"), code: codes.closure, message: messages.recursiveLocal("g"), at: "g" },
  { name: "a local function as a value", source: fn("  const g = (n: number) => n * x;\n  const h = g;\n  return h(2);"), code: codes.closure, message: messages.localAsValue("g"), at: "g" },
  { name: "a write to a module variable", source: `let total = 0;\n${fn("  total = x;\n  return x;")}`, code: codes.moduleWrite, message: messages.moduleWrite("total"), at: "total" },
];

describe("fence", () => {
  it.each(cases)("rejects $name with its own message, at the construct", ({ source, code, message, at }) => {
    expect(rejection(source)).toEqual({ code, message, at });
  });

  it("rejects generator and async functions themselves", () => {
    const generator = "/** @differentiable */\nexport function* f(x: number): Generator<number> {\n  yield x;\n}\n";
    expect(rejection(generator)).toMatchObject({ code: codes.generator, message: messages.suspends("a generator function") });
    const async = "/** @differentiable */\nexport async function f(x: number): Promise<number> {\n  return x;\n}\n";
    expect(rejection(async)).toMatchObject({ code: codes.generator, message: messages.suspends("an `async` function") });
  });

  it("lets through a function of accepted constructs, local functions inlined where called", () => {
    const source = fn("  const g = (n: number) => n * x;\n  let s = 0;\n  for (const v of [1, 2]) s += g(v);\n  const o = { a: s };\n  return o.a;");
    expect(rejection(source, true)).toBeUndefined();
  });
});

describe("rejections lowering makes, with the advice that applies", () => {
  it("says to mark a named function passed as a callback (an arrow calling it would be rejected in turn)", () => {
    const source = `function sq(v: number): number {\n  return v * v;\n}\n${fn("  return [x, 2].map(sq).reduce((a, b) => a + b, 0);")}`;
    expect(rejection(source, true)).toEqual({ code: codes.unsupportedSyntax, message: messages.unsupported(...constructs.unmarkedCallback("sq")), at: "sq" });
  });

  it("offers an arrow function calling any other callback", () => {
    const source = fn("  return [x, 2].map(Math.sqrt).reduce((a, b) => a + b, 0);");
    expect(rejection(source, true)).toEqual({ code: codes.unsupportedSyntax, message: messages.unsupported(...constructs.callback("Math.sqrt")), at: "Math.sqrt" });
  });

  it("names the array a write changes, and a copy the write is then accepted on", () => {
    const store = `const W = [1, 2];\n${fn("  W[0] = x;\n  return x;")}`;
    expect(rejection(store, true)).toEqual({ code: codes.writeToInput, message: messages.writeToInput("W[0] = x", "W"), at: "W[0] = x" });
    expect(messages.writeToInput("W[0] = x", "W")).toContain("`const copy = Float64Array.from(W)`");
    const push = fn("  ws.push(x);\n  return x;", "x: number, ws: number[]");
    expect(rejection(push, true)).toEqual({ code: codes.writeToInput, message: messages.writeToInput("ws.push(x)", "ws", true), at: "ws.push(x)" });
    expect(rejection(fn("  const copy = [...ws];\n  copy.push(x);\n  return copy[0];", "x: number, ws: number[]"), true)).toBeUndefined();
    expect(rejection(`const W = [1, 2];\n${fn("  const copy = Float64Array.from(W);\n  copy[0] = x;\n  return copy[0];")}`, true)).toBeUndefined();
  });
});
