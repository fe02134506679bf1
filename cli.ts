#!/usr/bin/env node
/**
 * The `adgen` command: arguments to a command, its text to the terminal, its status to the
 * exit code. Everything else lives in compiler/commands.ts.
 *
 * The command runs in a worker thread with a deep stack: TypeScript's checker and prettier
 * recurse as deep as the code they read is nested, and a build must handle what tsc does.
 */
import * as nodeModule from "node:module";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { installCommand, missingLibraries } from "./compiler/requirements";

// Node 22.1 and later keep the compiled code of the modules loaded below (TypeScript is 9 MB of
// JavaScript) in a cache on disk, as tsc does: later runs start faster. Older versions lack it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

interface Start {
  args: string[];
  color: { stdout: boolean; stderr: boolean };
  /** stderr is a terminal: diagnostics show the source under them */
  pretty: boolean;
}

const colors = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && stream.hasColors();

if (isMainThread) {
  const args = process.argv.slice(2);
  const missing = missingLibraries();
  if (missing.length > 0) {
    process.stderr.write(`error ADG4008: adgen's compiler needs ${missing.join(", ")}, not installed here. Install with:\n  ${installCommand(missing)}\n`);
    process.exit(1);
  }
  const start: Start = { args, color: { stdout: colors(process.stdout), stderr: colors(process.stderr) }, pretty: process.stderr.isTTY === true };
  const worker = new Worker(__filename, { workerData: start, resourceLimits: { stackSizeMb: 256 } });
  // Ctrl-C ends `build --watch` cleanly; any other command it simply stops (build writes atomically).
  if (args.includes("--watch") || args.includes("-w")) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => worker.postMessage("stop"));
  }
  worker.on("message", (exitCode: number) => (process.exitCode = exitCode));
  worker.on("error", (error) => {
    process.stderr.write(`error ADG9001: internal adgen error: ${error.message}. This is a bug in adgen; please report it with the input that triggers it.\n`);
    process.exitCode = 1;
  });
} else {
  const { args, color, pretty } = workerData as Start;
  const stop = new AbortController();
  parentPort!.on("message", () => stop.abort());
  // Before 22.1, the largest of the compiler's modules go through a code cache of adgen's own.
  const codeCache = (nodeModule as { enableCompileCache?: unknown }).enableCompileCache ? undefined : (require("./compiler/code-cache") as typeof import("./compiler/code-cache"));
  codeCache?.cacheLargeModules();
  // Loaded only now: the commands load the compiler, whose libraries were just checked.
  const { run } = require("./compiler/commands") as typeof import("./compiler/commands");
  void run(args, {
    color,
    pretty,
    stream: { stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text) },
    signal: stop.signal,
  }).then(({ stdout, stderr, exitCode }) => {
    if (stdout) process.stdout.write(stdout);
    if (stderr) process.stderr.write(stderr);
    codeCache?.saveCodeCache();
    parentPort!.postMessage(exitCode);
    parentPort!.close();
  });
}
