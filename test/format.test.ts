/**
 * Formatting of generated code: line endings follow the user's file (LF, CRLF, or CR
 * alone), and code nested deeper than prettier's printer can recurse on the main thread
 * is still formatted, the same as shallow code would be.
 */
import { describe, expect, it } from "vitest";
import { formatGenerated, renderOutput } from "../compiler/format";

const generated = "export function f_grad(x: number): number {\nreturn 2*x;\n}\n";

describe("renderOutput", () => {
  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR alone", "\r"],
  ])("keeps the user's %s line endings in the generated part", async (_name, eol) => {
    const user = ["export const a = 1;", "export const g = f_grad;", ""].join(eol);
    const text = await renderOutput(user, generated);
    expect(text.startsWith(user)).toBe(true);
    const rest = text.slice(user.length);
    expect(rest.split(eol).join("")).not.toMatch(/[\r\n]/);
    expect(rest).toBe(`${eol}export function f_grad(x: number): number {${eol}  return 2 * x;${eol}}${eol}`);
  });
});

describe("formatGenerated", () => {
  it("formats code nested beyond the main thread's stack, as it formats shallow code", async () => {
    const nested = (depth: number) =>
      `export function f(y: number): number {\n${"if (y > 1) {\ny = y*2;\n".repeat(depth)}${"}\n".repeat(depth)}return y;\n}\n`;
    const deep = await formatGenerated(nested(600));
    expect(deep.match(/\bif \(/g)).toHaveLength(600);
    expect(deep.match(/\by \*\s+2;/g)).toHaveLength(600);
    // the levels prettier's width leaves on one line read as at shallow depth, each indented one step more
    const shallow = (await formatGenerated(nested(3))).split("\n");
    expect(deep.split("\n").slice(0, 7)).toEqual(shallow.slice(0, 7));
    expect(deep.split("\n")[7]).toBe(`${"  ".repeat(4)}if (y > 1) {`);
  });
});
