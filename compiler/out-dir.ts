/**
 * The out dir of `adgen build`: whether it may be replaced, and replacing it whole.
 *
 * Input: the out dir, what it must keep clear of (the inputs, the working directory, the
 * tsconfig) and, to replace it, the files of the new tree. Output: diagnostics, or the new
 * tree in place. Invariants:
 * - an out dir that is, lies inside or contains an input is refused (ADG4003), and so is
 *   one that holds files adgen did not write (ADG4004) unless the user passes
 *   `--empty-out-dir`; adgen knows what it wrote from the manifest it leaves in the out
 *   dir, `.adgen-manifest.json`: the path and SHA-256 of each file, so a file added or
 *   edited since is not adgen's;
 * - the new tree is written in full to a scratch directory beside the out dir and renamed
 *   into place, the old tree renamed aside first and deleted last; what would stop that
 *   (a read-only parent or out dir) is found before anything is written, and any failure
 *   puts the previous tree back: the out dir is the complete new tree or exactly the old
 *   one, and no scratch directory survives. File-system faults are ADG4006 diagnostics.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type AdgDiagnostic, codes } from "./diagnostics";
import { isWithin, reason, shown } from "./inputs";

export const manifestName = ".adgen-manifest.json";

export interface OutputFile {
  /** the path under the out dir */
  relative: string;
  content: string | Buffer;
}

interface Manifest {
  generator: "adgen";
  /** relative path, `/`-separated → SHA-256 of the bytes written */
  files: Record<string, string>;
}

/**
 * Where the out dir really is: symbolic links in its existing part resolved, so that
 * comparisons with the inputs see through them and the swap replaces the real directory
 * rather than the link to it.
 */
export function realOutDir(outDir: string): string {
  const missing: string[] = [];
  let existing = outDir;
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...missing.reverse());
    } catch {
      if (path.dirname(existing) === existing) return outDir;
      missing.push(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
}

/** What the out dir must keep clear of, each resolved through symbolic links. */
export interface Guarded {
  /** input files and directories: the out dir may neither contain nor lie inside one */
  inputs: readonly string[];
  /** the working directory and the tsconfig: the out dir may not contain them */
  others: readonly string[];
  cwd: string;
}

/** Whether `outDir` may be replaced: every reason it may not, before anything is written. */
export function checkOutDir(outDir: string, guarded: Guarded, emptyOutDir: boolean): AdgDiagnostic[] {
  const stat = fs.statSync(outDir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) {
    return [{ code: codes.usage, message: "--out-dir names a file, not a directory", file: outDir }];
  }
  if (path.dirname(outDir) === outDir) {
    return [{ code: codes.usage, message: "--out-dir cannot be the root directory", file: outDir }];
  }
  const overlap = overlapping(outDir, guarded);
  if (overlap) return [overlap];
  const unwritableAt = firstUnwritable(outDir);
  if (unwritableAt) return [unwritableAt];
  if (!stat || emptyOutDir) return [];
  const foreign = filesNotWritten(outDir);
  if (foreign.length === 0) return [];
  const listed = foreign.slice(0, 3).map((file) => `'${file}'`).join(", ") + (foreign.length > 3 ? `, and ${foreign.length - 3} more` : "");
  return [
    {
      code: codes.outDirNotOwned,
      message: `the out dir holds ${foreign.length === 1 ? "a file" : `${foreign.length} files`} that adgen did not write or that changed since (${listed}); build replaces the out dir as a whole, so move ${foreign.length === 1 ? "it" : "them"}, choose another --out-dir, or pass --empty-out-dir to delete ${foreign.length === 1 ? "it" : "them"}`,
      file: outDir,
    },
  ];
}

/** Why the out dir is not apart from what it must keep clear of, if it is not. */
export function overlapping(outDir: string, { inputs, others, cwd }: Guarded): AdgDiagnostic | undefined {
  const real = (file: string) => {
    try {
      return fs.realpathSync(file);
    } catch {
      return file;
    }
  };
  const refuse = (what: string): AdgDiagnostic => ({
    code: codes.outDirOverlap,
    message: `${what}; build replaces the out dir as a whole, so choose a directory of its own, apart from the inputs`,
    file: outDir,
  });
  for (const input of inputs) {
    const resolved = real(input);
    if (isWithin(resolved, outDir)) {
      return refuse(resolved === outDir ? "--out-dir is an input" : `--out-dir contains the input '${shown(input, cwd)}'`);
    }
    if (isWithin(outDir, resolved)) return refuse(`--out-dir lies inside the input '${shown(input, cwd)}'`);
  }
  for (const other of others) {
    if (isWithin(real(other), outDir)) {
      return refuse(other === cwd ? "--out-dir contains the current directory" : `--out-dir contains '${shown(other, cwd)}'`);
    }
  }
  return undefined;
}

/**
 * A directory that the swap would need to change but may not: the out dir's parent (or
 * the nearest existing ancestor, where the parent is yet to be made), and every directory
 * of the old tree, which is deleted.
 */
function firstUnwritable(outDir: string): AdgDiagnostic | undefined {
  let parent = path.dirname(outDir);
  while (!fs.existsSync(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
  const directories = [parent];
  const pending = fs.existsSync(outDir) ? [outDir] : [];
  while (pending.length > 0) {
    const directory = pending.pop()!;
    directories.push(directory);
    try {
      for (const child of fs.readdirSync(directory, { withFileTypes: true })) {
        if (child.isDirectory()) pending.push(path.join(directory, child.name));
      }
    } catch (error) {
      return unwritable(directory, `cannot read the previous output: ${reason(error)}`);
    }
  }
  for (const directory of directories) {
    try {
      fs.accessSync(directory, fs.constants.W_OK | fs.constants.X_OK);
    } catch (error) {
      const role = directory === parent ? "the out dir is replaced beside its old self here" : "the previous output must be deleted";
      return unwritable(directory, `cannot write in this directory (${role}): ${reason(error)}`);
    }
  }
  return undefined;
}

/** Files in the out dir that are not, byte for byte, what adgen's manifest says it wrote. */
function filesNotWritten(outDir: string): string[] {
  const manifest = readManifest(outDir);
  const foreign: string[] = [];
  const pending = [outDir];
  while (pending.length > 0) {
    const directory = pending.pop()!;
    for (const child of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, child.name);
      const relative = path.relative(outDir, full).split(path.sep).join("/");
      if (child.isDirectory()) pending.push(full);
      else if (relative === manifestName && manifest) continue;
      else if (!child.isFile() || manifest?.files[relative] !== hashOf(full)) foreign.push(relative);
    }
  }
  return foreign.sort();
}

function readManifest(outDir: string): Manifest | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(outDir, manifestName), "utf8")) as Partial<Manifest>;
    return json.generator === "adgen" && typeof json.files === "object" && json.files !== null ? (json as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

function hashOf(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * Writes the tree, with its manifest, into a fresh directory beside the out dir (same
 * parent, so renames stay on one file system and are atomic), then swaps it in. Returns
 * the diagnostics of a failure, after which the out dir is as it was.
 */
export function replaceOutDir(outDir: string, outputs: readonly OutputFile[]): AdgDiagnostic[] {
  const parent = path.dirname(outDir);
  let made: string | undefined;
  let temporary: string | undefined;
  const cleanUp = () => {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
    if (made) fs.rmSync(made, { recursive: true, force: true });
  };
  try {
    made = fs.mkdirSync(parent, { recursive: true });
    temporary = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.adgen-tmp-`));
    const manifest: Manifest = { generator: "adgen", files: {} };
    for (const output of outputs) {
      const target = path.join(temporary, output.relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, output.content);
      manifest.files[output.relative.split(path.sep).join("/")] = sha256(output.content);
    }
    fs.writeFileSync(path.join(temporary, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    cleanUp();
    return [unwritable(outDir, `cannot write the new output beside the out dir: ${reason(error)}`)];
  }

  let aside: string | undefined;
  try {
    if (fs.existsSync(outDir)) {
      const name = path.join(parent, `.${path.basename(outDir)}.adgen-old-${randomBytes(6).toString("hex")}`);
      fs.renameSync(outDir, name);
      aside = name;
    }
    fs.renameSync(temporary, outDir);
  } catch (error) {
    const restored = aside === undefined || restore(aside, outDir);
    cleanUp();
    const kept = restored ? "the previous output is as it was" : `the previous output could not be put back and is at ${aside}`;
    return [unwritable(outDir, `cannot move the new output into place (${kept}): ${reason(error)}`)];
  }
  if (aside === undefined) return [];
  try {
    fs.rmSync(aside, { recursive: true, force: true });
    return [];
  } catch (error) {
    return [unwritable(outDir, `the new output is in place, but the previous one could not be deleted from ${aside}: ${reason(error)}; delete it by hand`)];
  }
}

/**
 * Brings an out dir that holds an earlier build of the same inputs up to `outputs`, touching
 * only what changed (`--watch`): each changed file written beside itself and renamed over
 * it, so a reader never sees half a file; files no longer produced removed; the manifest
 * rewritten the same way. Returns what it wrote and removed, or the diagnostics of a failure.
 */
export function updateOutDir(outDir: string, outputs: readonly OutputFile[]): { written: string[]; removed: string[]; diagnostics: AdgDiagnostic[] } {
  const previous = readManifest(outDir)?.files ?? {};
  const manifest: Manifest = { generator: "adgen", files: {} };
  const written: string[] = [];
  try {
    for (const output of outputs) {
      const key = output.relative.split(path.sep).join("/");
      const hash = sha256(output.content);
      manifest.files[key] = hash;
      if (previous[key] === hash && fs.existsSync(path.join(outDir, output.relative))) continue;
      replaceFile(path.join(outDir, output.relative), output.content);
      written.push(output.relative);
    }
    const removed = Object.keys(previous).filter((key) => !(key in manifest.files));
    for (const key of removed) fs.rmSync(path.join(outDir, ...key.split("/")), { force: true });
    replaceFile(path.join(outDir, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
    return { written, removed, diagnostics: [] };
  } catch (error) {
    return { written, removed: [], diagnostics: [unwritable(outDir, `cannot update the output: ${reason(error)}`)] };
  }
}

function replaceFile(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.adgen-tmp-${randomBytes(4).toString("hex")}`;
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function restore(aside: string, outDir: string): boolean {
  try {
    if (fs.existsSync(outDir)) return false;
    fs.renameSync(aside, outDir);
    return true;
  } catch {
    return false;
  }
}

function unwritable(file: string, message: string): AdgDiagnostic {
  return { code: codes.unwritable, message, file };
}
