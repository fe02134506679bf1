/**
 * The inputs of `adgen build`: the paths given on the command line in, the `.ts` files to
 * build out — each with its bytes and its path under the out dir — or the diagnostics
 * that prevent it.
 *
 * A directory maps its files relative to itself; files given one by one map relative to
 * the common root directory of all inputs (as tsc's rootDir does). Directories are walked
 * in sorted order, following symbolic links as tsc does, skipping declaration files,
 * `node_modules` and build's own scratch directories. Invariant: every file is read here,
 * once, so the build works on one snapshot of the inputs; a file-system fault (a file or
 * directory that cannot be read, a symbolic link loop, an input that disappears) is an
 * ADG4005 diagnostic naming the path, never an exception.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type AdgDiagnostic, codes } from "./diagnostics";

/** One input source file: where it is, its bytes, and where it lands under the out dir. */
export interface Entry {
  source: string;
  relative: string;
  bytes: Buffer;
}

/** Names of the temporary and set-aside directories build creates beside the out dir. */
export const scratchName = /\.adgen-(tmp|old)-/;

export interface Collected {
  entries: Entry[];
  /** every directory walked, resolved through symbolic links */
  directories: string[];
  diagnostics: AdgDiagnostic[];
}

export function collectInputs(inputs: readonly string[], cwd: string): Collected {
  const diagnostics: AdgDiagnostic[] = [];
  const directories: string[] = [];
  const root = commonRoot(inputs.map((input) => (isDirectory(input) ? input : path.dirname(input))));
  const bySource = new Map<string, { source: string; relative: string }>();
  const byRelative = new Map<string, { source: string; relative: string }>();

  const add = (source: string, relative: string) => {
    if (bySource.has(source)) return;
    const clash = byRelative.get(relative);
    if (clash) {
      diagnostics.push({
        code: codes.usage,
        message: `'${shown(clash.source, cwd)}' and '${shown(source, cwd)}' would both be written to '${relative}' under the out dir`,
      });
      return;
    }
    const entry = { source, relative };
    bySource.set(source, entry);
    byRelative.set(relative, entry);
  };

  for (const input of inputs) {
    if (isDirectory(input)) {
      for (const file of walk(input, directories, diagnostics)) add(file, path.relative(input, file));
    } else if (!isTypeScriptSource(input)) {
      diagnostics.push({
        code: codes.usage,
        message: "not a TypeScript source file; build takes .ts, .mts and .cts files (not declaration files) and directories",
        file: input,
      });
    } else if (!isFile(input)) {
      diagnostics.push({ code: codes.usage, message: "not a regular file; build reads .ts files and directories", file: input });
    } else {
      add(input, path.relative(root, input));
    }
  }
  if (diagnostics.length > 0) return { entries: [], directories, diagnostics };
  if (bySource.size === 0) {
    return { entries: [], directories, diagnostics: [{ code: codes.missingInput, message: "no .ts files found in the inputs" }] };
  }

  const entries: Entry[] = [];
  for (const { source, relative } of bySource.values()) {
    try {
      entries.push({ source, relative, bytes: fs.readFileSync(source) });
    } catch (error) {
      diagnostics.push(unreadable(source, error));
    }
  }
  return { entries, directories, diagnostics };
}

/**
 * The `.ts` files under a directory, sorted, with no recursion: symbolic links
 * to directories are followed, and one that leads back to a directory being walked is a
 * loop, reported rather than followed.
 */
function walk(directory: string, directories: string[], diagnostics: AdgDiagnostic[]): string[] {
  const files: string[] = [];
  const pending: { directory: string; ancestors: readonly string[] }[] = [{ directory, ancestors: [] }];
  while (pending.length > 0) {
    const { directory: current, ancestors } = pending.pop()!;
    let real: string;
    let names: string[];
    try {
      real = fs.realpathSync(current);
      names = fs.readdirSync(current);
    } catch (error) {
      diagnostics.push(unreadable(current, error));
      continue;
    }
    directories.push(real);
    if (ancestors.includes(real)) {
      diagnostics.push({
        code: codes.unreadable,
        message: "symbolic link loop: this directory leads back to one that contains it; remove the link or point it elsewhere",
        file: current,
      });
      continue;
    }
    const subdirectories: string[] = [];
    for (const name of names) {
      const full = path.join(current, name);
      let stat: fs.Stats | undefined;
      try {
        stat = fs.statSync(full, { throwIfNoEntry: false });
      } catch (error) {
        diagnostics.push(unreadable(full, error));
        continue;
      }
      // a dangling link (an editor's lock file, say) is not an input, as for tsc
      if (stat === undefined) continue;
      if (stat.isDirectory()) {
        if (name !== "node_modules" && !scratchName.test(name)) subdirectories.push(full);
      } else if (stat.isFile() && isTypeScriptSource(full)) {
        files.push(full);
      }
    }
    for (const subdirectory of subdirectories) pending.push({ directory: subdirectory, ancestors: [...ancestors, real] });
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A failed read as a diagnostic that names the path and says why, in words. */
export function unreadable(file: string, error: unknown): AdgDiagnostic {
  return { code: codes.unreadable, message: `cannot read this input: ${reason(error)}`, file };
}

/** What a file-system error means, for a person: `permission denied (EACCES)`. */
export function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOENT: "it no longer exists (was it moved or deleted during the build?)",
    ELOOP: "symbolic link loop",
    ENOTDIR: "a part of the path is not a directory",
    EISDIR: "it is a directory",
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
    EMFILE: "too many open files",
    ENAMETOOLONG: "the path is too long",
    EIO: "input/output error",
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}

export function isTypeScriptSource(file: string): boolean {
  return /\.(ts|mts|cts)$/.test(file) && !/\.d\.(ts|mts|cts)$/.test(file);
}

/** Whether a path is a directory; a path that cannot be examined is not one. */
export function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

export function isFile(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** A path as the user would type it: relative to `cwd` when beneath it. */
export function shown(file: string, cwd: string): string {
  return isWithin(file, cwd) ? path.relative(cwd, file) || "." : file;
}

/** Whether `file` is `directory` or lies beneath it. */
export function isWithin(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  if (relative === "") return true;
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** The deepest directory that contains every one of `directories`. */
function commonRoot(directories: readonly string[]): string {
  let root = directories[0]!;
  for (const directory of directories.slice(1)) {
    while (!isWithin(directory, root)) root = path.dirname(root);
  }
  return root;
}
