/**
 * The source shown under a diagnostic on a terminal: the lines of the construct with `~`
 * under its characters, the first line of the diagnostic unchanged, and nothing added when
 * stderr is not a terminal.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../compiler/commands";
import { snippet } from "../compiler/pretty";

const at = (text: string, construct: string) => ({ code: 1001 as const, message: "", start: text.indexOf(construct), length: construct.length });

describe("snippet", () => {
  it("marks the construct on its line, after CRLF line ends and a tab", () => {
    const text = "const a = 1;\r\n\tfor (const k in o) x;\n";
    expect(snippet(at(text, "for (const k in o) x;"), text)).toEqual(["2  for (const k in o) x;", "   ~~~~~~~~~~~~~~~~~~~~~"]);
  });

  it("marks every line of a construct that spans a few", () => {
    const text = "f(\n  a,\n  b);\n";
    expect(snippet(at(text, "f(\n  a,\n  b)"), text)).toEqual(["1 f(", "  ~~", "2   a,", "  ~~~~", "3   b);", "  ~~~~"]);
  });

  it("shows the first two and the last two lines of a long construct", () => {
    const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
    const lines = snippet(at(text, text.slice(2, 60)), text);
    expect(lines.filter((l) => !l.trim().startsWith("~")).map((l) => l.trim().split(" ")[0])).toEqual(["1", "2", "...", "8", "9"]);
    expect(lines[1]).toBe(`      ${"~".repeat("line 1".length - 2)}`);
  });

  it("marks one character for an empty span, and nothing without a place", () => {
    const text = "return;\n";
    expect(snippet({ code: 1001, message: "", start: 6, length: 0 }, text)).toEqual(["1 return;", "        ~"]);
    expect(snippet({ code: 4001, message: "" }, text)).toEqual([]);
  });
});

describe("adgen build on a terminal", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-snippet-"));
  const source = ["/** @differentiable */", "export function f(x: number, o: Record<string, number>): number {", "  for (const k in o) x += 1;", "  return x;", "}", ""].join("\n");
  fs.writeFileSync(path.join(dir, "model.ts"), source);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const build = (pretty: boolean) => run(["build", "model.ts", "--out-dir", "out"], { cwd: dir, pretty });

  it("shows the source line with the construct marked under the unchanged first line", async () => {
    const [plain, pretty] = [await build(false), await build(true)];
    expect(pretty.exitCode).toBe(1);
    const first = plain.stderr.split("\n")[0];
    expect(first).toMatch(/^model\.ts:3:3 - error ADG1001: /);
    expect(pretty.stderr.split("\n").slice(0, 5)).toEqual([first, "", "3   for (const k in o) x += 1;", `    ${"~".repeat("for (const k in o) x += 1;".length)}`, ""]);
  });

  it("prints one line per diagnostic when stderr is not a terminal", async () => {
    const { stderr } = await build(false);
    expect(stderr.split("\n").filter((l) => l.includes("~") || /^\d+ /.test(l))).toEqual([]);
  });
});
