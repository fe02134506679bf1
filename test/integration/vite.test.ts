/**
 * `adgen/vite` in a real Vite: a library build whose bundle checks its own gradients and
 * carries a source map chained through adgen's; an ADG error as Vite's build error; and the
 * dev server re-generating a module when another file asks it for a new gradient.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { describe, expect, it } from "vitest";
import { bin, expectAdgError, expectGradientsCheck, node, output, project, workspace } from "./helpers";

const config = `import adgen from "adgen/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [adgen()],
  build: { lib: { entry: "src/main.ts", formats: ["es"], fileName: "main" }, sourcemap: true, minify: false },
});
`;

describe("adgen/vite", () => {
  it("builds a bundle whose gradients check, with the compiler left out of it", () => {
    const dir = workspace("vite-app", "app", { "vite.config.ts": config });
    const built = node([bin("vite"), "build"], dir);
    expect(built.status, output(built)).toBe(0);
    const bundle = fs.readFileSync(path.join(dir, "dist", "main.js"), "utf8");
    expect(bundle).not.toMatch(/ts-morph|prettier/);
    expect(bundle).toMatch(/loss_grad/);
    expectGradientsCheck(node(["dist/main.js"], dir));
  });

  it("chains its source map with Vite's: adjoint lines of the bundle map into the function they differentiate", () => {
    const dir = path.join(project, "vite-app");
    const map = new TraceMap(fs.readFileSync(path.join(dir, "dist", "main.js.map"), "utf8"));
    const bundle = fs.readFileSync(path.join(dir, "dist", "main.js"), "utf8").split("\n");
    const model = fs.readFileSync(path.join(dir, "src", "model.ts"), "utf8").split("\n");
    const predictLines = [model.findIndex((l) => l.includes("function predict")) + 1, model.findIndex((l) => l.includes("Math.tanh(s)")) + 2];
    // the adjoint of `s += w[i] * x[i]`, inside predict's reverse half
    const adjoint = bundle.findIndex((line) => /w_bar\[i\] \+=/.test(line));
    expect(adjoint).toBeGreaterThan(-1);
    // at the statement itself: the bundler may put a loop and its one-statement body on one line
    const position = originalPositionFor(map, { line: adjoint + 1, column: bundle[adjoint]!.search(/w_bar\[i\] \+=/) });
    expect(position.source).toMatch(/src\/model\.ts$/);
    expect(position.line!).toBeGreaterThanOrEqual(predictLines[0]!);
    expect(position.line!).toBeLessThanOrEqual(predictLines[1]!);
    expect(model[position.line! - 1]).toContain("s += w[i] * x[i]");
  });

  it("fails the build with adgen's error, its code and position", () => {
    const dir = workspace("vite-error", "app-error", { "vite.config.ts": config });
    const built = node([bin("vite"), "build"], dir);
    expect(built.status).not.toBe(0);
    expectAdgError(output(built), dir);
  });

  it("re-generates under the dev server when a change asks a module for a new gradient", async () => {
    const dir = workspace("vite-dev", "app", { "vite.config.ts": config });
    const script = `
import { createServer } from "vite";
import * as fs from "node:fs";
const server = await createServer({ configFile: "vite.config.ts", server: { port: 0 }, logLevel: "silent" });
await server.listen();
const sent = [];
const hot = server.environments?.client?.hot ?? server.ws;
const send = hot.send.bind(hot);
hot.send = (payload, ...rest) => { sent.push(payload); return send(payload, ...rest); };
const model = async () => (await server.transformRequest("/src/model.ts")).code;
await server.transformRequest("/src/main.ts");
const before = await model();
const main = fs.readFileSync("src/main.ts", "utf8");
fs.writeFileSync("src/main.ts", main.replace("const dLossDx", "export const dLossDy = grad(loss, { wrt: 2 });\\nconst dLossDx"));
const deadline = Date.now() + 30000;
while (!sent.some((p) => p.type === "update" || p.type === "full-reload") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const after = await model();
console.log(JSON.stringify({ before: before.includes("loss_grad_wrt_2"), after: after.includes("loss_grad_wrt_2"), sent: sent.map((p) => p.type) }));
await server.close();
`;
    fs.writeFileSync(path.join(dir, "dev.mjs"), script);
    const ran = node(["dev.mjs"], dir);
    expect(ran.status, output(ran)).toBe(0);
    const result = JSON.parse(ran.stdout.trim().split("\n").at(-1)!) as { before: boolean; after: boolean; sent: string[] };
    // model.ts itself did not change: only the hot update's invalidation makes Vite transform it again
    expect(result.before).toBe(false);
    expect(result.after).toBe(true);
    expect(result.sent.some((type) => type === "update" || type === "full-reload"), result.sent.join()).toBe(true);
  });
});
