/**
 * The commands behind `adgen`: command-line arguments in, the text to print and an exit
 * code out.
 *
 * Input: the arguments after `adgen`. Output: `{ stdout, stderr, exitCode }`; nothing is
 * printed here, so the commands run the same in a test as in a terminal. Invariants:
 * every failure is an `ADG` diagnostic in the tsc format on stderr with exit code 1, never
 * a stack trace; usage errors come with a hint to run `adgen --help`. No compiler logic
 * lives here: `build` and the core's `inspect` do the work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, styleText } from "node:util";
import { build, diagnosticFromException, isError, resolveTsconfig } from "./build";
import { type AdgDiagnostic, codes, formatDiagnostic } from "./diagnostics";
import { formatGenerated } from "./format";
import { type InspectOptions, inspect, stages } from "./pipeline";
import { loadProject } from "./project";
import { stripMarkers } from "./sourcemap";
import { adgenVersion } from "./version";
import { watchBuild, type WatchReport } from "./watch";

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  /** base for relative paths and for the paths printed; defaults to the process's */
  cwd?: string;
  /** whether each stream may carry colour (a terminal); plain text when absent */
  color?: { stdout?: boolean; stderr?: boolean };
  /**
   * Where `build --watch` prints as it goes (a watch never returns until `signal` aborts);
   * other commands return their whole text at the end.
   */
  stream?: { stdout(text: string): void; stderr(text: string): void };
  /** ends `build --watch` */
  signal?: AbortSignal;
}

const modes = ["grad", "vjp", "jvp"] as const;

const helpOption = { help: { type: "boolean", short: "h" } } as const;
const projectOption = { project: { type: "string", short: "p" } } as const;
const globalOptions = { ...helpOption, version: { type: "boolean", short: "v" } } as const;
const buildOptions = {
  ...helpOption,
  ...projectOption,
  "out-dir": { type: "string" },
  "empty-out-dir": { type: "boolean" },
  "source-map": { type: "boolean" },
  watch: { type: "boolean", short: "w" },
} as const;
const inspectOptions = {
  ...helpOption,
  ...projectOption,
  fn: { type: "string" },
  mode: { type: "string" },
  stage: { type: "string" },
} as const;

/** A mistake in the command line: printed as ADG4001 with the `--help` hint. */
class UsageError extends Error {}

/** Runs one `adgen` command line. */
export async function run(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const context = {
    cwd: path.resolve(options.cwd ?? process.cwd()),
    color: { stdout: options.color?.stdout ?? false, stderr: options.color?.stderr ?? false },
    stream: options.stream,
    signal: options.signal,
  };
  try {
    return await dispatch(argv, context);
  } catch (error) {
    if (error instanceof UsageError) {
      return failure(
        `${renderDiagnostic({ code: codes.usage, message: error.message }, context)}\n` +
          `Run 'adgen --help' for usage.\n`,
      );
    }
    return failure(`${renderDiagnostic(diagnosticFromException(error), context)}\n`);
  }
}

interface Context {
  cwd: string;
  color: { stdout: boolean; stderr: boolean };
  stream?: RunOptions["stream"];
  signal?: AbortSignal;
}

async function dispatch(argv: readonly string[], context: Context): Promise<CommandResult> {
  // Options before the command are global ones; the command's own options follow it.
  const at = argv.findIndex((arg) => !arg.startsWith("-"));
  const leading = at === -1 ? argv : argv.slice(0, at);
  const global = parse(
    () => parseArgs({ args: [...leading], options: globalOptions, strict: true }),
    globalOptions,
    "adgen",
  ).values;
  const command = at === -1 ? undefined : argv[at];
  const rest = at === -1 ? [] : argv.slice(at + 1);

  if (global.help || command === "help") return success(helpText());
  if (global.version) return success(`${adgenVersion()}\n`);
  switch (command) {
    case "build":
      return buildCommand(rest, context);
    case "inspect":
      return inspectCommand(rest, context);
    case undefined:
      throw new UsageError("no command given; expected 'build' or 'inspect'");
    default:
      throw new UsageError(`unknown command '${command}'; expected 'build' or 'inspect'`);
  }
}

async function buildCommand(args: readonly string[], context: Context): Promise<CommandResult> {
  const { values, positionals } = parse(
    () =>
      parseArgs({ args: [...args], options: buildOptions, strict: true, allowPositionals: true }),
    buildOptions,
    "adgen build",
  );
  if (values.help) return success(helpText());
  if (positionals.length === 0) throw new UsageError("no input files or directories given");
  const outDir = values["out-dir"];
  if (outDir === undefined) throw new UsageError("missing --out-dir <dir>");
  if (outDir === "") throw new UsageError("option '--out-dir' needs a value");

  const options = {
    inputs: positionals,
    outDir,
    tsconfig: values.project,
    cwd: context.cwd,
    emptyOutDir: values["empty-out-dir"],
    sourceMap: values["source-map"] ?? false,
  };
  if (values.watch) return watchCommand(options, context);
  const result = await build(options);
  const errors = result.diagnostics.filter(isError);
  const stderr = renderDiagnostics(result.diagnostics, context);
  if (errors.length > 0) {
    const summary = `Found ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was written.`;
    return failure(`${stderr}${summary}\n`);
  }
  const count = result.written.length;
  const where = displayPath(path.resolve(context.cwd, outDir), context.cwd);
  return {
    stdout: `Wrote ${count} file${count === 1 ? "" : "s"} to ${where}.\n`,
    stderr,
    exitCode: 0,
  };
}

/** `build --watch`: reports each build as it happens, until the signal aborts. */
async function watchCommand(options: Parameters<typeof build>[0], context: Context): Promise<CommandResult> {
  const stream = context.stream ?? { stdout: () => {}, stderr: () => {} };
  const where = displayPath(path.resolve(context.cwd, options.outDir), context.cwd);
  const signal = context.signal ?? new AbortController().signal;
  const report = ({ diagnostics, written, removed, initial }: WatchReport) => {
    const errors = diagnostics.filter(isError);
    if (diagnostics.length > 0) stream.stderr(renderDiagnostics(diagnostics, context));
    if (errors.length > 0) {
      const kept = initial ? "nothing was written" : "the last good output is kept";
      stream.stderr(`Found ${errors.length} error${errors.length === 1 ? "" : "s"}; ${kept}. Watching for changes.\n`);
      return;
    }
    const files = (list: string[]) => list.map((file) => file.split(path.sep).join("/")).join(", ");
    const lines = [
      initial
        ? `Wrote ${written.length} file${written.length === 1 ? "" : "s"} to ${where}.`
        : written.length > 0
          ? `Rebuilt ${files(written)} in ${where}.`
          : "Rebuilt; no output changed.",
      ...(removed.length > 0 ? [`Removed ${files(removed)} from ${where}.`] : []),
      "Watching for changes.",
    ];
    stream.stdout(`${lines.join("\n")}\n`);
  };
  await watchBuild(options, report, signal);
  return { stdout: "", stderr: "", exitCode: 0 };
}

async function inspectCommand(args: readonly string[], context: Context): Promise<CommandResult> {
  const { values, positionals } = parse(
    () =>
      parseArgs({ args: [...args], options: inspectOptions, strict: true, allowPositionals: true }),
    inspectOptions,
    "adgen inspect",
  );
  if (values.help) return success(helpText());
  if (positionals.length === 0) throw new UsageError("no input file given");
  if (positionals.length > 1) {
    throw new UsageError(
      `inspect takes one file, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const options: InspectOptions = {
    fn: values.fn,
    mode: oneOf(values.mode, modes, "--mode"),
    stage: oneOf(values.stage, stages, "--stage"),
  };
  if (options.fn === "") throw new UsageError("option '--fn' needs a value");

  const file = path.resolve(context.cwd, positionals[0]!);
  const problems: AdgDiagnostic[] = [];
  if (!fs.existsSync(file)) {
    problems.push({ code: codes.missingInput, message: "input path does not exist", file });
  } else if (fs.statSync(file).isDirectory()) {
    throw new UsageError(`inspect takes a .ts file, and '${positionals[0]}' is a directory`);
  }
  const { tsconfig, diagnostics } = resolveTsconfig(values.project, context.cwd);
  problems.push(...diagnostics);
  if (problems.length > 0) return failure(renderDiagnostics(problems, context));

  const project = loadProject([file], tsconfig);
  const result = inspect(project, project.getSourceFileOrThrow(file), options);
  const stderr = renderDiagnostics(result.diagnostics, context);
  if (result.diagnostics.some(isError)) return failure(stderr);
  // The emitted stage is TypeScript and printed formatted; earlier stages print as they are.
  const text = stripMarkers(
    options.stage === undefined || options.stage === "emit"
      ? await formatGenerated(result.text)
      : result.text,
  );
  const stdout = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return { stdout, stderr, exitCode: 0 };
}

/** Runs `parseArgs` (always strict), its errors reworded as usage errors. */
function parse<R>(parseArgs: () => R, options: object, command: string): R {
  try {
    return parseArgs();
  } catch (error) {
    throw new UsageError(parseErrorMessage(error, options, command));
  }
}

function parseErrorMessage(error: unknown, options: object, command: string): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ,]*)/.exec(message)?.[1];
  const long = /--[\w-]+/.exec(message)?.[0] ?? option;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const suggestion = suggest(option ?? "", Object.keys(options));
      return (
        `unknown option '${option}' for '${command}'` +
        (suggestion ? `; did you mean '--${suggestion}'?` : "")
      );
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return message.includes("does not take an argument")
        ? `option '${long}' takes no value`
        : `option '${long}' needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'[^']*'/.exec(message)?.[0] ?? message} for '${command}'`;
    default:
      return message;
  }
}

/** The option a near-miss spelling (`--outDir`, `--out_dir`, `--Mode`) most likely meant. */
function suggest(option: string, known: readonly string[]): string | undefined {
  const squash = (name: string) => name.replace(/^-+/, "").replace(/[-_]/g, "").toLowerCase();
  return known.find((name) => squash(name) === squash(option));
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(", ")}; got '${value}'`);
}

function renderDiagnostics(diagnostics: readonly AdgDiagnostic[], context: Context): string {
  return diagnostics.map((d) => `${renderDiagnostic(d, context)}\n`).join("");
}

/** The tsc format; in a terminal, coloured as tsc colours it. */
function renderDiagnostic(diagnostic: AdgDiagnostic, context: Context): string {
  const plain = formatDiagnostic(diagnostic, context.cwd);
  if (!context.color.stderr) return plain;
  const marker = `error ADG${diagnostic.code}: `;
  const at = plain.indexOf(marker);
  if (at === -1) return plain;
  const where = plain.slice(0, at);
  const location = where.endsWith(" - ") ? `${styleText("cyan", where.slice(0, -3))} - ` : where;
  return (
    location +
    `${styleText("red", "error")} ${styleText("gray", `ADG${diagnostic.code}`)}: ` +
    plain.slice(at + marker.length)
  );
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === ""
    ? "."
    : relative.startsWith("..") || path.isAbsolute(relative)
      ? file
      : relative;
}

function success(stdout: string): CommandResult {
  return { stdout, stderr: "", exitCode: 0 };
}

function failure(stderr: string): CommandResult {
  return { stdout: "", stderr, exitCode: 1 };
}

function helpText(): string {
  const stageList = stages.join(", ");
  return `adgen ${adgenVersion()} - source-to-source automatic differentiation for TypeScript

Usage:
  adgen build <files or dirs...> --out-dir <dir> [-p <tsconfig.json>] [--source-map] [--watch] [--empty-out-dir]
  adgen inspect <file> [--fn <name>] [--mode grad|vjp|jvp] [--stage <stage>] [-p <tsconfig.json>]
  adgen help | --help | -h
  adgen --version | -v

Commands:
  build     Write every input .ts, .mts or .cts file to the same relative path under --out-dir, with
            grad/valueAndGrad/vjp/jvp calls replaced by generated TypeScript; files that
            need nothing are copied as they are. A directory's files keep their paths
            relative to it; files given one by one keep their paths relative to the
            common root of all inputs. The out dir is replaced as a whole, and only when
            the build succeeds: on any error nothing is written. It must lie apart from
            the inputs, and hold only what adgen wrote there (it keeps a list in
            .adgen-manifest.json), unless --empty-out-dir is given.
  inspect   Print the code generated for one function (--fn) or for every
            differentiable function in the file.

Options:
  --out-dir <dir>        build: the directory to write (replaced as a whole)
  --source-map           build: write a source map (.map) beside each rewritten file,
                         mapping generated derivative code to the lines it differentiates
  -w, --watch            build: rebuild on every change to the inputs, keeping the last good
                         output on an error
  --empty-out-dir        build: replace the out dir even if it holds files adgen did
                         not write, deleting them
  -p, --project <path>   a tsconfig.json, or a directory holding one, for compiler options
  --fn <name>            inspect: only this function
  --mode <mode>          inspect: grad, vjp or jvp
  --stage <stage>        inspect: show the code after this stage: ${stageList}
                         (default: emit, the generated TypeScript)
  -h, --help             show this help
  -v, --version          show adgen's version

Errors are printed as 'path:line:col - error ADG<code>: message' on stderr, and the
exit status is 1.
`;
}
