/**
 * `adgen build --watch`: build, then rebuild whenever an input changes.
 *
 * Input: build's options and a signal that ends the watch. Output: one report per build
 * (what was written, or the diagnostics), through a callback, until the signal aborts.
 * Invariants: a failed rebuild writes nothing, so the last good output stays; a rebuild
 * recompiles the project (a file's generated code depends on what its importers ask for)
 * and rewrites only the output files whose content changed — the edited file and those it
 * affects — each by an atomic rename, the out dir's manifest kept true (out-dir.ts). The
 * first good build is a plain `build`: the whole tree swapped in at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build, isError, renderBuild, type BuildOptions } from "./build";
import { updateOutDir } from "./out-dir";
import type { AdgDiagnostic } from "./diagnostics";

export interface WatchReport {
  diagnostics: AdgDiagnostic[];
  /** out-dir-relative paths written by this build (empty when it failed or nothing changed) */
  written: string[];
  /** out-dir-relative paths removed because their input is gone */
  removed: string[];
  /** whether this was the first build */
  initial: boolean;
}

/** How long to let a burst of file events settle before rebuilding. */
const settle = 60;

export async function watchBuild(
  options: BuildOptions,
  report: (result: WatchReport) => void,
  signal: AbortSignal,
): Promise<void> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const outDir = path.resolve(cwd, options.outDir);

  let built = false;
  const rebuild = async (initial: boolean): Promise<void> => {
    if (!built) {
      const result = await build(options);
      built = !result.diagnostics.some(isError);
      const written = built ? result.written.map((file) => path.relative(outDir, file)).sort() : [];
      report({ diagnostics: result.diagnostics, written, removed: [], initial });
      return;
    }
    const rendered = await renderBuild(options);
    if (rendered.diagnostics.some(isError)) {
      report({ diagnostics: rendered.diagnostics, written: [], removed: [], initial });
      return;
    }
    const updated = updateOutDir(rendered.outDir, rendered.outputs);
    const diagnostics = [...rendered.diagnostics, ...updated.diagnostics];
    report({ diagnostics, written: updated.written.sort(), removed: updated.removed.sort(), initial });
  };

  // Rebuilds run one at a time; events during a rebuild schedule exactly one more.
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void>;
  let pending = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (pending) return;
      pending = true;
      running = running.then(async () => {
        pending = false;
        if (!signal.aborted) await rebuild(false);
      });
    }, settle);
  };

  const relevant = (file: string) =>
    !isWithin(file, outDir) && !file.split(path.sep).includes("node_modules") && !/\.adgen-(tmp|old)-/.test(file);
  for (const target of watchTargets(options, cwd)) {
    const onEvent = (_event: string, name: string | Buffer | null) => {
      const changed = name ? path.join(target.path, name.toString()) : target.path;
      if (target.only && !target.only.has(path.basename(changed))) return;
      if (relevant(changed)) schedule();
    };
    // A missing input is reported by the build itself; there is nothing to watch there.
    if (fs.existsSync(target.path)) fs.watch(target.path, { recursive: target.recursive, signal }, onEvent);
  }
  // Watching starts before the first build, so no change made after its report is missed.
  running = rebuild(true);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  clearTimeout(timer);
  await running;
}

/** Directories watched recursively; for a file input, its directory, filtered to its name. */
function watchTargets(options: BuildOptions, cwd: string): { path: string; recursive: boolean; only?: Set<string> }[] {
  const targets = new Map<string, { path: string; recursive: boolean; only?: Set<string> }>();
  const files = [...options.inputs, ...(options.tsconfig ? [options.tsconfig] : [])].map((input) => path.resolve(cwd, input));
  for (const input of files) {
    const isDirectory = fs.statSync(input, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (isDirectory) {
      targets.set(input, { path: input, recursive: true });
      continue;
    }
    const directory = path.dirname(input);
    const existing = targets.get(directory);
    if (existing?.recursive) continue;
    const only = existing?.only ?? new Set<string>();
    only.add(path.basename(input));
    targets.set(directory, { path: directory, recursive: false, only });
  }
  return [...targets.values()];
}

function isWithin(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
