/**
 * `adgen build` on `.mts`/`.cts` inputs, and `adgen build --watch`, through the built CLI.
 *
 * The module-kind project is built, compiled by plain tsc and run: its programs check their
 * own gradients. The watch is a real process editing real files: a change rebuilds the file
 * and the file it asks a new gradient of, an error keeps the last good output, a fix
 * rebuilds again.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { tempProject } from "./fixtures";

const { root, cli } = inject("adgenBuild");
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = tempProject("adgen-watch-", files);
  temps.push(dir);
  return dir;
}

const node = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 });

/** A program that checks `gradient` of `f` at `x` against a central difference and prints ok. */
const check = (f: string, gradient: string) => `
const x = 0.7, h = 1e-6;
const expected = (${f}(x + h) - ${f}(x - h)) / (2 * h);
const got = ${gradient}(x);
if (!(Math.abs(got - expected) < 1e-6 * Math.max(1, Math.abs(expected)))) throw new Error(\`gradient \${got}, expected \${expected}\`);
console.log("ok");
`;

describe(".mts and .cts inputs", () => {
  it("are built like .ts, and the output compiles and runs as ES modules and CommonJS", () => {
    const dir = project({
      "package.json": JSON.stringify({ private: true }),
      "src/model.mts": `/** @differentiable */\nexport function wave(x: number): number {\n  return Math.sin(3 * x) * x;\n}\n`,
      "src/main.mts": `import { grad } from "adgen";\nimport { wave } from "./model.mjs";\nconst dWave = grad(wave);\n${check("wave", "dWave")}`,
      "src/legacy.cts": `import { grad } from "adgen";\n/** @differentiable */\nfunction bump(x: number): number {\n  return Math.exp(-x * x);\n}\nconst dBump = grad(bump);\n${check("bump", "dBump")}`,
      "src/types.d.mts": "export {};\n",
    });
    const built = node([cli, "build", "src", "--out-dir", "out"], dir);
    expect(built.status, built.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, "out")).sort()).toEqual([".adgen-manifest.json", "legacy.cts", "main.mts", "model.mts"]);
    expect(fs.readFileSync(path.join(dir, "out/model.mts"), "utf8")).toContain("function wave_grad(");

    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2022", module: "nodenext", strict: true, types: [], skipLibCheck: true, outDir: "js", rootDir: "out" },
        include: ["out"],
      }),
    );
    const compiled = node([tsc, "-p", "tsconfig.json", "--pretty", "false"], dir);
    expect(compiled.status, compiled.stdout).toBe(0);
    for (const program of ["js/main.mjs", "js/legacy.cjs"]) {
      const ran = node([program], dir);
      expect(ran.stdout.trim(), `${program}: ${ran.stderr}`).toBe("ok");
    }
  });
});

/** Collects a process's output and waits for text to appear in it. */
function watcher(args: string[], cwd: string) {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((resolve) => resolve());
  child.stdout.on("data", (chunk) => ((stdout += chunk), wake()));
  child.stderr.on("data", (chunk) => ((stderr += chunk), wake()));
  const waitFor = async (test: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!test()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what}:\n${stdout}\n${stderr}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  };
  return {
    child,
    output: () => ({ stdout, stderr }),
    /** waits until stdout (or stderr) holds `count` occurrences of `text` */
    waitFor: (text: string, count = 1, stream: "stdout" | "stderr" = "stdout") =>
      waitFor(() => (stream === "stdout" ? stdout : stderr).split(text).length - 1 >= count, `"${text}" ×${count} on ${stream}`),
  };
}

describe("adgen build --watch", () => {
  it("rebuilds what a change affects, keeps the last good output on an error, and recovers", async () => {
    const modelText = `/** @differentiable */\nexport function loss(w: number, b: number): number {\n  return (w * 2 + b - 1) ** 2;\n}\n`;
    const mainText = `import { grad } from "adgen";\nimport { loss } from "./model.js";\nexport const dW = grad(loss);\n`;
    const dir = project({ "src/model.ts": modelText, "src/main.ts": mainText, "src/plain.ts": "export const plain = 1;\n" });
    const watch = watcher([cli, "build", "src", "--out-dir", "out", "--watch"], dir);
    try {
      await watch.waitFor("Watching for changes.");
      expect(watch.output().stdout).toContain("Wrote 3 files to out.");
      const plainBefore = fs.statSync(path.join(dir, "out/plain.ts")).mtimeMs;

      // main asks for a new gradient of loss: main and model are rewritten, plain is not
      fs.writeFileSync(path.join(dir, "src/main.ts"), mainText + "export const dB = grad(loss, { wrt: 1 });\n");
      await watch.waitFor("Rebuilt main.ts, model.ts in out.");
      expect(fs.readFileSync(path.join(dir, "out/model.ts"), "utf8")).toContain("loss_grad_wrt_1");
      expect(fs.statSync(path.join(dir, "out/plain.ts")).mtimeMs).toBe(plainBefore);

      // an error: reported with its position, nothing written
      const good = fs.readFileSync(path.join(dir, "out/model.ts"), "utf8");
      const broken = modelText.replace("return", "const m = new Map<string, number>();\n  return m.size +");
      fs.writeFileSync(path.join(dir, "src/model.ts"), broken);
      await watch.waitFor("the last good output is kept", 1, "stderr");
      expect(watch.output().stderr).toMatch(/src\/model\.ts:\d+:\d+ - error ADG\d{4}: /);
      expect(fs.readFileSync(path.join(dir, "out/model.ts"), "utf8")).toBe(good);

      // fixed: rebuilt
      fs.writeFileSync(path.join(dir, "src/model.ts"), modelText.replace("- 1", "- 2"));
      await watch.waitFor("Rebuilt model.ts in out.");
      expect(fs.readFileSync(path.join(dir, "out/model.ts"), "utf8")).toContain("b - 2");
    } finally {
      watch.child.kill("SIGINT");
    }
    await new Promise((resolve) => watch.child.once("exit", resolve));
    expect(watch.child.exitCode).toBe(0);
  });
});
