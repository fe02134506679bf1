/**
 * Golden files: the exact output of `adgen build` for every fixture program, kept in
 * fixtures/golden/ and reviewed like source. A change in generated code shows in the diff;
 * under CI a missing golden file fails. Refresh with `npx vitest run -u test/golden.test.ts`.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderOutput } from "../compiler/format";
import { projectFromTexts } from "../compiler/project";
import { compileSources, repoRoot } from "./harness";
import { fixtureSources } from "./fixtures";

const sources = fixtureSources();
const compiled = compileSources(sources, "functions");

describe("generated code", () => {
  it("compiles without diagnostics", () => expect(compiled.diagnostics).toEqual([]));

  it("type-checks under strict, as a user's build would", () => {
    const base = path.join(repoRoot, "fixtures", "functions");
    const texts = new Map(Object.entries(compiled.texts).map(([relative, text]) => [path.join(base, relative), text]));
    const project = projectFromTexts(texts);
    const errors = project.getPreEmitDiagnostics().map((d) => {
      const file = d.getSourceFile();
      const where = file ? `${path.relative(base, file.getFilePath())}:${file.getLineAndColumnAtPos(d.getStart() ?? 0).line}` : "";
      const message = d.getMessageText();
      return `${where} ${typeof message === "string" ? message : message.getMessageText()}`;
    });
    expect(errors).toEqual([]);
  });

  for (const relative of Object.keys(sources).sort()) {
    it(relative, async () => {
      const { userText, generatedText } = compiled.files[relative];
      const output = await renderOutput(userText, generatedText);
      await expect(output).toMatchFileSnapshot(path.join(repoRoot, "fixtures", "golden", relative));
    });
  }
});
