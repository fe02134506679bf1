/**
 * The programs of `npm run bench` (test/bench/), at small sizes: every transform call the
 * benchmark builds compiles — or is rejected only for a construct adgen does not support
 * yet, with that construct's diagnostic — the hand-written gradients match central finite
 * differences of their objectives, and every generated transform that compiles agrees with
 * the hand-written gradient (grad and jvp to rounding, hvp to a finite difference of it).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checkGrad } from "../runtime";
import { compileSources, repoRoot } from "./harness";
import { gmmArgs, lstmArgs, logisticArgs, mlpArgs, scalarArgs, seeded, type GmmArgs } from "./bench/inputs";

type Fn = (...args: any[]) => any;
interface Program {
  module: string;
  fn: string;
  wrt: number | number[];
  hand: { module: string; fn: string };
}
interface TransformCall {
  id: string;
  program: string;
  transform: string;
  module: string;
  fn: string;
}

// The benchmark's own CommonJS modules, as `npm run bench` runs them.
const requireBench = createRequire(path.join(repoRoot, "test", "bench", "run.js"));
const { programs, transformCalls, driverText } = requireBench("./programs.js") as {
  programs: Record<string, Program>;
  transformCalls: () => TransformCall[];
  driverText: (call: TransformCall, specifier: string) => string;
};
const { checkAgainstHand } = requireBench("./checks.js") as {
  checkAgainstHand: (transforms: Record<string, Fn>, hand: Fn, args: unknown[], wrt: number | number[], random: typeof seeded) => Record<string, number>;
};

/** Transform calls adgen rejects today, each with the one diagnostic it may give until it supports them. */
const notYetSupported: Record<string, RegExp> = {
  "gmm.jvp": /^ADG1001: jvp \(forward mode\) is not supported yet/,
  "mlp.jvp": /^ADG1001: jvp \(forward mode\) is not supported yet/,
  "gmm.hvp": /^ADG3003: .*has no exported member 'hvp'/,
  "mlp.hvp": /^ADG3003: .*has no exported member 'hvp'/,
};

/** With the Wishart prior's γ and m away from ADBench's 1 and 0, so that their terms are checked too. */
const withPrior = (args: GmmArgs): GmmArgs => [args[0], args[1], args[2], args[3], 1.5, 2];

/** Small argument lists per program: fast enough to difference every parameter. */
const small: Record<string, unknown[][]> = {
  gmm: [gmmArgs(2, 3, 5), withPrior(gmmArgs(3, 4, 6, 9))],
  lstm: [lstmArgs(1, 2, 3), lstmArgs(2, 3, 5)],
  rosenbrock: scalarArgs(3, 2),
  neuron: scalarArgs(3, 4),
  euler: [
    [2.0, 0.3, 1.0, 0.0, 0.05, 30],
    [0.7, 0.1, -0.5, 0.8, 0.1, 25],
  ],
  mlp: [mlpArgs(4, 3, 2), mlpArgs(5, 4, 3, 11)],
  logistic: [logisticArgs(6, 3)],
  recursion: [
    [0.7, 8],
    [1.2, 3],
  ],
};

async function exported(module: string, name: string): Promise<Fn> {
  return (await import(path.join(repoRoot, module)))[name] as Fn;
}

describe("hand-written gradients of the benchmark", () => {
  it("cover every program", () => expect(Object.keys(small).sort()).toEqual(Object.keys(programs).sort()));

  for (const [name, program] of Object.entries(programs)) {
    it(`${name}: ${program.hand.fn} matches central finite differences of ${program.fn}`, async () => {
      const primal = await exported(program.module, program.fn);
      const hand = await exported(program.hand.module, program.hand.fn);
      for (const args of small[name]) {
        const result = checkGrad(primal, hand, args, { wrt: program.wrt, tolerance: 1e-6 } as never);
        expect(result.ok, `worst at ${result.where}: ${result.analytic} vs ${result.numeric}`).toBe(true);
      }
    });
  }
});

describe("transform calls of the benchmark", () => {
  for (const call of transformCalls()) {
    const name = `${call.id}: ${call.transform}(${call.fn}) compiles and agrees with the hand-written gradient`;
    it(notYetSupported[call.id] ? `${name}, or is rejected only as not supported yet` : name, async () => {
      const driver = `drivers/${call.id}.ts`;
      const compiled = compileSources(
        {
          [call.module]: fs.readFileSync(path.join(repoRoot, call.module), "utf8"),
          [driver]: driverText(call, `../${call.module.replace(/\.ts$/, "")}`),
        },
        "bench-virtual",
      );
      const messages = compiled.diagnostics.map((d) => `ADG${d.code}: ${d.message}`);
      const pending = notYetSupported[call.id];
      if (messages.length > 0) {
        expect(pending, messages.join("\n")).toBeDefined();
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatch(pending);
        return;
      }
      const program = programs[call.program];
      const hand = await exported(program.hand.module, program.hand.fn);
      const transformed = compiled.load(driver).transformed as Fn;
      for (const args of small[call.program]) {
        const off = checkAgainstHand({ [call.transform]: transformed }, hand, args, program.wrt, seeded)[call.transform];
        expect(off).toBeLessThan(call.transform === "hvp" ? 1e-5 : 1e-9);
      }
    });
  }
});
