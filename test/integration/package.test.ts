/**
 * The package as published: its shape checked by publint and @arethetypeswrong/cli; what
 * the tarball holds; `adgen` from ES modules (nodenext and bundler resolution) and from
 * CommonJS, types included; and a built app installed for production (`--omit=dev`) runs
 * with the runtime alone — no compiler installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bin, expectGradientsCheck, node, output, project, tarball, workspace } from "./helpers";

const listing = () => execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
const manifest = () => JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));

describe("the published package", () => {
  it("passes publint, strict", () => {
    const checked = node([bin("publint"), "run", "--strict", tarball], project);
    expect(checked.status, output(checked)).toBe(0);
  });

  // node10 resolution predates `exports` and cannot reach subpaths (adgen/vite, …): not checked.
  it("passes @arethetypeswrong/cli: types resolve for node16 (from CJS and from ESM) and bundlers", () => {
    const checked = node([bin("@arethetypeswrong/cli", "attw"), tarball, "--profile", "node16", "--format", "table-flipped"], project);
    expect(checked.status, output(checked)).toBe(0);
  });

  it("ships a LICENSE, no install script, no source map, and no runtime dependency", () => {
    const files = listing();
    expect(files).toContain("package/LICENSE");
    expect(files).toContain("package/dist/esm/runtime/index.js");
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    const json = manifest();
    expect(Object.keys(json.scripts ?? {})).not.toEqual(expect.arrayContaining(["prepare"]));
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(json.scripts?.[hook]).toBeUndefined();
    expect(json.dependencies ?? {}).toEqual({});
    expect(json.license).toBe("MIT");
  });
});

const use = `import { AdgenError, checkGrad, numberTape } from "adgen";
const r: number = checkGrad((x: number) => x * x, (x: number) => 2 * x, [3]).maxRelError;
console.log(JSON.stringify({ ok: r < 1e-6 && typeof AdgenError === "function" && numberTape !== undefined }));
`;

describe("adgen from either module system", () => {
  const cases = [
    { name: "esm-nodenext", type: "module", options: { module: "nodenext", moduleResolution: "nodenext" }, file: "main.ts", out: "main.js", code: use },
    { name: "esm-bundler", type: "module", options: { module: "esnext", moduleResolution: "bundler" }, file: "main.ts", out: "main.js", code: use },
    {
      name: "cjs-nodenext",
      type: "commonjs",
      options: { module: "nodenext", moduleResolution: "nodenext" },
      file: "main.ts",
      out: "main.js",
      code: use.replace('import { AdgenError, checkGrad, numberTape } from "adgen";', 'import adgen = require("adgen");\nconst { AdgenError, checkGrad, numberTape } = adgen;'),
    },
  ];
  it.each(cases)("$name: type-checks and runs", ({ name, type, options, file, out, code }) => {
    const dir = workspace(`module-${name}`, undefined, {
      "package.json": JSON.stringify({ private: true, type }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", strict: true, types: [], outDir: "js", ...options }, files: [file] }),
      [file]: code,
    });
    const compiled = node([bin("typescript", "tsc"), "-p", "tsconfig.json", "--pretty", "false"], dir);
    expect(compiled.status, output(compiled)).toBe(0);
    const ran = node([path.join("js", out)], dir);
    expect(ran.stdout.trim(), output(ran)).toBe('{"ok":true}');
  });
});

describe("a production install", () => {
  it("runs a built app with the runtime alone", () => {
    // built in development: adgen build, then tsc to JavaScript
    const dev = workspace("production-build", "app", {
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", strict: true, skipLibCheck: true, types: [], outDir: "js", rootDir: "gen" }, include: ["gen"] }),
    });
    const built = node([bin("adgen"), "build", "src", "--out-dir", "gen"], dev);
    expect(built.status, output(built)).toBe(0);
    const compiled = node([bin("typescript", "tsc"), "-p", "tsconfig.json", "--pretty", "false"], dev);
    expect(compiled.status, output(compiled)).toBe(0);

    // deployed: the JavaScript and a manifest with adgen as its one dependency, installed --omit=dev
    const app = path.join(path.dirname(project), "production-app");
    fs.rmSync(app, { recursive: true, force: true });
    fs.cpSync(path.join(dev, "js"), path.join(app, "js"), { recursive: true });
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ private: true, type: "module", dependencies: { adgen: `file:${tarball}` }, devDependencies: { "ts-morph": "^28.0.0", prettier: "^3.10.1", typescript: "~6.0.2" } }),
    );
    const installed = spawnSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund"], { cwd: app, encoding: "utf8" });
    expect(installed.status, output(installed)).toBe(0);
    expect(fs.readdirSync(path.join(app, "node_modules")).filter((name) => !name.startsWith("."))).toEqual(["adgen"]);
    expectGradientsCheck(node(["js/main.js"], app));

    // and the compiler, absent here, says so and what to install
    const cli = node([path.join(app, "node_modules", "adgen", "dist", "cli.js"), "build", "js", "--out-dir", "out"], app);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("error ADG4008: adgen's compiler needs ts-morph, prettier, magic-string");
    expect(cli.stderr).toContain("npm install --save-dev ts-morph prettier magic-string @jridgewell/gen-mapping @jridgewell/remapping");
  });
});
