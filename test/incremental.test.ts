/**
 * The incremental compiler the plugins and the loader share, on a project in a temp dir:
 * a module's output counts what its importers ask of it, a change reports every module
 * whose output it changes, modules without adgen are left alone, errors come back as
 * diagnostics, and the output is what `adgen build` writes for the same file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../compiler/build";
import { IncrementalCompiler } from "../compiler/incremental";
import { tempProject } from "./fixtures";

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const model = `/** @differentiable */
export function loss(w: number, b: number): number {
  return Math.sin(w * b) + w;
}
`;
const main = `import { grad } from "adgen";
import { loss } from "./model.js";
export const dW = grad(loss);
`;

function project(): string {
  const dir = tempProject("adgen-incremental-", { "src/model.ts": model, "src/main.ts": main, "src/plain.ts": "export const one = 1;\n" });
  temps.push(dir);
  return dir;
}

describe("IncrementalCompiler", () => {
  it("compiles an entry with what it imports, as adgen build does", async () => {
    const dir = project();
    const compiler = new IncrementalCompiler({ root: dir });
    compiler.update(path.join(dir, "src/main.ts"), main);
    const entry = await compiler.module(path.join(dir, "src/main.ts"));
    const imported = await compiler.module(path.join(dir, "src/model.ts"));
    expect(entry.kind).toBe("compiled");
    expect(imported.kind).toBe("compiled");
    // the generated gradient lives in model.ts, because main.ts asked for it
    if (imported.kind !== "compiled") return;
    expect(imported.output.text).toContain("export function loss_grad(");
    expect(imported.output.text).not.toContain("@adgen:");
    expect(imported.output.map?.sources).toEqual([path.join(dir, "src/model.ts")]);

    await build({ inputs: ["src"], outDir: "out", cwd: dir });
    expect(imported.output.text).toBe(fs.readFileSync(path.join(dir, "out/model.ts"), "utf8"));
    expect(await compiler.module(path.join(dir, "src/plain.ts"))).toEqual({ kind: "unchanged" });
  });

  it("reports the modules a change affects, including the one it asks a new gradient of", async () => {
    const dir = project();
    const compiler = new IncrementalCompiler({ root: dir });
    compiler.update(path.join(dir, "src/main.ts"), main);
    await compiler.module(path.join(dir, "src/main.ts"));
    compiler.update(path.join(dir, "src/main.ts"), `${main}export const dB = grad(loss, { wrt: 1 });\n`);
    expect(await compiler.changedModules()).toEqual([path.join(dir, "src/main.ts"), path.join(dir, "src/model.ts")]);
    const updated = await compiler.module(path.join(dir, "src/model.ts"));
    expect(updated.kind === "compiled" && updated.output.text).toContain("loss_grad_wrt_1");
  });

  it("rereads a file changed on disk, and returns ADG diagnostics for a bad one", async () => {
    const dir = project();
    const compiler = new IncrementalCompiler({ root: dir });
    compiler.update(path.join(dir, "src/main.ts"), main);
    expect((await compiler.module(path.join(dir, "src/main.ts"))).kind).toBe("compiled");
    const bad = main.replace("grad(loss)", "grad(Math.sin)");
    fs.writeFileSync(path.join(dir, "src/main.ts"), bad);
    fs.utimesSync(path.join(dir, "src/main.ts"), new Date(), new Date(Date.now() + 5_000));
    compiler.refresh();
    const result = await compiler.module(path.join(dir, "src/model.ts"));
    expect(result.kind).toBe("failed");
    if (result.kind !== "failed") return;
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 2002, file: path.join(dir, "src/main.ts"), line: 3 });
  });
});
