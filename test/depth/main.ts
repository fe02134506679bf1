/**
 * `npm run depth`: the largest depth each recursive case of ./cases.ts reaches, primal and
 * gradient, each try in a fresh process with Node's default stack size. `-- <name>…` measures
 * only the cases named.
 */
import * as fs from "node:fs";
import { buildDepthCases, depthCases, maxDepth } from "./cases";

const built = buildDepthCases();
const width = Math.max(...depthCases.map((c) => c.name.length)) + 1;
console.log(`${"case".padEnd(width)}  primal  gradient  gradient÷primal`);
const only = process.argv.slice(2);
for (const c of depthCases.filter((x) => only.length === 0 || only.includes(x.name))) {
  const primal = maxDepth(built, c, "primal");
  const gradient = maxDepth(built, c, "gradient");
  console.log(`${c.name.padEnd(width)} ${String(primal).padStart(7)} ${String(gradient).padStart(9)} ${(gradient / primal).toFixed(2).padStart(16)}`);
}
fs.rmSync(built.dir, { recursive: true, force: true });
