/**
 * File-system mutants: a fixture module, the modules it imports and a driver applying grad
 * and vjp to its targets, built by the real `adgen build` in a temporary project under one
 * or two faults — an out dir that is, lies
 * in or contains the inputs, one that holds files adgen did not write (with and without
 * `--empty-out-dir`) or is a file, read-only out dirs and parents, an unreadable input, a
 * link loop, a dangling link, a FIFO, non-UTF-8 bytes, a BOM, CR-only and CRLF endings.
 *
 * Input: a seed's random sequence and the fixtures (./fuzz.ts). Output: a `DiskJob` (data
 * only: it crosses to a worker thread) and its `Verdict` (./judge.ts). Invariants judged:
 * no stack trace and no ADG9001; a refused build exits 1, prints nothing but diagnostics in
 * tsc's format with a path and leaves every byte on disk as it was; a build that succeeds
 * leaves the inputs as they were and no scratch directory, and writes one output per input,
 * a BOM kept; each fault gets the outcome it must — refused with its code, or built. A
 * non-UTF-8 byte is refused (ADG4007) in a file adgen rewrites and kept byte for byte in
 * one it copies.
 * Modes bind only a user other than root: as root, the build runs as `nobody`.
 */
import { spawnSync, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { previousBuild, tree } from "../fixtures";
import { driverText, type Target } from "../gradients";
import { choose, type Mutation, type Random } from "./mutate";
import type { Verdict } from "./judge";

export interface DiskJob {
  /** the faults, by name */
  faults: string[];
  /** relative path → bytes, inputs under `src/` */
  files: Record<string, Uint8Array>;
  args: string[];
  /** what is in the out dir before the build */
  previous: "adgen" | "foreign" | "file" | "none";
  outDir: string;
  links: [target: string, at: string][];
  fifos: string[];
  modes: Record<string, number>;
  /** the codes the faults must be refused with; empty: the build must succeed, unless `allowed` refuses it */
  refusals: number[];
  /** codes a build may also be refused with */
  allowed: number[];
  /** inputs whose output, when the build succeeds, must be their bytes unchanged */
  kept: string[];
  /** the built CLI */
  cli: string;
}

interface Fault {
  name: string;
  /** the code it is refused with, when it must be */
  refusal?: number;
  /** a code it may be refused with */
  allowed?: number;
  /** whether it can be applied to this plan; default always */
  fits?: (job: DiskJob) => boolean;
  apply: (job: DiskJob, random: Random) => void;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
/** Text as bytes one for one (Latin-1), so that rewriting a file keeps every byte it does not change. */
const bytes = (data: Uint8Array) => Buffer.from(data).toString("latin1");
const fromBytes = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));
const inputs = (job: DiskJob) => Object.keys(job.files).filter((file) => file.startsWith("src/") && file.endsWith(".ts"));
const setOut = (job: DiskJob, outDir: string) => {
  job.outDir = outDir;
  job.args = ["src", "--out-dir", outDir, ...job.args.filter((a, k, all) => a.startsWith("--") && a !== "--out-dir" && all[k - 1] !== "--out-dir" && a !== "src")];
};
/** Rewrites the bytes of one random input; returns its path. */
const rewrite = (job: DiskJob, random: Random, change: (text: string) => string) => {
  const file = choose(random, inputs(job));
  job.files[file] = fromBytes(change(bytes(job.files[file]!)));
  return file;
};
/** The faults that move the out dir fit unless it is to be a file. */
const movable = (job: DiskJob) => job.previous !== "file";

const faults: Fault[] = [
  { name: "out dir inside the input", refusal: 4003, fits: movable, apply: (job) => setOut(job, "src/out") },
  { name: "out dir is the input", refusal: 4003, fits: movable, apply: (job) => setOut(job, "src") },
  { name: "out dir contains the input", refusal: 4003, fits: movable, apply: (job) => setOut(job, ".") },
  {
    name: "out dir is an input directory",
    refusal: 4003,
    fits: (job) => movable(job) && inputs(job).some((file) => file.split("/").length > 2),
    apply: (job, random) => setOut(job, path.posix.dirname(choose(random, inputs(job).filter((file) => file.split("/").length > 2)))),
  },
  { name: "out dir holds files adgen did not write", refusal: 4004, apply: (job) => void (job.previous = "foreign") },
  {
    name: "out dir holds files adgen did not write, --empty-out-dir",
    apply: (job) => {
      job.previous = "foreign";
      job.args.push("--empty-out-dir");
    },
  },
  { name: "out dir is a file", refusal: 4001, fits: (job) => job.outDir === "out", apply: (job) => void (job.previous = "file") },
  { name: "out dir read-only", refusal: 4006, fits: (job) => job.previous !== "file", apply: (job) => void (job.modes[job.outDir] = 0o555) },
  {
    name: "out dir's parent read-only",
    refusal: 4006,
    fits: movable,
    apply: (job) => {
      setOut(job, "locked/out");
      job.files["locked/.keep"] = utf8("");
      job.modes.locked = 0o555;
    },
  },
  { name: "input unreadable", refusal: 4005, apply: (job, random) => void (job.modes[choose(random, inputs(job))] = 0o000) },
  { name: "link loop among the inputs", refusal: 4005, apply: (job) => void job.links.push(["loop.ts", "src/loop.ts"]) },
  { name: "dangling link named like a source", apply: (job) => void job.links.push(["someone@host.1", "src/.#lock.ts"]) },
  { name: "FIFO named like a source", apply: (job) => void job.fifos.push("src/pipe.ts") },
  {
    name: "non-UTF-8 byte",
    allowed: 4007,
    apply: (job, random) => void job.kept.push(rewrite(job, random, (text) => `${text}\n// caf\xe9 (Latin-1)\n`)),
  },
  { name: "byte-order mark", apply: (job, random) => rewrite(job, random, (text) => `\xef\xbb\xbf${text}`) },
  { name: "CR-only line endings", apply: (job, random) => rewrite(job, random, (text) => text.replace(/\r?\n/g, "\r")) },
  { name: "CRLF line endings", apply: (job, random) => rewrite(job, random, (text) => text.replace(/\r?\n/g, "\r\n")) },
];

/** A file-system mutant of `module` (with the modules it imports, `closure`): one or two faults, chosen by `random`. */
export function diskMutant(
  module: string,
  closure: string[],
  sources: Record<string, string>,
  targets: readonly Target[],
  random: Random,
  cli: string,
): { mutation: Mutation; job: DiskJob } {
  const job: DiskJob = { faults: [], files: {}, args: [], previous: "adgen", outDir: "out", links: [], fifos: [], modes: {}, refusals: [], allowed: [], kept: [], cli };
  for (const rel of closure) job.files[`src/${rel}`] = utf8(sources[rel]!);
  job.files["src/fuzz-driver.ts"] = utf8(driverText(targets, (m) => "./" + m.replace(/\.ts$/, ""), false, false));
  setOut(job, "out");
  const count = random() < 0.3 ? 2 : 1;
  for (let k = 0; k < count; k++) {
    const fault = choose(random, faults.filter((f) => !job.faults.includes(f.name) && (f.fits?.(job) ?? true)));
    fault.apply(job, random);
    job.faults.push(fault.name);
    if (fault.refusal) job.refusals.push(fault.refusal);
    if (fault.allowed) job.allowed.push(fault.allowed);
  }
  const label = `${module} file system: ${job.faults.join(" + ")} (adgen ${job.args.join(" ")})`;
  return { mutation: { operator: "fileSystem", label, text: sources[module]! }, job };
}

const scratch = /\.adgen-(tmp|old)-/;
const diagnostic = /^(.+?)(?::(\d+):(\d+))? - error ADG(\d{4}): (.+)$/;

/** Builds the mutant's project and judges what the build did. */
export function judgeDisk(job: DiskJob, phase: (name: string) => void): Verdict {
  const verdict = (outcome: Verdict["outcome"], detail: string): Verdict => ({ outcome, detail, checked: 0, kinks: 0, unstable: 0, excluded: 0 });
  phase("compile");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-fuzz-disk-"));
  try {
    stage(dir, job);
    const before = tree(dir);
    const result = build(dir, job);
    if (result.timedOut) return verdict("compile-timeout", "the build did not finish");
    const after = tree(dir);
    const said = `exit ${result.status}: ${result.stderr.trim().split("\n").slice(0, 6).join(" | ")}`;
    if (/ADG9001|^\s+at /m.test(result.stderr)) return verdict("internal-error", said);
    const left = Object.keys(after).filter((file) => scratch.test(file));
    if (left.length > 0) return verdict("disk-changed", `scratch left behind: ${left.join(", ")}; ${said}`);
    if (result.status !== 0) {
      const lines = result.stderr.split("\n").filter(Boolean);
      lines.pop(); // the summary
      const codes = lines.map((line) => diagnostic.exec(line));
      if (result.status !== 1 || codes.length === 0 || codes.some((m) => !m || m[1] === "")) return verdict("wrong-outcome", `not a clean refusal: ${said}`);
      const changed = Object.keys({ ...before, ...after }).filter((file) => before[file] !== after[file]);
      if (changed.length > 0) return verdict("disk-changed", `a refused build changed ${changed.join(", ")}`);
      const found = codes.map((m) => Number(m![4]));
      const may = [...job.refusals, ...job.allowed];
      if (!found.every((code) => may.includes(code))) return verdict("wrong-outcome", `refused, expected ${may.length ? `ADG${may.join("/ADG")}` : "a build"}; ${said}`);
      return verdict("rejected", [...new Set(found.map((code) => `ADG${code}`))].join(" "));
    }
    if (job.refusals.length > 0) return verdict("wrong-outcome", `built, expected ADG${job.refusals.join("/ADG")}; ${said}`);
    const changed = Object.keys(before).filter((file) => file.startsWith("src/") && before[file] !== after[file]);
    if (changed.length > 0) return verdict("disk-changed", `the build changed inputs: ${changed.join(", ")}`);
    for (const input of inputs(job)) {
      const output = path.posix.join(job.outDir, input.slice("src/".length));
      if (!(output in after)) return verdict("wrong-outcome", `no output for ${input}`);
      const written = Buffer.from(after[output]!, "base64");
      const bom = job.files[input]![0] === 0xef;
      if (bom !== written.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) {
        return verdict("wrong-outcome", `${output}: the input's byte-order mark ${bom ? "lost" : "added"}`);
      }
      if (job.kept.includes(input) && !written.equals(job.files[input]!)) return verdict("disk-changed", `${output}: the input's bytes not kept`);
    }
    return verdict("verified", "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the project: inputs, the out dir's previous content, links, FIFOs; adgen linked in. */
function stage(dir: string, job: DiskJob): void {
  for (const [file, bytes] of Object.entries(job.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), bytes);
  }
  const out = path.join(dir, job.outDir);
  if (job.previous === "file") fs.writeFileSync(out, "not a directory\n");
  else if (job.previous === "foreign") {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "notes.txt"), "someone's notes\n");
  } else if (job.previous === "adgen" && !fs.existsSync(out)) previousBuild(out, { "old.ts": "export const old = 1;\n" });
  for (const [target, at] of job.links) fs.symlinkSync(target, path.join(dir, at));
  for (const fifo of job.fifos) execFileSync("mkfifo", [path.join(dir, fifo)]);
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(path.resolve(path.dirname(job.cli), ".."), path.join(dir, "node_modules", "adgen"), "dir");
}

/** `adgen build` as a user the modes bind: everything open to all first, then the modes set. */
function build(dir: string, job: DiskJob): { status: number | null; stderr: string; timedOut: boolean } {
  const root = process.getuid?.() === 0;
  if (root) {
    fs.chmodSync(dir, 0o777);
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isSymbolicLink() || entry.parentPath.includes("node_modules")) continue;
      fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o777 : 0o666);
    }
  }
  const moded = Object.keys(job.modes).filter((file) => fs.existsSync(path.join(dir, file)));
  for (const file of moded) fs.chmodSync(path.join(dir, file), job.modes[file]!);
  const result = spawnSync(process.execPath, [job.cli, "build", ...job.args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 50_000,
    ...(root ? { uid: 65534, gid: 65534 } : {}),
  });
  for (const file of moded) fs.chmodSync(path.join(dir, file), fs.statSync(path.join(dir, file)).isDirectory() ? 0o777 : 0o666);
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  return { status: result.status, stderr: `${result.stderr ?? ""}${result.error && !timedOut ? String(result.error) : ""}`, timedOut };
}
