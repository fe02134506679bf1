/**
 * Every code example of the README builds and runs, as written.
 *
 * The README's convention: a `ts`, `js` or `jsonc` block is a whole file, named on its
 * first line (`// src/model.ts`); anything else is shown as `text` or `sh`. The files of
 * the opening and of "Getting started" make a base project; each integration under
 * "Getting started" adds its own files and its `sh` commands (install lines aside: the
 * tools are installed), which run in a copy of the base, and what the program prints must
 * show the gradient checked against finite differences. The files of the other sections
 * join the base project and are run through adgen's loader.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { bin, node, output, repoRoot, workspace } from "./helpers";

interface Block {
  /** the `##` and `###` headings it sits under */
  section: string;
  subsection?: string;
  lang: string;
  text: string;
}

function readmeBlocks(): Block[] {
  const blocks: Block[] = [];
  let section = "";
  let subsection: string | undefined;
  const lines = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("## ")) [section, subsection] = [line.slice(3), undefined];
    else if (line.startsWith("### ")) subsection = line.slice(4);
    const fence = /^```(\w*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf("```", i + 1);
    blocks.push({ section, subsection, lang: fence[1]!, text: `${lines.slice(i + 1, end).join("\n")}\n` });
    i = end;
  }
  return blocks;
}

const blocks = readmeBlocks();
const isFile = (block: Block) => ["ts", "js", "jsonc"].includes(block.lang);
const fileName = (block: Block) => /^\/\/ (\S+)$/.exec(block.text.split("\n")[0]!)?.[1];
const files = (list: Block[]) => Object.fromEntries(list.filter(isFile).map((block) => [fileName(block)!, block.text]));

const gettingStarted = "Getting started";
const base = files(blocks.filter((b) => b.section === "" || (b.section === gettingStarted && !b.subsection)));
const integrations = [...new Set(blocks.filter((b) => b.section === gettingStarted && b.subsection).map((b) => b.subsection!))];

/** A README command line, run with the installed tools; `npx x` is x's own bin. */
function runCommand(command: string, dir: string) {
  const [program, ...args] = command.trim().split(/\s+/);
  if (program === "node") return node(args, dir);
  const tool = args.shift()!;
  expect(program, command).toBe("npx");
  const bins: Record<string, [string, string]> = {
    vite: ["vite", "vite"],
    rollup: ["rollup", "rollup"],
    webpack: ["webpack", "webpack"],
    tspc: ["ts-patch", "tspc"],
    adgen: ["adgen", "adgen"],
  };
  const [pkg, name] = bins[tool] ?? [tool, tool];
  return node([bin(pkg, name), ...args], dir);
}

/** The commands of a section's `sh` blocks, without install lines and comments. */
function commands(list: Block[]): string[] {
  return list
    .filter((block) => block.lang === "sh")
    .flatMap((block) => block.text.split("\n"))
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("npm install"))
    .flatMap((line) => line.split("&&"));
}

/** What src/main.ts prints: its gradient, then the check against finite differences. */
function expectCheckedGradient(stdout: string): void {
  const check = /vs finite differences (\S+)/.exec(stdout);
  expect(check, stdout).not.toBeNull();
  expect(Number(check![1])).toBeLessThan(1e-6);
}

describe("README", () => {
  it("names the file of every code example", () => {
    for (const block of blocks.filter(isFile)) expect(fileName(block), block.text).toBeDefined();
    expect(Object.keys(base).sort()).toEqual(["src/main.ts", "src/model.ts", "tsconfig.json"]);
    expect(integrations).toEqual(["Vite", "esbuild", "Rollup", "webpack", "Node, without a build step", "tsc, with ts-patch", "The adgen CLI"]);
  });

  it.each(integrations)("%s: the setup shown builds and runs the opening example", (integration) => {
    const own = blocks.filter((b) => b.section === gettingStarted && b.subsection === integration);
    const extra: Record<string, string> = integration === "Vite" ? { "index.html": '<script type="module" src="/src/main.ts"></script>\n' } : {};
    const dir = workspace(`readme-${integration.replace(/\W+/g, "-").toLowerCase()}`, undefined, { ...base, ...files(own), ...extra });
    let last = node(["--version"], dir);
    for (const command of commands(own).filter((c) => c !== "npx vite")) {
      last = runCommand(command, dir);
      expect(last.status, `${command}\n${output(last)}`).toBe(0);
    }
    if (integration === "Vite") {
      // a web app's page, which the README takes as given; its script runs in Node, given
      // the one thing of a browser's it asks for (whether modulepreload is supported)
      const asset = fs.readdirSync(path.join(dir, "dist", "assets")).find((name) => name.endsWith(".js"))!;
      const browser = "data:text/javascript,globalThis.document={createElement:()=>({relList:{supports:()=>true}})}";
      last = node(["--import", browser, path.join("dist", "assets", asset)], dir);
    }
    if (integration === "The adgen CLI") {
      expect(fs.readdirSync(path.join(dir, "gen")).sort()).toEqual([".adgen-manifest.json", "main.ts", "main.ts.map", "model.ts", "model.ts.map"]);
      const compiled = node([bin("typescript", "tsc"), "gen/main.ts", "gen/model.ts", "--ignoreConfig", "--outDir", "js", "--module", "nodenext", "--target", "es2022", "--skipLibCheck"], dir);
      expect(compiled.status, output(compiled)).toBe(0);
      last = node(["js/main.js"], dir);
    }
    expectCheckedGradient(last.stdout);
  });

  it("the other sections' examples compile and run", () => {
    const others = files(blocks.filter((b) => b.section !== "" && b.section !== gettingStarted));
    expect(Object.keys(others).length).toBeGreaterThan(0);
    const dir = workspace("readme-examples", undefined, { ...base, ...others });
    for (const file of Object.keys(others)) {
      const ran = node(["--import", "adgen/register", file], dir);
      expect(ran.status, `${file}\n${output(ran)}`).toBe(0);
    }
  });
});
