/** Fixture programs read from disk, and directory snapshots and previous builds for the end-to-end suites. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ts } from "ts-morph";
import { manifestName } from "../compiler/out-dir";
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

/** Every file under `dir` (relative, `/`-separated) with its bytes; symlinks not followed, FIFOs not read. */
export function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const key = path.relative(dir, full).split(path.sep).join("/");
      if (entry.isSymbolicLink()) files[key] = `-> ${fs.readlinkSync(full)}`;
      else if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) files[key] = fs.readFileSync(full).toString("base64");
      else files[key] = "(not a file)";
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

/**
 * Writes `files` (relative path → text) into `outDir` as an earlier `adgen build` left
 * them: with the manifest that marks them as adgen's, so a new build may replace them.
 */
export function previousBuild(outDir: string, files: Record<string, string>): void {
  const hashes: Record<string, string> = {};
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(outDir, relative)), { recursive: true });
    fs.writeFileSync(path.join(outDir, relative), text);
    hashes[relative] = createHash("sha256").update(text).digest("hex");
  }
  fs.writeFileSync(path.join(outDir, manifestName), JSON.stringify({ generator: "adgen", files: hashes }));
}

/** The tree of an out dir without adgen's manifest: the files a build wrote for the inputs. */
export function outputTree(outDir: string): Record<string, string> {
  const { [manifestName]: _manifest, ...files } = tree(outDir);
  return files;
}

/**
 * A project in a new temp dir: `files` (relative path → text) written, and
 * `node_modules/adgen` linked to this repository, as an installed adgen would be.
 */
export function tempProject(prefix: string, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "adgen"), "dir");
  return dir;
}
