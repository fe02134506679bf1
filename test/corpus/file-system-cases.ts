/** Corpus cases: inputs that are missing, unreadable, looping links, FIFOs, odd names and paths. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { type CorpusCase, link, plain, withCube } from "./case";

export const fileSystemCases: CorpusCase[] = [
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
