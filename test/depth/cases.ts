/**
 * Recursion depth: how deep a derivative recurses compared with its primal.
 *
 * Input: the recursive functions below (a sum over a list, a power, a mutual even/odd pair,
 * the corpus's climb, a cycle of three, a call in a loop, two calls per level, a cycle whose
 * members call each other from loops, a cycle across two files, methods calling themselves and each other on `this`),
 * their gradients and, for some, their tangents (jvp), compiled with the real pipeline and
 * written as CommonJS next to a probe script. Output: for each case, the largest depth its
 * primal and its derivative reach in a fresh Node process with the default stack size (binary
 * search, one process per try). Invariant: every try runs in its own process, after the same
 * warm-up, so a result does not depend on what ran before it in the measuring process.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ts } from "ts-morph";
import { compileSources, repoRoot } from "../harness";

export const depthSource = `
import { grad, jvp } from "adgen";
import { across } from "./partner";

/** @differentiable */
export function sumSquares(xs: number[], i: number): number {
  if (i >= xs.length) return 0;
  return xs[i] * xs[i] + sumSquares(xs, i + 1);
}

/** @differentiable */
export function power(x: number, n: number): number {
  if (n <= 0) return 1;
  return x * power(x, n - 1);
}

/** @differentiable */
export function even(x: number, n: number): number {
  if (n <= 0) return x;
  return odd(x + 0.0001 * Math.sin(x), n - 1);
}

/** @differentiable */
export function odd(x: number, n: number): number {
  if (n <= 0) return x * x;
  return even(x - 0.0001 * Math.cos(x), n - 1);
}

/** @differentiable */
export function climb(x: number, n: number): number {
  if (n <= 0) return x;
  return climb(x + 0.0001 * Math.sin(x), n - 1);
}

/** @differentiable */
export function first(x: number, n: number): number {
  if (n <= 0) return x;
  return second(x + 0.0001 * Math.sin(x), n - 1);
}

/** @differentiable */
export function second(x: number, n: number): number {
  return third(x * 0.99999 + 0.00001, n);
}

/** @differentiable */
export function third(x: number, n: number): number {
  if (n <= 0) return x * x;
  return first(x - 0.0001 * Math.cos(x), n - 1) + 0.00001 * x;
}

/** @differentiable */
export function looped(x: number, n: number): number {
  let s = x;
  for (let k = 0; k < (n > 0 ? 1 : 0); k++) s = looped(s + 0.0001 * Math.sin(s), n - 1) + 0.00001 * s;
  return s;
}

/** @differentiable */
export function lopsided(x: number, n: number): number {
  if (n <= 0) return x * x;
  return lopsided(x + 0.0001 * Math.sin(x), n - 1) + 0.00001 * lopsided(x, 0);
}

/** @differentiable */
export function forkTail(x: number, n: number): number {
  const y = x + 0.0001 * Math.sin(x);
  if (n <= 0) return y * y;
  if (n % 2 === 0) return 0.00001 * y + forkTail(y, n - 1);
  return (1 + 0.00001 * Math.cos(y)) * forkTail(y, n - 1);
}

/** @differentiable */
export function ring(x: number, n: number): number {
  let s = x;
  for (let k = 0; k < (n > 0 ? 1 : 0); k++) s = ringPartner(s + 0.0001 * Math.sin(s), n - 1) + 0.00001 * s;
  return s;
}

/** @differentiable */
export function ringPartner(x: number, n: number): number {
  let s = x;
  for (let k = 0; k < 1; k++) s = ring(s * 0.99999 + 0.00001, n);
  return s;
}

export class Walker {
  constructor(readonly rate: number) {}

  /** @differentiable */
  climb(x: number, n: number): number {
    if (n <= 0) return x;
    return this.climb(x + this.rate * Math.sin(x), n - 1);
  }

  /** @differentiable */
  up(x: number, n: number): number {
    if (n <= 0) return x;
    return this.down(x + this.rate * Math.sin(x), n - 1);
  }

  /** @differentiable */
  down(x: number, n: number): number {
    if (n <= 0) return x * x;
    return this.up(x - this.rate * Math.cos(x), n - 1);
  }

  /** @differentiable */
  fork(x: number, n: number): number {
    let s = x;
    for (let k = 0; k < (n > 0 ? 1 : 0); k++) s = this.fork(s + this.rate * Math.sin(s), n - 1) + 0.00001 * s;
    return s;
  }
}

const walker = new Walker(0.0001);
export const methodClimb = (x: number, n: number) => walker.climb(x, n);
export const methodFork = (x: number, n: number) => walker.fork(x, n);
export const methodPair = (x: number, n: number) => walker.up(x, n);

/** @differentiable */
export function home(x: number, n: number): number {
  if (n <= 0) return x;
  return across(x + 0.0001 * Math.sin(x), n - 1);
}

const climbJvp = jvp(climb);
const evenJvp = jvp(even);
const loopedJvp = jvp(looped);
const forkTailJvp = jvp(forkTail);

export const gradients = {
  sumSquares: grad(sumSquares, { wrt: 0 }),
  power: grad(power, { wrt: 0 }),
  even: grad(even, { wrt: 0 }),
  evenAll: grad(even),
  climb: grad(climb),
  first: grad(first, { wrt: 0 }),
  looped: grad(looped, { wrt: 0 }),
  lopsided: grad(lopsided, { wrt: 0 }),
  forkTail: grad(forkTail, { wrt: 0 }),
  ring: grad(ring, { wrt: 0 }),
  home: grad(home, { wrt: 0 }),
  methodClimb: grad(walker.climb, { wrt: 0 }),
  methodFork: grad(walker.fork, { wrt: 0 }),
  methodPair: grad(walker.up, { wrt: 0 }),
  climbTangent: (x: number, n: number) => climbJvp([x, n], [1, 0])[1],
  evenTangent: (x: number, n: number) => evenJvp([x, n], [1, 0])[1],
  loopedTangent: (x: number, n: number) => loopedJvp([x, n], [1, 0])[1],
  forkTailTangent: (x: number, n: number) => forkTailJvp([x, n], [1, 0])[1],
};
`;

/** The partner of `home` in another file: a cycle across two modules. */
export const partnerSource = `
import { home } from "./depth";

/** @differentiable */
export function across(x: number, n: number): number {
  if (n <= 0) return x * x;
  return home(x - 0.0001 * Math.cos(x), n - 1);
}
`;

export interface DepthCase {
  name: string;
  /** the primal's name in the module */
  primal: string;
  /** the arguments at depth d */
  args: string;
  /** the derivative w.r.t. x (or xs[0]) as a JavaScript expression of d, where one is known */
  exact?: string;
}

/** Each case: primal, gradient (in `gradients`), arguments at depth `d`. */
export const depthCases: DepthCase[] = [
  { name: "sumSquares", primal: "sumSquares", args: "Array.from({ length: d }, (_, k) => 0.5 + (k % 7) * 0.1), 0", },
  { name: "power", primal: "power", args: "1.00001, d", exact: "d * Math.pow(1.00001, d - 1)" },
  { name: "even", primal: "even", args: "0.7, d" },
  { name: "evenAll", primal: "even", args: "0.7, d" },
  { name: "climb", primal: "climb", args: "0.7, d" },
  { name: "first", primal: "first", args: "0.7, d" },
  { name: "looped", primal: "looped", args: "0.7, d" },
  { name: "lopsided", primal: "lopsided", args: "0.7, d" },
  { name: "forkTail", primal: "forkTail", args: "0.3, d" },
  { name: "ring", primal: "ring", args: "0.7, d" },
  { name: "home", primal: "home", args: "0.7, d" },
  { name: "methodClimb", primal: "methodClimb", args: "0.7, d" },
  { name: "methodFork", primal: "methodFork", args: "0.7, d" },
  { name: "methodPair", primal: "methodPair", args: "0.7, d" },
  { name: "climbTangent", primal: "climb", args: "0.7, d" },
  { name: "evenTangent", primal: "even", args: "0.7, d" },
  { name: "loopedTangent", primal: "looped", args: "0.7, d" },
  { name: "forkTailTangent", primal: "forkTail", args: "0.3, d" },
];

/** The probe: loads the module, warms both functions up shallowly, runs one at depth d; prints its result. */
const probe = `
const m = require(process.argv[2]);
const c = JSON.parse(process.argv[3]);
const which = process.argv[4];
const depth = Number(process.argv[5]);
const at = (d) => eval("[" + c.args + "]");
const primal = m[c.primal];
const gradient = m.gradients[c.name];
const warm = () => { for (let k = 0; k < 500; k++) { primal(...at(40)); gradient(...at(40)); } };
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
(async () => {
  warm();
  await settle();
  warm();
  await settle();
  // a central difference of the primal in its first argument (a number), for cases with no closed form
  const difference = () => {
    const h = 1e-6;
    const [x, ...rest] = at(depth);
    return (primal(x + h, ...rest) - primal(x - h, ...rest)) / (2 * h);
  };
  try {
    const out = which === "primal" ? primal(...at(depth)) : which === "difference" ? difference() : gradient(...at(depth));
    process.stdout.write(JSON.stringify(out));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.exit(3);
  }
})();
`;

/** Compiles the cases into a temporary directory; returns the paths of the module and the probe. */
export function buildDepthCases(): { dir: string; module: string; probe: string } {
  const compiled = compileSources({ "depth.ts": depthSource, "partner.ts": partnerSource }, "depth");
  if (compiled.diagnostics.length) throw new Error(JSON.stringify(compiled.diagnostics));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-depth-"));
  const runtime = JSON.stringify(path.join(repoRoot, "dist", "runtime", "index.js"));
  for (const name of ["depth", "partner"]) {
    const js = ts.transpileModule(compiled.texts[`${name}.ts`]!, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    fs.writeFileSync(path.join(dir, `${name}.js`), js.outputText.replace(/require\("adgen"\)/g, `require(${runtime})`));
  }
  fs.writeFileSync(path.join(dir, "probe.js"), probe);
  return { dir, module: path.join(dir, "depth.js"), probe: path.join(dir, "probe.js") };
}

/** One try in a fresh process: the result, or undefined when the stack overflowed. */
export function runAt(built: { module: string; probe: string }, c: DepthCase, which: "primal" | "gradient" | "difference", depth: number): unknown {
  const run = spawnSync(process.execPath, [built.probe, built.module, JSON.stringify(c), which, String(depth)], { encoding: "utf8" });
  if (run.status === 3) return undefined;
  if (run.status !== 0) throw new Error(`probe ${c.name} ${which} ${depth}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The largest depth that runs, to within `tolerance` (relative), by binary search between 1 and `high`. */
export function maxDepth(built: { module: string; probe: string }, c: DepthCase, which: "primal" | "gradient", high = 200_000, tolerance = 0.01): number {
  let ok = 1;
  let bad = high;
  while (bad - ok > Math.max(1, ok * tolerance)) {
    const mid = Math.floor((ok + bad) / 2);
    if (runAt(built, c, which, mid) === undefined) bad = mid;
    else ok = mid;
  }
  return ok;
}
