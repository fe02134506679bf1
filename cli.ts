#!/usr/bin/env node
/**
 * The `adgen` command: arguments to a command, its text to the terminal, its status to the
 * exit code. Everything else lives in compiler/commands.ts.
 */
import { installCommand, missingLibraries } from "./compiler/requirements";

const colors = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && stream.hasColors();

// Ctrl-C ends `build --watch` cleanly; any other command it simply stops (build writes atomically).
const args = process.argv.slice(2);
const stop = new AbortController();
if (args.includes("--watch") || args.includes("-w")) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
}

const missing = missingLibraries();
if (missing.length > 0) {
  process.stderr.write(
    `error ADG4003: adgen's compiler needs ${missing.join(", ")}, not installed here. Install with:\n  ${installCommand(missing)}\n`,
  );
  process.exit(1);
}

// Loaded only now: the commands load the compiler, whose libraries were just checked.
const { run } = require("./compiler/commands") as typeof import("./compiler/commands");
void run(args, {
  color: { stdout: colors(process.stdout), stderr: colors(process.stderr) },
  stream: { stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text) },
  signal: stop.signal,
}).then(({ stdout, stderr, exitCode }) => {
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exitCode = exitCode;
});
