/**
 * `adgen/esbuild`, `adgen/rollup` and `adgen/webpack` in the real tools, each configured as
 * its documentation shows: the bundled program checks its own gradients, and a bad
 * transform call fails the build with adgen's error, its code and position.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bin, bundlerTsconfig, expectAdgError, expectGradientsCheck, node, output, workspace } from "./helpers";

const esbuildScript = `import * as esbuild from "esbuild";
import adgen from "adgen/esbuild";

try {
  await esbuild.build({
    entryPoints: ["src/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: "dist/main.js",
    sourcemap: true,
    logLevel: "silent",
    plugins: [adgen()],
  });
} catch (error) {
  for (const e of error.errors) console.error(e.text, JSON.stringify(e.location));
  process.exit(1);
}
`;

const rollupConfig = `import esbuild from "rollup-plugin-esbuild";
import adgen from "adgen/rollup";

export default {
  input: "src/main.ts",
  output: { file: "dist/main.js", format: "es", sourcemap: true },
  external: ["adgen"],
  plugins: [adgen(), esbuild()],
};
`;

const webpackConfig = `const path = require("node:path");
const adgen = require("adgen/webpack");

module.exports = {
  mode: "production",
  target: "node",
  entry: "./src/main.ts",
  devtool: "source-map",
  output: { path: path.resolve(__dirname, "dist"), filename: "main.cjs" },
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: { rules: [{ test: /\\.ts$/, loader: "ts-loader", options: { transpileOnly: true } }] },
  optimization: { minimize: false },
  plugins: [adgen()],
};
`;

const tools: { name: string; files: Record<string, string>; build: () => string[]; program: string }[] = [
  { name: "esbuild", files: { "build.mjs": esbuildScript }, build: () => ["build.mjs"], program: "dist/main.js" },
  { name: "rollup", files: { "rollup.config.mjs": rollupConfig }, build: () => [bin("rollup"), "-c"], program: "dist/main.js" },
  { name: "webpack", files: { "webpack.config.cjs": webpackConfig }, build: () => [bin("webpack-cli", "webpack-cli"), "--config", "webpack.config.cjs"], program: "dist/main.cjs" },
];

describe.each(tools)("adgen/$name", ({ name, files, build, program }) => {
  it("bundles a program whose gradients check", () => {
    const dir = workspace(`${name}-app`, "app", { ...files, "tsconfig.json": bundlerTsconfig });
    const built = node(build(), dir);
    expect(built.status, output(built)).toBe(0);
    expect(fs.readFileSync(path.join(dir, program), "utf8")).toMatch(/loss_grad/);
    expectGradientsCheck(node([program], dir));
  });

  it("fails the build with adgen's error, its code and position", () => {
    const dir = workspace(`${name}-error`, "app-error", { ...files, "tsconfig.json": bundlerTsconfig });
    const built = node(build(), dir);
    expect(built.status, output(built)).not.toBe(0);
    expectAdgError(output(built), dir);
  });
});
