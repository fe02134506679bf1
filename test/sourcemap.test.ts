/**
 * Source maps and markers: `adgen build --source-map` on a small project, its maps decoded
 * with @jridgewell/trace-mapping. Generated adjoint lines map into the function they
 * differentiate, at the statement named by their `// adjoint of:` comment; user lines map
 * to themselves, column for column around a replaced transform call; no output shows a
 * marker.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../compiler/build";
import { run } from "../compiler/commands";
import { stripMarkers } from "../compiler/sourcemap";
import { tempProject } from "./fixtures";

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = tempProject("adgen-sourcemap-", files);
  temps.push(dir);
  return dir;
}

const model = `import { grad } from "adgen";

/** @differentiable */
export function energy(w: number, x: number): number {
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const t = Math.tanh(w * x + i);
    s += t * t;
  }
  return s * w;
}

export const dEnergy = grad(energy); export const after = 1;
`;

describe("stripMarkers", () => {
  it("removes a marker on its own line, before a comment, and leading a statement", () => {
    const text = ["function f() {", "  /*@adgen:12*/", "  /*@adgen:3*/ // adjoint of: x", "  /*@adgen:40*/ x_bar += 1;", "}"].join("\n");
    expect(stripMarkers(text)).toBe(["function f() {", "  // adjoint of: x", "  x_bar += 1;", "}"].join("\n"));
  });

  it("leaves text without markers as it is", () => {
    const text = "const a = /* a comment */ 1;\n";
    expect(stripMarkers(text)).toBe(text);
  });
});

describe("adgen build --source-map", () => {
  const dir = project({ "src/model.ts": model });
  const built = build({ inputs: ["src"], outDir: "out", cwd: dir, sourceMap: true });

  it("writes a v3 map beside the rewritten file and points at it", async () => {
    const result = await built;
    expect(result.diagnostics).toEqual([]);
    expect(result.written.map((file) => path.relative(dir, file)).sort()).toEqual(["out/model.ts", "out/model.ts.map"]);
    const text = fs.readFileSync(path.join(dir, "out/model.ts"), "utf8");
    expect(text.trimEnd().split("\n").at(-1)).toBe("//# sourceMappingURL=model.ts.map");
    expect(text).not.toContain("@adgen:");
    const map = JSON.parse(fs.readFileSync(path.join(dir, "out/model.ts.map"), "utf8"));
    expect(map).toMatchObject({ version: 3, file: "model.ts", sources: ["../src/model.ts"], sourcesContent: [model] });
  });

  it("maps every adjoint block to the user statement it differentiates", async () => {
    await built;
    const text = fs.readFileSync(path.join(dir, "out/model.ts"), "utf8").split("\n");
    const map = new TraceMap(fs.readFileSync(path.join(dir, "out/model.ts.map"), "utf8"));
    const source = model.split("\n");
    const userLines = source.length - 1;
    const fnFirst = source.findIndex((line) => line.includes("function energy")) + 1;
    const fnLast = source.findIndex((line) => line.includes("return s * w")) + 2;
    let blocks = 0;
    let mapped = 0;
    let statement: string | undefined;
    text.forEach((line, index) => {
      if (index < userLines) return;
      const comment = /\/\/ adjoint of: (.*)$/.exec(line);
      if (comment) statement = comment[1];
      if (/^\S/.test(line)) statement = undefined;
      const position = originalPositionFor(map, { line: index + 1, column: line.search(/\S|$/) });
      if (statement === undefined) return;
      // a line inside an adjoint block: it maps into energy, onto the line of its statement
      expect(position.line, `${index + 1}: ${line}`).not.toBeNull();
      expect(position.line!).toBeGreaterThanOrEqual(fnFirst);
      expect(position.line!).toBeLessThanOrEqual(fnLast);
      const first = statement.split(/[;{]/)[0]!.trim();
      expect(source[position.line! - 1]!.slice(position.column!), `${index + 1}: ${line}`).toContain(first);
      mapped++;
      if (comment) blocks++;
    });
    expect(blocks).toBeGreaterThanOrEqual(4);
    expect(mapped).toBeGreaterThan(blocks);
  });

  it("maps user lines to themselves, columns included, around a replaced call", async () => {
    await built;
    const out = fs.readFileSync(path.join(dir, "out/model.ts"), "utf8").split("\n");
    const map = new TraceMap(fs.readFileSync(path.join(dir, "out/model.ts.map"), "utf8"));
    const source = model.split("\n");
    source.slice(0, -1).forEach((line, index) => {
      if (line === "") return;
      const position = originalPositionFor(map, { line: index + 1, column: 0 });
      expect(position).toMatchObject({ line: index + 1, column: 0 });
    });
    const row = source.findIndex((line) => line.includes("grad(energy)"));
    const written = out[row]!;
    expect(written).not.toContain("grad(energy)");
    const at = written.indexOf("export const after");
    expect(originalPositionFor(map, { line: row + 1, column: at })).toMatchObject({
      line: row + 1,
      column: source[row]!.indexOf("export const after"),
    });
  });
});

describe("markers in other outputs", () => {
  it("adgen inspect shows none", async () => {
    const dir = project({ "model.ts": model });
    const result = await run(["inspect", "model.ts"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("// adjoint of:");
    expect(result.stdout).not.toContain("@adgen:");
  });
});
