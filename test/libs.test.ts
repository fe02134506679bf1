/**
 * Builds without the DOM's libraries (compiler/libs.ts): taken only where they change
 * nothing. The names read from the libraries' text are exactly those their syntax trees
 * declare; a program that could meet the DOM (naming one of its globals, `globalThis`,
 * `import.meta`, a script's `this`, a TypeScript error) gets the DOM back; and on every
 * fixture, a lean build compiles to the same text and the same diagnostics as a full one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ts } from "ts-morph";
import { afterAll, describe, expect, it } from "vitest";
import { IncrementalCompiler } from "../compiler/incremental";
import { declaredNames, leanLibraries, loadProjectLean } from "../compiler/libs";
import { compile } from "../compiler/pipeline";
import { defaultCompilerOptions, projectFromTexts } from "../compiler/project";
import { fixtureSources, tempProject } from "./fixtures";
import { repoRoot } from "./harness";

const libFiles: { fileName: string; text: string }[] = require(
  require.resolve("@ts-morph/common", { paths: [path.dirname(require.resolve("ts-morph"))] }),
).getLibFiles();

describe("the names read from each library include every top-level one", () => {
  it.each(libFiles.filter((file) => file.text !== "").map((file) => [file.fileName, file.text]))("%s", (fileName, text) => {
    const tree = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest);
    const namesIn = (statements: readonly ts.Statement[]): string[] =>
      statements.flatMap((statement) => {
        if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((declaration) => declaration.name.getText(tree));
        if (ts.isModuleDeclaration(statement) && statement.flags & ts.NodeFlags.GlobalAugmentation) {
          return statement.body && ts.isModuleBlock(statement.body) ? namesIn(statement.body.statements) : [];
        }
        const name = (statement as { name?: ts.Node }).name;
        return name && ts.isIdentifier(name) ? [name.text] : [];
      });
    const declared = namesIn(tree.statements);
    const found = declaredNames(text);
    expect(declared.filter((name) => !found.has(name))).toEqual([]);
  });
});

describe("the libraries tried first", () => {
  it("are the default ones without the DOM's", () => {
    const lean = leanLibraries(defaultCompilerOptions)!;
    expect(lean.lib).toEqual(["lib.es2022.d.ts", "lib.scripthost.d.ts"]);
    for (const name of ["document", "window", "console", "HTMLElement", "importScripts", "globalThis"]) expect(lean.domNames).toContain(name);
    expect(lean.domNames).not.toContain("Float64Array");
  });

  it("are the project's own when it sets lib or noLib", () => {
    expect(leanLibraries({ ...defaultCompilerOptions, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"] })).toBeUndefined();
    expect(leanLibraries({ ...defaultCompilerOptions, noLib: true })).toBeUndefined();
  });
});

const header = `import { grad } from "adgen";\n/** @differentiable */\nexport function f(x: number): number { return x * x; }\nexport const g = grad(f);\n`;

/** Whether the build of one file (after `header`) keeps the DOM out. */
function keepsDomOut(text: string): boolean {
  const file = path.join(repoRoot, "fixtures", "virtual", "lean.ts");
  return loadProjectLean(new Map([[file, text]])).getCompilerOptions().lib !== undefined;
}

describe("a build", () => {
  it.each([
    ["plain numeric code", `${header}export const n = new Float64Array(3).length;`],
    ["a local that shadows a DOM global", `${header}export function h(length: number, name: string) { return name.repeat(length); }`],
    ["a DOM name as a member name", `${header}export const o = { name: 1, status: 2 }; export const k = o.name;`],
  ])("without the DOM: %s", (_, text) => expect(keepsDomOut(text)).toBe(true));

  it.each([
    ["a DOM global", `${header}export const e = document.title;`],
    ["console, which the DOM declares", `${header}console.log(1);`],
    ["a DOM type", `${header}export type E = HTMLElement;`],
    ["globalThis", `${header}export const k: (keyof typeof globalThis)[] = [];`],
    ["import.meta", `${header}export const u = import.meta;`],
    ["a script's global that the DOM also declares", `const name = 1;\nconst x = name;`],
    ["a script's top-level this", `const self2 = this;`],
    ["a shorthand property naming a DOM global", `${header}export const o = { length };`],
    ["a TypeScript error", `${header}export const n: number = "one";`],
  ])("with the DOM: %s", (_, text) => expect(keepsDomOut(text)).toBe(false));
});

/** Compiles `texts` (absolute path → text) both ways: the outputs and diagnostics, and whether the lean one kept the DOM out. */
function bothWays(texts: Map<string, string>) {
  const lean = loadProjectLean(texts);
  const full = projectFromTexts(texts);
  const outcome = (project: typeof lean) => {
    const result = compile(project, [...texts.keys()].map((file) => project.getSourceFileOrThrow(file)));
    return { diagnostics: result.diagnostics, files: result.files.map((file) => [file.path, file.userText, file.generatedText]) };
  };
  return { lean: outcome(lean), full: outcome(full), domOut: lean.getCompilerOptions().lib !== undefined };
}

describe("a build without the DOM compiles exactly as one with it", () => {
  it("on every fixture function", () => {
    const base = path.join(repoRoot, "fixtures", "functions");
    const texts = new Map(Object.entries(fixtureSources()).map(([relative, text]) => [path.join(base, relative), text]));
    const { lean, full, domOut } = bothWays(texts);
    expect(domOut).toBe(true);
    expect(lean.diagnostics).toEqual([]);
    expect(lean).toEqual(full);
  });

  const errorsDir = path.join(repoRoot, "fixtures", "errors");
  it.each(fs.readdirSync(errorsDir).filter((name) => name.endsWith(".ts")))("on %s", (name) => {
    const file = path.join(errorsDir, name);
    const { lean, full } = bothWays(new Map([[file, fs.readFileSync(file, "utf8")]]));
    expect(lean.diagnostics.length).toBeGreaterThan(0);
    expect(lean).toEqual(full);
  });
});

describe("the incremental compiler", () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("brings the DOM back when a module starts to name it", async () => {
    const dir = tempProject("adgen-libs-", { "src/main.ts": header });
    temps.push(dir);
    const main = path.join(dir, "src/main.ts");
    const compiler = new IncrementalCompiler({ root: dir });
    const libOf = () => (compiler as unknown as { project: { getCompilerOptions(): ts.CompilerOptions } }).project.getCompilerOptions().lib;
    compiler.update(main, header);
    expect((await compiler.module(main)).kind).toBe("compiled");
    expect(libOf()).toEqual(["lib.es2022.d.ts", "lib.scripthost.d.ts"]);

    const withDom = `${header}export const title = (): string => document.title;\n`;
    compiler.update(main, withDom);
    // without the DOM, `document` would be an error
    expect((await compiler.module(main)).kind).toBe("compiled");
    expect(libOf()).toBeUndefined();
  });
});
