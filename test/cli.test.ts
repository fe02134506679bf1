/**
 * End to end: the built CLI (dist/cli.js, built once by test/global-setup.ts) spawned on
 * small projects in temporary directories. Checks the exit codes, the tsc-format
 * messages, and the out-dir guarantees: byte-for-byte copies of files that need nothing,
 * complete replacement on success, and not one byte changed on failure.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { formatGenerated } from "../compiler/format";
import type {} from "./global-setup";
import { outputTree, previousBuild, tree } from "./fixtures";

const { root, cli, tscErrors } = inject("adgenBuild");
const version = (
  JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
  }
).version;

let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-cli-"));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Runs `adgen …` in the work dir, as a user in a pipe (no terminal, so no colour). */
function adgen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: undefined },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes files (path → text or bytes) under the work dir. */
function write(files: Record<string, string | Buffer>): void {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(work, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** Lets `import … from "adgen"` in the work dir resolve to this package. */
function linkAdgen(): void {
  fs.mkdirSync(path.join(work, "node_modules"), { recursive: true });
  fs.symlinkSync(root, path.join(work, "node_modules", "adgen"), "dir");
}

const usageHint = "Run 'adgen --help' for usage.\n";
const plain = "export const answer: number = 42;\n";

describe("adgen CLI", { timeout: 60_000 }, () => {
  it("was built by tsc without errors", () => {
    expect(tscErrors).toBeUndefined();
  });

  it.each([["--help"], ["-h"], ["help"], ["build", "--help"], ["inspect", "-h"]])(
    "%s prints the help and exits 0",
    (...args) => {
      const result = adgen(...args);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("Usage:");
      expect(result.stdout).toContain("adgen build <files or dirs...> --out-dir <dir>");
      expect(result.stdout).toContain("adgen inspect <file>");
    },
  );

  it.each([["--version"], ["-v"]])("%s prints the version from package.json", (flag) => {
    const result = adgen(flag);
    expect(result).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
  });

  describe("usage errors: ADG4001, exit 1, nothing written", () => {
    it.each([
      { args: [], says: "no command given" },
      { args: ["frob"], says: "unknown command 'frob'" },
      { args: ["--bogus"], says: "unknown option '--bogus'" },
      { args: ["build", "src"], says: "missing --out-dir" },
      { args: ["build", "src", "--out-dir"], says: "option '--out-dir' needs a value" },
      { args: ["build", "--out-dir", "out"], says: "no input files or directories given" },
      { args: ["build", "src", "--out-dir", "out", "--bogus"], says: "unknown option '--bogus'" },
      { args: ["build", "src", "--outDir", "out"], says: "did you mean '--out-dir'?" },
      { args: ["inspect"], says: "no input file given" },
      { args: ["inspect", "src/a.ts", "src/a.ts"], says: "inspect takes one file" },
      {
        args: ["inspect", "src/a.ts", "--mode", "hessian"],
        says: "--mode must be one of grad, vjp, jvp",
      },
      { args: ["inspect", "src/a.ts", "--stage", "nope"], says: "--stage must be one of" },
      { args: ["inspect", "src/a.ts", "--out-dir", "out"], says: "unknown option '--out-dir'" },
    ])("adgen $args", ({ args, says }) => {
      write({ "src/a.ts": plain });
      const before = tree(work);
      const result = adgen(...args);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error ADG4001: .+\n/);
      expect(result.stderr).toContain(says);
      expect(result.stderr.endsWith(usageHint)).toBe(true);
      expect(result.stderr).not.toContain("\u001b[");
      expect(tree(work)).toEqual(before);
    });

  });

  describe("an out dir that is not adgen's to replace: refused before anything is written", () => {
    it.each([
      { args: ["src/a.ts", "--out-dir", "src"], says: "src - error ADG4003: --out-dir contains the input 'src/a.ts'" },
      { args: ["src", "--out-dir", "src"], says: "src - error ADG4003: --out-dir is an input" },
      { args: ["src", "--out-dir", "src/lib"], says: "src/lib - error ADG4003: --out-dir lies inside the input 'src'" },
      { args: ["src", "--out-dir", "src/out"], says: "src/out - error ADG4003: --out-dir lies inside the input 'src'" },
      { args: ["src/lib", "--out-dir", "src"], says: "src - error ADG4003: --out-dir contains the input 'src/lib'" },
      { args: ["src", "--out-dir", "."], says: ". - error ADG4003: --out-dir contains the input 'src'" },
      { args: ["src", "--out-dir", "link"], says: "src - error ADG4003: --out-dir is an input" },
    ])("adgen build $args", ({ args, says }) => {
      write({ "src/a.ts": plain, "src/lib/helper.ts": plain, "src/gen/keep.txt": "mine\n" });
      fs.symlinkSync("src", path.join(work, "link"));
      const before = tree(work);
      const result = adgen("build", ...args, "--empty-out-dir");
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`${says}; build replaces the out dir as a whole, so choose a directory of its own, apart from the inputs\nFound 1 error; nothing was written.\n`);
      expect(tree(work)).toEqual(before);
    });

    it("holds files adgen did not write: ADG4004 names them, --empty-out-dir replaces them", () => {
      write({ "src/a.ts": plain, "out/notes.md": "mine\n", "out/deep/data.json": "{}\n" });
      const before = tree(work);
      const refused = adgen("build", "src", "--out-dir", "out");
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(
        "out - error ADG4004: the out dir holds 2 files that adgen did not write or that changed since ('deep/data.json', 'notes.md'); build replaces the out dir as a whole, so move them, choose another --out-dir, or pass --empty-out-dir to delete them\nFound 1 error; nothing was written.\n",
      );
      expect(tree(work)).toEqual(before);

      const forced = adgen("build", "src", "--out-dir", "out", "--empty-out-dir");
      expect(forced.status).toBe(0);
      expect(outputTree(path.join(work, "out"))).toEqual({ "a.ts": Buffer.from(plain).toString("base64") });
    });

    it("a file adgen wrote and someone edited since is not adgen's any more", () => {
      write({ "src/a.ts": plain });
      expect(adgen("build", "src", "--out-dir", "out").status).toBe(0);
      write({ "out/a.ts": "export const edited = 1;\n" });
      const before = tree(work);
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("out - error ADG4004: the out dir holds a file that adgen did not write or that changed since ('a.ts')");
      expect(tree(work)).toEqual(before);
    });

    it("the manifest lists every file written with its SHA-256", () => {
      write({ "src/a.ts": plain, "src/nested/b.ts": plain });
      expect(adgen("build", "src", "--out-dir", "out").status).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(work, "out", ".adgen-manifest.json"), "utf8"));
      const hash = createHash("sha256").update(plain).digest("hex");
      expect(manifest).toEqual({ generator: "adgen", files: { "a.ts": hash, "nested/b.ts": hash } });
    });
  });

  describe("missing inputs: ADG4002, exit 1", () => {
    it("reports every missing input in the tsc format and writes nothing", () => {
      write({ "src/a.ts": plain, "out/marker.txt": "previous build\n" });
      const before = tree(work);
      const result = adgen("build", "src", "missing.ts", "gone", "--out-dir", "out");
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("missing.ts - error ADG4002: input path does not exist\n");
      expect(result.stderr).toContain("gone - error ADG4002: input path does not exist\n");
      expect(tree(work)).toEqual(before);
    });

    it("reports a missing tsconfig", () => {
      write({ "src/a.ts": plain });
      const result = adgen("build", "src", "--out-dir", "out", "-p", "nope/tsconfig.json");
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("nope/tsconfig.json - error ADG4002: ");
      expect(fs.existsSync(path.join(work, "out"))).toBe(false);
    });

    it("reports a tsconfig that does not parse, at its position", () => {
      write({ "src/a.ts": plain, "tsconfig.json": '{\n  "compilerOptions": { "strict": tru\n' });
      const result = adgen("build", "src", "--out-dir", "out", "-p", ".");
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^tsconfig\.json:\d+:\d+ - error ADG4001: invalid tsconfig: /m);
      expect(result.stderr).not.toContain("ADG9001");
      expect(fs.existsSync(path.join(work, "out"))).toBe(false);
    });

    it("inspect reports a missing file", () => {
      const result = adgen("inspect", "missing.ts");
      expect(result.status).toBe(1);
      expect(result.stderr).toBe("missing.ts - error ADG4002: input path does not exist\n");
    });
  });

  describe("a build with an error leaves the out dir untouched", () => {
    it("a TypeScript syntax error (ADG1002)", () => {
      write({
        "src/ok.ts": plain,
        "src/broken.ts": "export function f(x: number): number {\n  return x +;\n}\n",
      });
      previousBuild(path.join(work, "out"), { "marker.txt": "previous build\n" });
      const before = tree(work);
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^src\/broken\.ts:2:\d+ - error ADG1002: .+$/m);
      expect(tree(work)).toEqual(before);
    });

    it("a transform whose target is not a differentiable function", () => {
      linkAdgen();
      write({
        "src/ok.ts": plain,
        "src/bad.ts": [
          'import { grad } from "adgen";',
          "",
          "const notAFunction = 3;",
          "export const g = grad(notAFunction);",
          "",
        ].join("\n"),
      });
      previousBuild(path.join(work, "out"), { "marker.txt": "previous build\n" });
      const before = tree(work);
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^src\/bad\.ts:4:\d+ - error ADG\d{4}: .+$/m);
      expect(result.stderr).not.toMatch(/ADG9001|^\s+at /m);
      expect(tree(work)).toEqual(before);
    });
  });

  describe("a successful build", () => {
    const sources = {
      "src/a.ts": plain,
      // byte for byte: a byte-order mark, CRLF line endings, odd spacing
      "src/nested/deep/b.ts": Buffer.from("\uFEFFexport  const  b = 1 ;\r\n// end\r\n", "utf8"),
      "src/c.ts": "export function half(x: number): number {\n    return x/2\n}",
    };

    it("copies plain .ts files byte for byte at the same relative paths", () => {
      write({
        ...sources,
        "src/types.d.ts": "export type T = number;\n",
        "src/notes.md": "# not TypeScript\n",
        "src/node_modules/dep/index.ts": plain,
      });
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toBe("Wrote 3 files to out.\n");
      expect(outputTree(path.join(work, "out"))).toEqual({
        "a.ts": Buffer.from(plain).toString("base64"),
        "c.ts": Buffer.from(sources["src/c.ts"]).toString("base64"),
        "nested/deep/b.ts": sources["src/nested/deep/b.ts"].toString("base64"),
      });
    });

    it("replaces a previous out dir completely, leaving no scratch directories", () => {
      write(sources);
      previousBuild(path.join(work, "out"), {
        "marker.txt": "previous build\n",
        "stale.ts": "export const stale = true;\n",
        "nested/old.ts": "export {};\n",
      });
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.status).toBe(0);
      expect(Object.keys(outputTree(path.join(work, "out"))).sort()).toEqual([
        "a.ts",
        "c.ts",
        "nested/deep/b.ts",
      ]);
      expect(fs.readdirSync(work).sort()).toEqual(["out", "src"]);
    });

    it("maps file inputs relative to the common root of all inputs", () => {
      write(sources);
      const result = adgen("build", "src/a.ts", "src/nested/deep/b.ts", "--out-dir", "out");
      expect(result.status).toBe(0);
      expect(outputTree(path.join(work, "out"))).toEqual({
        "a.ts": Buffer.from(plain).toString("base64"),
        "nested/deep/b.ts": sources["src/nested/deep/b.ts"].toString("base64"),
      });
    });

    it("rewrites a file that uses adgen line for line; the output type-checks and runs", async () => {
      linkAdgen();
      const main = [
        'import { grad } from "adgen";',
        "",
        "/** @differentiable */",
        "function g(x: number): number {",
        "  return Math.exp(x) * x;",
        "}",
        "",
        "export const dg = grad(g);",
        "console.log(JSON.stringify(dg(1)));",
        "",
      ];
      write({ "src/main.ts": main.join("\n"), "src/plain.ts": plain });
      const result = adgen("build", "src", "--out-dir", "out");
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);

      const out = fs.readFileSync(path.join(work, "out", "main.ts"), "utf8");
      const lines = out.split("\n");
      // every line of user code keeps its number; only the transform call is replaced
      main.slice(0, -1).forEach((line, i) => {
        if (!line.includes("grad(")) expect(lines[i]).toBe(line);
      });
      expect(lines[7]).not.toContain("grad(");
      // the generated part follows a blank line and is exactly as prettier prints it
      expect(lines[main.length - 1]).toBe("");
      const generated = lines.slice(main.length).join("\n");
      expect(generated.trim()).not.toBe("");
      expect(await formatGenerated(generated)).toBe(generated);
      expect(fs.readFileSync(path.join(work, "out", "plain.ts"), "utf8")).toBe(plain);

      write({
        "tsconfig.json": JSON.stringify({
          compilerOptions: {
            target: "es2022",
            module: "nodenext",
            moduleResolution: "nodenext",
            strict: true,
            skipLibCheck: true,
            types: [],
            rootDir: "out",
            outDir: "js",
          },
          include: ["out"],
        }),
      });
      const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
      const typecheck = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
        cwd: work,
        encoding: "utf8",
      });
      expect(typecheck.stdout + typecheck.stderr).toBe("");
      expect(typecheck.status).toBe(0);
      const ran = spawnSync(process.execPath, [path.join(work, "js", "main.js")], {
        cwd: work,
        encoding: "utf8",
      });
      expect(ran.stderr).toBe("");
      expect(Number(ran.stdout)).toBeCloseTo(2 * Math.E, 12);
    });

    it("accepts a tsconfig with -p", () => {
      write({
        ...sources,
        "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, target: "es2022" } }),
      });
      const result = adgen("build", "src", "--out-dir", "dist-out", "-p", "tsconfig.json");
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(Object.keys(outputTree(path.join(work, "dist-out"))).sort()).toEqual([
        "a.ts",
        "c.ts",
        "nested/deep/b.ts",
      ]);
    });
  });
});
