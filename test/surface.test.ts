/**
 * The public surface of a built module: its `.d.ts`, emitted by tsc over `adgen build`'s
 * output, holds the user's exports and, of the generated functions, only those another
 * file's generated code calls; those carry `@internal`, so with `stripInternal` the
 * surface is exactly what the user wrote.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../compiler/commands";
import { tempProject } from "./fixtures";

const dir = tempProject("adgen-surface-", {
  "src/lib.ts": [
    "/** @differentiable */",
    "export function neuron(w: number, x: number): number {",
    "  return Math.tanh(w * x);",
    "}",
    "",
    "/** @differentiable */",
    "export function square(x: number): number {",
    "  return x * x;",
    "}",
    "",
  ].join("\n"),
  "src/model.ts": [
    'import { grad, vjp } from "adgen";',
    'import { neuron } from "./lib";',
    "",
    "/** @differentiable */",
    "export function loss(w: number, x: number, target: number): number {",
    "  const e = neuron(w, x) - target;",
    "  return e * e;",
    "}",
    "",
    "export const dLoss = grad(loss);",
    "export const dNeuron = grad(neuron, { wrt: 1 });",
    "export const pullLoss = vjp(loss);",
    "",
  ].join("\n"),
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The names each built module exports, by its `.d.ts` (tsc's declaration emit over the build output). */
function exportsOf(stripInternal: boolean): Record<string, string[]> {
  const out = path.join(dir, "out");
  const declarations = path.join(dir, stripInternal ? "d-stripped" : "d");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    declaration: true,
    emitDeclarationOnly: true,
    stripInternal,
    skipLibCheck: true,
    outDir: declarations,
  };
  const program = ts.createProgram(["model.ts", "lib.ts"].map((f) => path.join(out, f)), options);
  const emitted = program.emit();
  expect([...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  const dts = ["model.d.ts", "lib.d.ts"].map((f) => path.join(declarations, f));
  const checker = ts.createProgram(dts, options);
  return Object.fromEntries(
    dts.map((file) => {
      const module = checker.getTypeChecker().getSymbolAtLocation(checker.getSourceFile(file)!)!;
      return [path.basename(file), checker.getTypeChecker().getExportsOfModule(module).map((s) => s.getName()).sort()];
    }),
  );
}

describe("the public surface of a built module", () => {
  it("builds", async () => {
    const result = await run(["build", "src", "--out-dir", "out"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it("exports, of the generated functions, only those another file's generated code calls, marked @internal", () => {
    const lib = fs.readFileSync(path.join(dir, "out", "lib.ts"), "utf8");
    const exported = [...lib.matchAll(/\/\*\*([^\n]*)\*\/\nexport function (\w+)/g)].map((m) => ({ name: m[2], internal: m[1].includes("@internal") }));
    const user = ["neuron", "square"];
    expect(exported.filter((e) => !user.includes(e.name)).length).toBeGreaterThan(0);
    expect(exported.filter((e) => !user.includes(e.name) && !e.internal)).toEqual([]);
    const model = fs.readFileSync(path.join(dir, "out", "model.ts"), "utf8");
    expect(model).not.toContain("@internal");
    expect(exportsOf(false)["model.d.ts"]).toEqual(["dLoss", "dNeuron", "loss", "pullLoss"]);
  });

  it("is exactly the user's exports under stripInternal", () => {
    expect(exportsOf(true)).toEqual({ "model.d.ts": ["dLoss", "dNeuron", "loss", "pullLoss"], "lib.d.ts": ["neuron", "square"] });
  });

  it("adds to lib.d.ts without stripInternal only what model.ts's generated code calls", () => {
    const model = fs.readFileSync(path.join(dir, "out", "model.ts"), "utf8");
    const imported = [...model.matchAll(/import \{([^}]*)\} from "\.\/lib"/g)].flatMap((m) => m[1].split(",").map((s) => s.trim().split(" ")[0])).filter((n) => n !== "neuron");
    expect(imported.length).toBeGreaterThan(0);
    expect(exportsOf(false)["lib.d.ts"]).toEqual(["neuron", "square", ...imported].sort());
  });
});
