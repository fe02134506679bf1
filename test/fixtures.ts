/** Fixture programs read from disk, and directory snapshots for the end-to-end suites. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ts } from "ts-morph";
import { repoRoot } from "./harness";

export const functionsDir = path.join(repoRoot, "fixtures", "functions");

/** Relative path → text of every fixture program under `root` (the fixture functions unless given). */
export function fixtureSources(root = functionsDir): Record<string, string> {
  const sources: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) sources[path.relative(root, full).split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
    }
  };
  walk(root);
  return sources;
}

/** Every file under `dir` (relative, `/`-separated) with its bytes; symlinks not followed. */
export function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const key = path.relative(dir, full).split(path.sep).join("/");
      if (entry.isSymbolicLink()) files[key] = `-> ${fs.readlinkSync(full)}`;
      else if (entry.isDirectory()) visit(full);
      else files[key] = fs.readFileSync(full).toString("base64");
    }
  };
  visit(dir);
  return files;
}

/** The relative paths of `module` and of every module among `sources` it imports, directly or not. */
export function importClosure(sources: Record<string, string>, module: string): string[] {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const { fileName } of ts.preProcessFile(sources[rel]!, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const base = path.posix.join(path.posix.dirname(rel), fileName).replace(/\.(js|ts)$/, "");
      const found = [`${base}.ts`, `${base}/index.ts`].find((candidate) => candidate in sources);
      if (found) visit(found);
    }
  };
  visit(module);
  return [...seen];
}
