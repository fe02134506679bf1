/**
 * V8's code cache for the largest modules the compiler loads, on Node versions without
 * `module.enableCompileCache` (before 22.1): what that function does for every module, done
 * here for the few that cost (TypeScript alone is 9 MB of JavaScript, a tenth of a small build).
 *
 * Input: the modules required after `cacheLargeModules()`. Output: the same modules, compiled
 * from the bytecode a previous run stored in the user's own directory (under the system's
 * temporary one, written by no one else, or not used) when there is
 * some, and that bytecode stored by `saveCodeCache()` when there was none. Invariants: an
 * entry is named after the Node version, the architecture and the file's path, size and
 * modification time, so a changed file or runtime never meets old code (V8 also rejects data
 * made under other flags); entries are written by rename, so a reader never sees half of one;
 * a cache that cannot be read or written only costs the time it would have saved.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as nodeModule from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";

/** Smaller modules compile in about the time reading their cache would take. */
const largeModule = 256 * 1024;

// one directory per user, private to them: code read from a place others can write would run as ours
const directory = path.join(os.tmpdir(), `adgen-code-cache-${process.getuid?.() ?? os.userInfo().username}`);

/** Whether the cache directory exists as the user's own, writable by nobody else. */
function isPrivate(): boolean {
  try {
    const stat = fs.lstatSync(directory);
    return stat.isDirectory() && (process.getuid === undefined || stat.uid === process.getuid()) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Scripts compiled without usable cached data, and where theirs goes. */
const unsaved: { script: vm.Script; file: string }[] = [];

type Loader = (module: nodeModule, filename: string) => void;

/** From now on, large CommonJS modules are compiled through the cache. */
export function cacheLargeModules(): void {
  const extensions = (nodeModule as unknown as { _extensions: Record<string, Loader> })._extensions;
  const load = extensions[".js"]!;
  extensions[".js"] = (module, filename) => {
    const { size, mtimeMs } = fs.statSync(filename);
    if (size < largeModule) return load(module, filename);
    const key = createHash("sha256").update(`${process.version}\0${process.arch}\0${filename}\0${size}\0${mtimeMs}`).digest("hex");
    const file = path.join(directory, key.slice(0, 32));
    const cachedData = isPrivate() ? readOrNothing(file) : undefined;
    const wrapper = (nodeModule as unknown as { wrap(text: string): string }).wrap(fs.readFileSync(filename, "utf8"));
    const script = new vm.Script(wrapper, { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData === undefined || script.cachedDataRejected) unsaved.push({ script, file });
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(module.exports, module.exports, nodeModule.createRequire(filename), module, filename, path.dirname(filename));
  };
}

/** Stores the code of the modules compiled without a cache: after a run, so it holds the functions that run compiled. */
export function saveCodeCache(): void {
  for (const { script, file } of unsaved.splice(0)) {
    try {
      fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
      if (!isPrivate()) return;
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, script.createCachedData());
      fs.renameSync(partial, file);
    } catch {
      // an unwritable temporary directory: the next run compiles again
    }
  }
}

function readOrNothing(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}
