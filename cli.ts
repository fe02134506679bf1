#!/usr/bin/env node
/**
 * The `adgen` command: arguments to a command, its text to the terminal, its status to the
 * exit code. Everything else lives in compiler/commands.ts.
 */
import { run } from "./compiler/commands";

const colors = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && stream.hasColors();

void run(process.argv.slice(2), {
  color: { stdout: colors(process.stdout), stderr: colors(process.stderr) },
}).then(({ stdout, stderr, exitCode }) => {
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exitCode = exitCode;
});
