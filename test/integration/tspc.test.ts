/**
 * `adgen/transformer` under the ts-patch npm installs for this Node (3 on Node 20, 4 from
 * Node 22.15): tspc builds the sample app, which checks its gradients; a bad transform call
 * is a tsc error naming its ADG code at the call.
 */
import { describe, expect, it } from "vitest";
import { badCall, bin, expectGradientsCheck, node, output, tsPatchMajor, workspace } from "./helpers";

const tsconfig = JSON.stringify({
  compilerOptions: {
    target: "es2022",
    module: "nodenext",
    strict: true,
    skipLibCheck: true,
    types: [],
    outDir: "dist",
    rootDir: "src",
    plugins: [{ transform: "adgen/transformer", transformProgram: true }],
  },
  include: ["src"],
});

describe(`adgen/transformer with ts-patch ${tsPatchMajor}`, () => {
  it("is the ts-patch major this Node takes", () => {
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    expect(tsPatchMajor).toBe(major > 22 || (major === 22 && minor >= 15) ? 4 : 3);
  });

  it("builds a program whose gradients check", () => {
    const dir = workspace("tspc-app", "app", { "tsconfig.json": tsconfig });
    const built = node([bin("ts-patch", "tspc"), "-p", "tsconfig.json", "--pretty", "false"], dir);
    expect(built.status, output(built)).toBe(0);
    expectGradientsCheck(node(["dist/main.js"], dir));
  });

  it("reports adgen's error at the call as a tsc error", () => {
    const dir = workspace("tspc-error", "app-error", { "tsconfig.json": tsconfig });
    const built = node([bin("ts-patch", "tspc"), "-p", "tsconfig.json", "--pretty", "false"], dir);
    expect(built.status).not.toBe(0);
    const { line, from, to } = badCall(dir);
    const found = new RegExp(`^src/main\\.ts\\(${line},(\\d+)\\): error TS2002: ADG2002: .*cube`, "m").exec(built.stdout);
    expect(found, output(built)).not.toBeNull();
    expect(Number(found![1])).toBeGreaterThanOrEqual(from);
    expect(Number(found![1])).toBeLessThanOrEqual(to);
  });
});
