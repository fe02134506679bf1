/**
 * Golden files: the exact output of adgen for every fixture program, kept in
 * fixtures/golden/ and reviewed like source. Every fixture module is compiled with the
 * driver the numeric suite uses (vjp of every function, grad and valueAndGrad of the scalar
 * ones), so each golden shows the code those transforms generate; a change in generated
 * code shows in the diff, and under CI a missing golden file fails. Refresh with
 * `npx vitest run -u test/golden.test.ts` and review the diff.
 *
 * The whole output also type-checks under every strict flag a user may set, unused locals
 * and parameters included: generated code must build wherever the user's code does.
 */
import * as path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { renderOutput } from "../compiler/format";
import { projectFromTexts } from "../compiler/project";
import { compileSources, repoRoot } from "./harness";
import { driverText, modules, sources } from "./targets";

const drivers = Object.fromEntries(modules.map((m, k) => [`golden-driver-${k}.ts`, driverText(m)]));
const compiled = compileSources({ ...sources, ...drivers }, "functions");

/** The flags a strict user's tsconfig may add on top of `strict`. */
const strictest: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: false,
  exactOptionalPropertyTypes: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  skipLibCheck: true,
  noEmit: true,
};

describe("generated code", () => {
  it("compiles without diagnostics", () => expect(compiled.diagnostics).toEqual([]));

  it("type-checks under strict, unused locals and parameters included", () => {
    const base = path.join(repoRoot, "fixtures", "functions");
    const texts = new Map(Object.entries(compiled.texts).map(([relative, text]) => [path.join(base, relative), text]));
    const project = projectFromTexts(texts, strictest);
    const errors = project.getPreEmitDiagnostics().map((d) => {
      const file = d.getSourceFile();
      const where = file ? `${path.relative(base, file.getFilePath())}:${file.getLineAndColumnAtPos(d.getStart() ?? 0).line}` : "";
      const message = d.getMessageText();
      return `${where} ${typeof message === "string" ? message : message.getMessageText()}`;
    });
    expect(errors).toEqual([]);
  });

  for (const relative of modules) {
    it(relative, async () => {
      const { userText, generatedText } = compiled.files[relative];
      const output = await renderOutput(userText, generatedText);
      await expect(output).toMatchFileSnapshot(path.join(repoRoot, "fixtures", "golden", relative));
    });
  }
});
