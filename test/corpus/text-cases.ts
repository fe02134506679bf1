/** Corpus cases: encodings, line endings, positions, and odd but valid files. */
import { type CorpusCase, cube, lines, notMarked, plain, withCube } from "./case";

const latin1 = Buffer.from(withCube('import { grad } from "adgen";', "grad(cube)") + 'export const name = "café";\n', "latin1");

export const textCases: CorpusCase[] = [
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
