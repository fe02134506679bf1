/**
 * Golden files: the exact output of `adgen build` for every fixture program, kept in
 * fixtures/golden/ and reviewed like source. A change in generated code shows in the diff;
 * under CI a missing golden file fails. Refresh with `npx vitest run -u test/golden.test.ts`.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderOutput } from "../compiler/format";
import { compileSources, repoRoot } from "./harness";
import { fixtureSources } from "./fixtures";

const sources = fixtureSources();
const compiled = compileSources(sources, "functions");

describe("generated code", () => {
  it("compiles without diagnostics", () => expect(compiled.diagnostics).toEqual([]));

  for (const relative of Object.keys(sources).sort()) {
    it(relative, async () => {
      const { userText, generatedText } = compiled.files[relative];
      const output = await renderOutput(userText, generatedText);
      await expect(output).toMatchFileSnapshot(path.join(repoRoot, "fixtures", "golden", relative));
    });
  }
});
