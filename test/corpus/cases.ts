/**
 * The corpus: bad, odd and large inputs to `adgen build`, each with its expected outcome.
 *
 * A case is a small project (files under a temporary directory, `src/` by default, with a
 * previous adgen build in `out/`), the build's arguments, and either the exact diagnostics
 * the build must print (`path:line:col ADG<code>`, `path ADG<code>` or `ADG<code>` for one
 * without a position or a path, in order) or that it builds: then its
 * output type-checks under `strict`, and every `checks` array a built file exports
 * (`{ f, gradient, args, wrt? }`) holds gradients that agree with finite differences.
 * Links, FIFOs and file modes are made when the case runs, never committed; large inputs
 * come from ./large.ts. test/corpus.test.ts runs it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { deepRecursion, longLine, longSum, manyFunctions, nestedIfs, plainLines } from "./large";

export interface CorpusCase {
  name: string;
  /** what the input is, and why it belongs here */
  about: string;
  files: Record<string, string | Buffer>;
  /** after `adgen build`; default `src --out-dir out` */
  args?: string[];
  /** links and FIFOs, made after the files are written and before the snapshot */
  setup?: (dir: string) => void;
  /** file modes set just for the build (after the snapshot), run as a user root's override does not apply to */
  modes?: Record<string, number>;
  /** no previous adgen build in `out/` (one is there by default, and must survive a failure) */
  fresh?: boolean;
  expect: { errors: string[] } | { builds: { checks: number } };
}

const cube = ["/** @differentiable */", "export function cube(x: number): number {", "  return x * x * x;", "}"].join("\n");
const plain = "export const answer: number = 42;\n";
const lines = (...text: string[]) => text.join("\n") + "\n";
const link = (target: string, at: string) => (dir: string) => fs.symlinkSync(target, path.join(dir, at));

/** A module whose `cube` gradient is built with `call` (e.g. `grad(cube)`) from the imports given. */
const withCube = (imports: string, call: string) =>
  lines(imports, "", cube, "", `export const dCube = ${call};`, "export const checks = [{ f: cube, gradient: dCube, args: [1.3] }];");

/** A function not marked differentiable: `grad(n)` is ADG2002 at `n`. */
const notMarked = "export function n(x: number): number { return x; }";

const lib = lines("/** @differentiable */", "export function sq(x: number): number {", "  return 3 * x * x;", "}", "export const offset = 1;");

const outDirCases: CorpusCase[] = [
  {
    name: "out-dir-inside-input",
    about: "the issue's data loss: --out-dir src/lib, where src/lib/helper.ts is an input",
    files: { "src/a.ts": lines('import { h } from "./lib/helper";', "export const x = h;"), "src/lib/helper.ts": "export const h = 1;\n" },
    args: ["src", "--out-dir", "src/lib"],
    expect: { errors: ["src/lib ADG4003"] },
  },
  {
    name: "out-dir-new-inside-input",
    about: "--out-dir src/out: a new directory inside an input directory",
    files: { "src/a.ts": plain },
    args: ["src", "--out-dir", "src/out"],
    expect: { errors: ["src/out ADG4003"] },
  },
  {
    name: "out-dir-is-input",
    about: "--out-dir names the input directory itself",
    files: { "src/a.ts": plain },
    args: ["src", "--out-dir", "src"],
    expect: { errors: ["src ADG4003"] },
  },
  {
    name: "out-dir-contains-input-file",
    about: "a file input inside the out dir",
    files: { "src/a.ts": plain },
    args: ["src/a.ts", "--out-dir", "src"],
    expect: { errors: ["src ADG4003"] },
  },
  {
    name: "out-dir-dot",
    about: "--out-dir . : never a diagnostic with an empty path",
    files: { "src/a.ts": plain },
    args: ["src", "--out-dir", "."],
    expect: { errors: [". ADG4003"] },
  },
  {
    name: "out-dir-link-to-input",
    about: "--out-dir is a symbolic link to the input directory",
    files: { "src/a.ts": plain },
    setup: link("src", "link"),
    args: ["src", "--out-dir", "link"],
    expect: { errors: ["src ADG4003"] },
  },
  {
    name: "input-links-into-out-dir",
    about: "a link inside the input leads into the out dir, whose files would be inputs",
    files: { "src/a.ts": plain },
    setup: link("../out", "src/gen"),
    expect: { errors: ["out ADG4003"] },
  },
  {
    name: "out-dir-foreign-files",
    about: "the out dir holds files adgen did not write",
    files: { "src/a.ts": plain, "out/notes.md": "# mine\n", "out/data/x.json": "{}\n" },
    fresh: true,
    expect: { errors: ["out ADG4004"] },
  },
  {
    name: "out-dir-foreign-files-emptied",
    about: "the same, with --empty-out-dir: they are replaced",
    files: { "src/a.ts": plain, "out/notes.md": "# mine\n" },
    fresh: true,
    args: ["src", "--out-dir", "out", "--empty-out-dir"],
    expect: { builds: { checks: 0 } },
  },
  {
    name: "out-dir-foreign-link",
    about: "a symbolic link in the out dir is never adgen's",
    files: { "src/a.ts": plain },
    setup: link("../src/a.ts", "out/a-link.ts"),
    expect: { errors: ["out ADG4004"] },
  },
  {
    name: "out-dir-edited-output",
    about: "a file adgen wrote, edited since",
    files: { "src/a.ts": plain },
    setup: (dir) => fs.appendFileSync(path.join(dir, "out/marker.txt"), "edited\n"),
    expect: { errors: ["out ADG4004"] },
  },
  {
    name: "out-dir-bad-manifest",
    about: "a manifest that is not JSON proves nothing",
    files: { "src/a.ts": plain },
    setup: (dir) => fs.writeFileSync(path.join(dir, "out/.adgen-manifest.json"), "{ not json"),
    expect: { errors: ["out ADG4004"] },
  },
  {
    name: "out-dir-empty",
    about: "an existing empty out dir holds nothing to lose",
    files: { "src/a.ts": plain },
    fresh: true,
    setup: (dir) => fs.mkdirSync(path.join(dir, "out")),
    expect: { builds: { checks: 0 } },
  },
  {
    name: "out-dir-is-file",
    about: "--out-dir names a file",
    files: { "src/a.ts": plain, "out.txt": "a file\n" },
    args: ["src", "--out-dir", "out.txt"],
    expect: { errors: ["out.txt ADG4001"] },
  },
  {
    name: "out-dir-deep-new",
    about: "an out dir whose parents do not exist yet",
    files: { "src/a.ts": plain },
    args: ["src", "--out-dir", "build/x/y/out"],
    expect: { builds: { checks: 0 } },
  },
  {
    name: "out-dir-link-elsewhere",
    about: "--out-dir is a link to a previous build elsewhere: the real directory is replaced, the link kept",
    files: { "src/a.ts": plain },
    setup: (dir) => {
      fs.renameSync(path.join(dir, "out"), path.join(dir, "real-out"));
      fs.symlinkSync("real-out", path.join(dir, "out"));
    },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "out-dir-read-only",
    about: "a read-only out dir: refused, the previous output as it was",
    files: { "src/a.ts": plain },
    modes: { out: 0o555 },
    expect: { errors: ["out ADG4006"] },
  },
  {
    name: "out-dir-read-only-subdirectory",
    about: "a read-only directory inside the previous output, which would be deleted",
    files: { "src/a.ts": plain },
    setup: (dir) => fs.mkdirSync(path.join(dir, "out/locked")),
    modes: { "out/locked": 0o555 },
    expect: { errors: ["out/locked ADG4006"] },
  },
  {
    name: "out-dir-parent-read-only",
    about: "the out dir's parent is read-only, so nothing can be swapped in beside it",
    files: { "src/a.ts": plain },
    fresh: true,
    setup: (dir) => fs.mkdirSync(path.join(dir, "locked/out"), { recursive: true }),
    modes: { locked: 0o555 },
    args: ["src", "--out-dir", "locked/out"],
    expect: { errors: ["locked ADG4006"] },
  },
  {
    name: "out-dir-under-read-only",
    about: "an out dir to be made under a read-only directory",
    files: { "src/a.ts": plain },
    fresh: true,
    setup: (dir) => fs.mkdirSync(path.join(dir, "locked")),
    modes: { locked: 0o555 },
    args: ["src", "--out-dir", "locked/new/out"],
    expect: { errors: ["locked ADG4006"] },
  },
];

const fileSystemCases: CorpusCase[] = [
  {
    name: "missing-input",
    about: "an input that does not exist",
    files: { "src/a.ts": plain },
    args: ["src", "missing.ts", "--out-dir", "out"],
    expect: { errors: ["missing.ts ADG4002"] },
  },
  {
    name: "unreadable-file",
    about: "an input file that cannot be read",
    files: { "src/a.ts": plain, "src/secret.ts": plain },
    modes: { "src/secret.ts": 0o000 },
    expect: { errors: ["src/secret.ts ADG4005"] },
  },
  {
    name: "unreadable-directory",
    about: "an input directory that cannot be listed",
    files: { "src/a.ts": plain },
    modes: { src: 0o000 },
    expect: { errors: ["src ADG4005"] },
  },
  {
    name: "unreadable-subdirectory",
    about: "a directory inside the input that cannot be listed",
    files: { "src/a.ts": plain, "src/private/b.ts": plain },
    modes: { "src/private": 0o000 },
    expect: { errors: ["src/private ADG4005"] },
  },
  {
    name: "symlink-loop-self",
    about: "a .ts link to itself",
    files: { "src/a.ts": plain },
    setup: link("loop.ts", "src/loop.ts"),
    expect: { errors: ["src/loop.ts ADG4005"] },
  },
  {
    name: "symlink-loop-pair",
    about: "two links to each other, one given by name",
    files: { "src/a.ts": plain },
    setup: (dir) => {
      link("b.ts", "src/a2.ts")(dir);
      link("a2.ts", "src/b.ts")(dir);
    },
    args: ["src/a2.ts", "--out-dir", "out"],
    expect: { errors: ["src/a2.ts ADG4005"] },
  },
  {
    name: "symlink-loop-directory",
    about: "a directory link back to its ancestor",
    files: { "src/a.ts": plain, "src/d/b.ts": plain },
    setup: link("..", "src/d/up"),
    expect: { errors: ["src/d/up ADG4005"] },
  },
  {
    name: "symlink-dangling",
    about: "a dangling link named like a source (an editor's lock file) is not an input, as for tsc",
    files: { "src/a.ts": plain },
    setup: link("someone@host.1234", "src/.#a.ts"),
    expect: { builds: { checks: 0 } },
  },
  {
    name: "symlink-directory-followed",
    about: "a linked directory is walked like a real one",
    files: { "src/a.ts": plain, "shared/s.ts": plain },
    setup: link("../shared", "src/shared"),
    expect: { builds: { checks: 0 } },
  },
  {
    name: "fifo-in-input",
    about: "a FIFO named like a source inside an input directory is skipped, never read",
    files: { "src/a.ts": plain },
    setup: (dir) => execFileSync("mkfifo", [path.join(dir, "src/pipe.ts")]),
    expect: { builds: { checks: 0 } },
  },
  {
    name: "fifo-given",
    about: "a FIFO given by name is refused, never read (it would hang)",
    files: { "src/a.ts": plain },
    setup: (dir) => execFileSync("mkfifo", [path.join(dir, "src/pipe.ts")]),
    args: ["src/pipe.ts", "--out-dir", "out"],
    expect: { errors: ["src/pipe.ts ADG4001"] },
  },
  {
    name: "directory-named-ts",
    about: "a directory whose name ends in .ts is a directory",
    files: { "src/a.ts": plain, "src/odd.ts/b.ts": plain },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "not-typescript",
    about: "a non-TypeScript file given by name",
    files: { "src/a.ts": plain, "notes.md": "# notes\n" },
    args: ["src", "notes.md", "--out-dir", "out"],
    expect: { errors: ["notes.md ADG4001"] },
  },
  {
    name: "declarations-only",
    about: "a directory with only declaration files",
    files: { "src/types.d.ts": "export type T = number;\n" },
    expect: { errors: ["ADG4002"] },
  },
  {
    name: "clashing-inputs",
    about: "two inputs that would land on the same output path",
    files: { "a/x.ts": plain, "b/x.ts": plain },
    args: ["a", "b", "--out-dir", "out"],
    expect: { errors: ["ADG4001"] },
  },
  {
    name: "tsconfig-missing",
    about: "-p names no file",
    files: { "src/a.ts": plain },
    args: ["src", "--out-dir", "out", "-p", "nope/tsconfig.json"],
    expect: { errors: ["nope/tsconfig.json ADG4002"] },
  },
  {
    name: "tsconfig-broken",
    about: "a tsconfig that does not parse",
    files: { "src/a.ts": plain, "tsconfig.json": '{\n  "compilerOptions": { "strict": tru\n' },
    args: ["src", "--out-dir", "out", "-p", "."],
    expect: { errors: ["tsconfig.json:3:1 ADG4001"] },
  },
  {
    name: "node-modules-skipped",
    about: "node_modules inside an input directory is not an input",
    files: { "src/a.ts": plain, "src/node_modules/dep/index.ts": "export const broken: number = 'x';\n" },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "unicode-paths",
    about: "file and directory names with spaces and non-ASCII letters",
    files: { "src/ünïcødé dir/名前.ts": plain, "src/with space.ts": withCube('import { grad } from "adgen";', "grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
];

const latin1 = Buffer.from(withCube('import { grad } from "adgen";', "grad(cube)") + 'export const name = "café";\n', "latin1");

const textCases: CorpusCase[] = [
  {
    name: "latin1-rewritten",
    about: 'the issue\'s Latin-1 "café" in a file adgen rewrites: refused at the byte',
    files: { "src/a.ts": latin1 },
    expect: { errors: ["src/a.ts:10:25 ADG4007"] },
  },
  {
    name: "latin1-copied",
    about: "the same bytes in a file adgen only copies: kept byte for byte",
    files: { "src/a.ts": Buffer.from('export const name = "café";\n', "latin1") },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "utf8-bom-rewritten",
    about: "a byte-order mark survives the rewrite",
    files: { "src/a.ts": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withCube('import { grad } from "adgen";', "grad(cube)"))]) },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "utf16le-rewritten",
    about: "UTF-16 (little-endian, with its mark), as TypeScript reads it, rewritten in UTF-16",
    files: { "src/a.ts": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withCube('import { grad } from "adgen";', "grad(cube)") + 'export const s = "é😀";\n', "utf16le")]) },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "crlf-rewritten",
    about: "CRLF line endings kept, generated code included",
    files: { "src/a.ts": withCube('import { grad } from "adgen";', "grad(cube)").replace(/\n/g, "\r\n") },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "cr-only-rewritten",
    about: "classic-Mac CR-only line endings kept, generated code included",
    files: { "src/a.ts": withCube('import { grad } from "adgen";', "grad(cube)").replace(/\n/g, "\r") },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "cr-only-error-position",
    about: "a diagnostic in a CR-only file is at its true line, not line 1",
    files: { "src/a.ts": lines('import { grad } from "adgen";', "", notMarked, "export const g = grad(n);").replace(/\n/g, "\r") },
    expect: { errors: ["src/a.ts:4:23 ADG2002"] },
  },
  {
    name: "mixed-line-endings",
    about: "LF, CRLF and CR in one file: positions as tsc counts lines",
    files: { "src/a.ts": `import { grad } from "adgen";\r\n\r${notMarked}\nexport const g = grad(n);\n` },
    expect: { errors: ["src/a.ts:4:23 ADG2002"] },
  },
  {
    name: "astral-characters-before-error",
    about: "emoji before the error on its line: columns in UTF-16 units, as tsc counts them",
    files: { "src/a.ts": lines('import { grad } from "adgen";', notMarked, 'export const s = "😀😀"; export const g = grad(n);') },
    expect: { errors: ["src/a.ts:3:48 ADG2002"] },
  },
  {
    name: "unicode-identifiers",
    about: "non-ASCII names in differentiable code",
    files: {
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        "/** @differentiable */",
        "export function σ(θ: number): number {",
        "  const café = θ * 2;",
        "  return Math.tanh(café);",
        "}",
        "export const dσ = grad(σ);",
        "export const checks = [{ f: σ, gradient: dσ, args: [0.4] }];",
      ),
    },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "shebang-runtime-import",
    about: "a #! file whose generated code needs the runtime: the import goes after the #! line",
    files: {
      "src/lib.ts": lines(
        "#!/usr/bin/env node",
        "/** @differentiable */",
        "export function total(xs: number[]): number {",
        "  let s = 0;",
        "  for (let i = 0; i < xs.length; i++) s = Math.sin(s) + xs[i] * xs[i];",
        "  return s;",
        "}",
      ),
      "src/main.ts": lines(
        'import { grad } from "adgen";',
        'import { total } from "./lib";',
        "/** @differentiable */",
        "export function use(xs: number[]): number {",
        "  return total(xs) * 2;",
        "}",
        "export const dUse = grad(use);",
        "export const checks = [{ f: use, gradient: dUse, args: [[0.5, -1.5, 2]] }];",
      ),
    },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "use-strict-first",
    about: 'a "use strict" prologue before the imports',
    files: { "src/a.ts": '"use strict";\n' + withCube('import { grad } from "adgen";', "grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
  { name: "empty-file", about: "a file of zero bytes", files: { "src/empty.ts": "" }, expect: { builds: { checks: 0 } } },
  {
    name: "comments-only",
    about: "a file of comments, one mentioning grad(f) and @differentiable",
    files: { "src/c.ts": lines("// grad(f) is how you would call it", "/** @differentiable {@link grad} */", "/* nothing here */") },
    expect: { builds: { checks: 0 } },
  },
  { name: "syntax-error", about: "TypeScript syntax error", files: { "src/a.ts": lines("export function f(x: number) {", "  return x +;", "}") }, expect: { errors: ["src/a.ts:2:13 ADG1002"] } },
  { name: "type-error", about: "TypeScript type error", files: { "src/a.ts": lines("export const n: number = 'x';") }, expect: { errors: ["src/a.ts:1:14 ADG3003"] } },
  {
    name: "ambient-declarations",
    about: "namespaces, enums, declare module and overloads in a plain file",
    files: {
      "src/a.ts": lines(
        "export namespace Geo { export const r = 2; }",
        "export enum Mode { Fast, Slow }",
        "declare global { interface Window { adgen?: unknown } }",
        "export function over(x: number): number;",
        "export function over(x: string): string;",
        "export function over(x: unknown) { return x; }",
      ),
    },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "decorators-and-classes",
    about: "a class with a differentiable static method, called through grad(Class.method)",
    files: {
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        "export class Model {",
        "  /** @differentiable */",
        "  static energy(x: number): number {",
        "    return Math.exp(x) - x;",
        "  }",
        "}",
        "export const dEnergy = grad(Model.energy);",
        "export const checks = [{ f: Model.energy, gradient: dEnergy, args: [0.25] }];",
      ),
    },
    expect: { builds: { checks: 1 } },
  },
];

const referenceCases: CorpusCase[] = [
  {
    name: "namespace-import-plain",
    about: "the issue's ADG9001: import * as lib in a file that never uses adgen",
    files: { "src/lib.ts": lib, "src/a.ts": lines('import * as lib from "./lib";', "export const y = lib.sq(2) + lib.offset;") },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "namespace-adgen",
    about: "import * as ad from \"adgen\"; ad.grad(f)",
    files: { "src/a.ts": withCube('import * as ad from "adgen";', "ad.grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "import-equals-adgen",
    about: 'import ad = require("adgen"); ad.grad(f)',
    files: { "src/a.ts": withCube('import ad = require("adgen");', "ad.grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "renamed-import",
    about: "import { grad as derivative }",
    files: { "src/a.ts": withCube('import { grad as derivative } from "adgen";', "derivative(cube)") },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "namespace-transforms",
    about: "valueAndGrad and vjp through the namespace, and wrt",
    files: {
      "src/a.ts": lines(
        'import * as ad from "adgen";',
        "/** @differentiable */",
        "export function f(x: number, y: number): number {",
        "  return Math.sin(x) * y;",
        "}",
        "export const vg = ad.valueAndGrad(f, { wrt: 1 });",
        "export const pullback = ad.vjp(f);",
        "const gy = (x: number, y: number) => vg(x, y)[1];",
        "const gx = (x: number, y: number) => pullback(x, y)[1](1)[0];",
        "export const checks = [{ f, gradient: gy, args: [0.3, 2], wrt: 1 }, { f, gradient: gx, args: [0.3, 2] }];",
      ),
    },
    expect: { builds: { checks: 2 } },
  },
  {
    name: "namespace-jvp",
    about: "jvp through the namespace: not generated yet, a clean ADG1001",
    files: { "src/a.ts": withCube('import * as ad from "adgen";', "ad.jvp(cube)").replace("export const checks = [{ f: cube, gradient: dCube, args: [1.3] }];\n", "") },
    expect: { errors: ["src/a.ts:8:22 ADG1001"] },
  },
  {
    name: "namespace-decorator-and-rule",
    about: "@ad.differentiable and ad.defineDerivative through the namespace",
    files: {
      "src/a.ts": lines(
        'import * as ad from "adgen";',
        "export function softplus(x: number): number {",
        "  return Math.log1p(Math.exp(x));",
        "}",
        "ad.defineDerivative(softplus, {",
        "  reverse: ([x], _y, dy) => [dy / (1 + Math.exp(-x))],",
        "  forward: ([x], [dx]) => dx / (1 + Math.exp(-x)),",
        "});",
        "export class Layer {",
        "  constructor(public scale: number) {}",
        "  @ad.differentiable",
        "  apply(x: number): number {",
        "    return this.scale * softplus(x);",
        "  }",
        "}",
        "const layer = new Layer(3);",
        "export const dApply = ad.grad(layer.apply);",
        "export const checks = [{ f: (x: number) => layer.apply(x), gradient: dApply, args: [0.8] }];",
      ),
    },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "namespace-callee",
    about: "lib.sq(x) inside a differentiable function, lib a namespace import of a project file",
    files: {
      "src/lib.ts": lib,
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        'import * as lib from "./lib";',
        "/** @differentiable */",
        "export function f(x: number): number {",
        "  return lib.sq(x) + Math.sin(x) * lib.offset;",
        "}",
        "export const df = grad(f);",
        "export const checks = [{ f, gradient: df, args: [0.9] }];",
      ),
    },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "namespace-target",
    about: "grad(lib.sq), lib a namespace import of a project file",
    files: {
      "src/lib.ts": lib,
      "src/a.ts": lines('import { grad } from "adgen";', 'import * as lib from "./lib";', "export const dsq = grad(lib.sq);", "export const checks = [{ f: lib.sq, gradient: dsq, args: [0.9] }];"),
    },
    expect: { builds: { checks: 1 } },
  },
  {
    name: "import-equals-callee",
    about: 'lib.sq(x) inside a differentiable function, lib from import lib = require("./lib")',
    files: {
      "src/lib.ts": lib,
      "src/a.ts": lines(
        'import ad = require("adgen");',
        'import lib = require("./lib");',
        "/** @differentiable */",
        "export function f(x: number): number {",
        "  return lib.sq(x) * x;",
        "}",
        "export const df = ad.grad(f);",
        "export const dsq = ad.grad(lib.sq);",
        "export const checks = [{ f, gradient: df, args: [0.9] }, { f: lib.sq, gradient: dsq, args: [-0.4] }];",
      ),
    },
    expect: { builds: { checks: 2 } },
  },
  {
    name: "re-exported-transform",
    about: "grad re-exported by a project file, under its name and another, and through a namespace",
    files: {
      "src/tools.ts": lines('export { grad, grad as derive } from "adgen";'),
      "src/a.ts": lines(
        'import { grad, derive } from "./tools";',
        'import * as tools from "./tools";',
        cube,
        "export const d1 = grad(cube);",
        "export const d2 = derive(cube);",
        "export const d3 = tools.derive(cube);",
        "export const checks = [d1, d2, d3].map((gradient) => ({ f: cube, gradient, args: [0.7] }));",
      ),
    },
    expect: { builds: { checks: 3 } },
  },
  {
    name: "not-a-reference",
    about: "names that merely spell grad: a parameter, a property, a type query, a JSDoc link",
    files: {
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        "/** Uses {@link grad}. */",
        "export function scale(grad: number): number {",
        "  return grad * 2;",
        "}",
        "export const o = { grad: 1, vjp: (x: number) => x };",
        "export const p = o.grad + o.vjp(2);",
        "export type G = typeof grad;",
      ),
    },
    expect: { builds: { checks: 0 } },
  },
  ...(
    [
      ["grad-as-any", "(grad as any)(f)", 'import { grad } from "adgen";', "export const d = (grad as any)(cube);", "8:19"],
      ["grad-aliased", "const G = grad; G(f)", 'import { grad } from "adgen";', "const G = grad;\nexport const d = G(cube);", "8:11"],
      ["grad-parenthesized", "(grad)(f)", 'import { grad } from "adgen";', "export const d = (grad)(cube);", "8:19"],
      ["grad-shorthand", "{ grad } puts the transform in an object", 'import { grad } from "adgen";', "export const tools = { grad };", "8:24"],
      ["grad-in-array", "grad put in an array and called from it", 'import { grad } from "adgen";', "export const d = [grad][0](cube);", "8:19"],
      ["namespace-member-taken", "const h = ad.grad", 'import * as ad from "adgen";', "const h = ad.grad;\nexport const d = h(cube);", "8:11"],
      ["namespace-element-access", 'ad["grad"](f)', 'import * as ad from "adgen";', 'export const d = ad["grad"](cube);', "8:18"],
      ["namespace-passed", "adgen's namespace passed around", 'import * as ad from "adgen";', "export const all = [ad];", "8:21"],
      ["import-equals-member-taken", "import ad = require; { g: ad.grad }", 'import ad = require("adgen");', "export const o = { g: ad.grad };", "8:23"],
      ["renamed-taken", "import { grad as g }; const h = g", 'import { grad as g } from "adgen";', "export const h = g;", "8:18"],
    ] as const
  ).map(([name, about, imports, use, at]): CorpusCase => ({
    name,
    about: `a transform that is not called where it is named: ${about}`,
    files: { "src/a.ts": lines(imports, "", cube, "", use) },
    expect: { errors: [`src/a.ts:${at} ADG2005`] },
  })),
];

/** Inputs whose right outcome the compiler core gives (a build whose gradients check, or a clean diagnostic). */
const coreCases: CorpusCase[] = [
  { name: "sum-2000-terms", about: "a sum of 2,000 terms", files: { "src/a.ts": longSum(2000) }, expect: { builds: { checks: 1 } } },
  { name: "nested-if-400", about: "400 nested ifs on active values", files: { "src/a.ts": nestedIfs(400) }, expect: { builds: { checks: 1 } } },
  { name: "nested-if-700", about: "700 nested ifs on active values", files: { "src/a.ts": nestedIfs(700) }, expect: { builds: { checks: 1 } } },
  { name: "long-line", about: "one line of 3,000 operations", files: { "src/a.ts": longLine(3000) }, expect: { builds: { checks: 1 } } },
  { name: "deep-recursion", about: "a gradient at recursion depth 5,000, where the primal runs fine", files: { "src/a.ts": deepRecursion(5000) }, expect: { builds: { checks: 1 } } },
  {
    name: "optional-chaining",
    about: "o?.a on an active value: the output type-checks and gives the primal's NaN, not a throw",
    files: {
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        "export interface P { a: number }",
        "/** @differentiable */",
        "export function f(x: number, o: P | undefined): number {",
        "  const a = o?.a ?? 2;",
        "  return x * a;",
        "}",
        "export const df = grad(f);",
        "export const checks = [{ f, gradient: df, args: [0.5, { a: 3 }] }, { f, gradient: df, args: [0.5, undefined] }];",
      ),
    },
    expect: { builds: { checks: 2 } },
  },
  {
    name: "nullish-active",
    about: "?? between active values",
    files: {
      "src/a.ts": lines(
        'import { grad } from "adgen";',
        "/** @differentiable */",
        "export function f(x: number, y: number | undefined): number {",
        "  return (y ?? x) * x;",
        "}",
        "export const df = grad(f);",
        "export const checks = [{ f, gradient: df, args: [0.5, 4] }, { f, gradient: df, args: [0.5, undefined] }];",
      ),
    },
    expect: { builds: { checks: 2 } },
  },
];

/** Large inputs whose handling is the build's own: files, lines and paths in quantity. */
const sizeCases: CorpusCase[] = [
  { name: "many-functions", about: "100 differentiable functions, each with a grad", files: { "src/a.ts": manyFunctions(100) }, expect: { builds: { checks: 2 } } },
  {
    name: "many-files",
    about: "300 files, one of which uses adgen",
    files: { ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`src/m${Math.floor(i / 30)}/f${i}.ts`, `export const v${i} = ${i};\n`])), "src/use.ts": withCube('import { grad } from "adgen";', "grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
  { name: "plain-5000-lines", about: "a plain file of 5,000 lines, copied", files: { "src/big.ts": plainLines(5000) }, expect: { builds: { checks: 0 } } },
  {
    name: "plain-long-line",
    about: "a plain file of one 1 MB line, copied",
    files: { "src/line.ts": `export const xs: number[] = [${Array.from({ length: 150000 }, (_, i) => i % 1000).join(", ")}];\n` },
    expect: { builds: { checks: 0 } },
  },
  {
    name: "deep-directories",
    about: "a source 60 directories deep",
    files: { [`src/${Array.from({ length: 60 }, (_, i) => `d${i}`).join("/")}/deep.ts`]: withCube('import { grad } from "adgen";', "grad(cube)") },
    expect: { builds: { checks: 1 } },
  },
];

export const corpus: readonly CorpusCase[] = [...outDirCases, ...fileSystemCases, ...textCases, ...referenceCases, ...coreCases, ...sizeCases];
