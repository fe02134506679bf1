/**
 * The runtime without compilation: transforms fail loudly with the how-to, checkGrad
 * accepts right gradients and pinpoints wrong ones, stacks survive growth, the decorator
 * is a no-op, defineDerivative checks its arguments.
 */
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as runtime from "../runtime/index";
import {
  AdgenError,
  Float64Stack,
  checkGrad,
  defineDerivative,
  differentiable,
  forwardRule,
  grad,
  jvp,
  reverseRule,
  valueAndGrad,
  vjp,
} from "../runtime/index";

function loss(w: Float64Array, x: Float64Array, y: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * x[i]!;
  return (s - y) ** 2;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("uncompiled transforms", () => {
  const calls: [string, () => unknown][] = [
    ["grad", () => grad(loss)],
    ["grad", () => grad(loss, { wrt: [0, 2] })],
    ["valueAndGrad", () => valueAndGrad(loss)],
    ["vjp", () => vjp(loss)],
    ["jvp", () => jvp(loss)],
  ];
  it.each(calls)("%s throws AdgenError saying how to compile", (name, run) => {
    const error = thrown(run);
    expect(error).toBeInstanceOf(AdgenError);
    expect(error).toBeInstanceOf(Error);
    const { name: errorName, message } = error as AdgenError;
    expect(errorName).toBe("AdgenError");
    expect(message).toContain(`${name}(loss) was not compiled`);
    expect(message).toContain("adgen build <files> --out-dir <dir>");
    expect(message).toContain("adgen/transformer");
    expect(message).toContain("tspc");
  });

  it("names an anonymous function f", () => {
    expect((thrown(() => grad((x: number) => x)) as Error).message).toMatch(
      /^grad\(f\) was not compiled/,
    );
  });
});

describe("checkGrad", () => {
  it("numbers, default wrt", () => {
    const f = (x: number, y: number) => Math.sin(x) * y;
    const right = checkGrad(f, (x, y) => Math.cos(x) * y, [0.7, 2]);
    expect(right.ok).toBe(true);
    expect(right.maxRelError).toBeLessThan(1e-7);
    expect(right.where).toBe("args[0]");

    const wrong = checkGrad(f, (x, y) => -Math.cos(x) * y, [0.7, 2]);
    expect(wrong.ok).toBe(false);
    expect(wrong.where).toBe("args[0]");
    expect(wrong.analytic).toBeCloseTo(-Math.cos(0.7) * 2, 12);
    expect(wrong.numeric).toBeCloseTo(Math.cos(0.7) * 2, 6);
  });

  it("numbers, wrt one index and several in the given order", () => {
    const f = (x: number, y: number, z: number) => x * y * y + Math.exp(z);
    const args: [number, number, number] = [1.5, -2, 0.3];
    expect(checkGrad(f, (x, y) => 2 * x * y, args, { wrt: 1 }).ok).toBe(true);
    const pair = checkGrad(f, (x, y, z) => [Math.exp(z), y * y], args, { wrt: [2, 0] });
    expect(pair.ok).toBe(true);
    const swapped = checkGrad(f, (x, y, z) => [y * y, Math.exp(z)], args, { wrt: [2, 0] });
    expect(swapped.ok).toBe(false);
    expect(["args[2]", "args[0]"]).toContain(swapped.where);
  });

  it("Float64Array", () => {
    const w = Float64Array.from([0.5, -1, 2, 0.25]);
    const x = Float64Array.from([1, 2, -0.5, 3]);
    const dloss = (w: Float64Array, x: Float64Array, y: number): Float64Array => {
      let s = 0;
      for (let i = 0; i < w.length; i++) s += w[i]! * x[i]!;
      return x.map((xi) => 2 * (s - y) * xi);
    };
    expect(checkGrad(loss, dloss, [w, x, 0.3]).ok).toBe(true);

    const broken = (w: Float64Array, x: Float64Array, y: number): Float64Array => {
      const g = dloss(w, x, y);
      g[3] = g[3]! + 1;
      return g;
    };
    const result = checkGrad(loss, broken, [w, x, 0.3]);
    expect(result.ok).toBe(false);
    expect(result.where).toBe("args[0][3]");
    expect(result.maxAbsError).toBeCloseTo(1, 5);
    // the inputs are untouched
    expect(Array.from(w)).toEqual([0.5, -1, 2, 0.25]);
  });

  it("Float32Array uses a step float32 can represent", () => {
    const f = (v: Float32Array) => v.reduce((s, vi) => s + vi * vi * vi, 0);
    const v = Float32Array.from([0.5, -1.25, 3, 100]);
    const result = checkGrad(f, (v) => v.map((vi) => 3 * vi * vi), [v]);
    expect(result.ok).toBe(true);
    const wrong = checkGrad(f, (v) => v.map((vi, i) => (i === 2 ? 2 * vi * vi : 3 * vi * vi)), [v]);
    expect(wrong.ok).toBe(false);
    expect(wrong.where).toBe("args[0][2]");
  });

  it("number[][]", () => {
    const f = (m: number[][]) =>
      m.reduce((s, row, i) => s + row.reduce((t, v, j) => t + (i + 1) * v * v * (j + 1), 0), 0);
    const m = [
      [1, 2, 3],
      [-1, 0.5, 4],
    ];
    const good = (m: number[][]) => m.map((row, i) => row.map((v, j) => 2 * (i + 1) * v * (j + 1)));
    expect(checkGrad(f, good, [m]).ok).toBe(true);
    const bad = (m: number[][]) =>
      good(m).map((row, i) => row.map((g, j) => (i === 1 && j === 2 ? 0 : g)));
    const result = checkGrad(f, bad, [m]);
    expect(result.ok).toBe(false);
    expect(result.where).toBe("args[0][1][2]");
    expect(result.analytic).toBe(0);
    expect(result.numeric).toBeCloseTo(48, 4);
  });

  it("plain objects and tuples, skipping non-differentiable fields", () => {
    interface Params {
      w: number[];
      b: number;
      name: string;
      frozen: boolean;
      pair: [number, string];
    }
    const f = (p: Params, x: number) =>
      p.w[0]! * x + p.w[1]! * x * x + p.b * p.pair[0] + (p.frozen ? 1 : 0);
    const p: Params = { w: [0.5, -2], b: 3, name: "layer", frozen: true, pair: [1.5, "tag"] };
    const good = (p: Params, x: number) => ({
      w: [x, x * x],
      b: p.pair[0],
      pair: [p.b, null] as [number, null],
    });
    expect(checkGrad(f, good, [p, 0.8]).ok).toBe(true);

    const bad = (p: Params, x: number) => ({
      w: [x, 2 * x],
      b: p.pair[0],
      pair: [p.b, null] as [number, null],
    });
    const result = checkGrad(f, bad, [p, 0.8]);
    expect(result.ok).toBe(false);
    expect(result.where).toBe("args[0].w[1]");

    const badTuple = (p: Params, x: number) => ({
      w: [x, x * x],
      b: p.pair[0],
      pair: [0, null] as [number, null],
    });
    expect(checkGrad(f, badTuple, [p, 0.8]).where).toBe("args[0].pair[0]");
  });

  it("reports the relative error as |a-n| / max(1, |a|, |n|)", () => {
    const f = (x: number) => 1000 * x;
    const result = checkGrad(f, () => 1001, [2]);
    expect(result.maxRelError).toBeCloseTo(1 / 1001, 6);
    expect(result.maxAbsError).toBeCloseTo(1, 5);
    expect(result.ok).toBe(false);
    expect(checkGrad(f, () => 1001, [2], { tolerance: 1e-2 }).ok).toBe(true);
  });

  it("treats NaN as the worst error", () => {
    const result = checkGrad(
      (x: number[]) => x[0]! + x[1]!,
      () => [1, NaN],
      [[1, 2]],
    );
    expect(result.ok).toBe(false);
    expect(result.where).toBe("args[0][1]");
    expect(result.maxRelError).toBe(Infinity);
  });

  it("rejects a gradient whose shape does not mirror the argument", () => {
    const error = thrown(() =>
      checkGrad(
        (x: number[]) => x[0]! * x[1]!,
        (x) => [x[1]!],
        [[1, 2]],
      ),
    );
    expect(error).toBeInstanceOf(AdgenError);
    expect((error as Error).message).toContain("args[0][1]");
  });
});

describe("stacks", () => {
  it("Float64Stack pushes and pops across growth, reports bytes, resets", () => {
    const stack = new Float64Stack(2);
    const n = 1000;
    for (let i = 0; i < n; i++) stack.push(i + 0.5);
    expect(stack.length).toBe(n);
    expect(stack.bytes).toBe(8 * n);
    for (let i = n - 1; i >= 0; i--) expect(stack.pop()).toBe(i + 0.5);
    expect(stack.length).toBe(0);
    expect(stack.bytes).toBe(0);
    expect(() => stack.pop()).toThrow(AdgenError);
    stack.push(1);
    stack.push(2);
    stack.reset();
    expect(stack.length).toBe(0);
    stack.push(Math.PI);
    expect(stack.pop()).toBe(Math.PI);
  });
});

describe("differentiable decorator", () => {
  it("returns the method unchanged (standard decorators)", () => {
    const method = function (this: unknown, x: number) {
      return x * x;
    };
    const context = { kind: "method", name: "square" } as ClassMethodDecoratorContext;
    expect(differentiable(method, context)).toBe(method);

    // Applied by hand: the test runner's transpiler leaves decorator syntax to Node 20, which lacks it.
    class Model {
      scale = 3;
      apply(x: number): number {
        return this.scale * x;
      }
    }
    const apply = Model.prototype.apply;
    const decorated = differentiable(apply, {
      kind: "method",
      name: "apply",
    } as ClassMethodDecoratorContext<Model, typeof apply>);
    expect(decorated).toBe(apply);
    expect(decorated.call(new Model(), 2)).toBe(6);
  });

  // Decorator syntax compiled the way a user's build compiles it, in both flavours.
  it.each([false, true])(
    "works as @differentiable in tsc output (experimentalDecorators: %s)",
    (legacy) => {
      const source = [
        'import { differentiable } from "adgen";',
        "export class Model {",
        "  scale = 3;",
        "  @differentiable",
        "  apply(x: number): number { return this.scale * x; }",
        "}",
      ].join("\n");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.CommonJS,
          experimentalDecorators: legacy,
        },
      });
      const exports: { Model?: new () => { apply(x: number): number } } = {};
      const load = new Function("require", "exports", outputText) as (
        r: (id: string) => unknown,
        e: object,
      ) => void;
      load((id) => (id === "adgen" ? runtime : require(id)), exports);
      expect(new exports.Model!().apply(2)).toBe(6);
    },
  );

  it("returns the descriptor unchanged (legacy decorators)", () => {
    const descriptor: PropertyDescriptor = { value: (x: number) => x, writable: true };
    expect(differentiable({}, "f", descriptor)).toBe(descriptor);
  });
});

describe("defineDerivative", () => {
  it("accepts a function with both rules and returns nothing", () => {
    const rules = {
      reverse: ([x]: [number], _y: number, dy: number): [number] => [dy * Math.cos(x)],
      forward: ([x]: [number], [dx]: [number]): number => dx * Math.cos(x),
    };
    expect(defineDerivative(Math.sin, rules)).toBeUndefined();
  });

  it("rejects malformed rules; forward may be left out", () => {
    const bad = { reverse: () => [0], forward: 2 } as unknown as Parameters<
      typeof defineDerivative<[number], number>
    >[1];
    const error = thrown(() => defineDerivative(Math.exp, bad));
    expect(error).toBeInstanceOf(AdgenError);
    expect((error as Error).message).toContain(
      "defineDerivative(exp): rules.forward must be a function",
    );
    defineDerivative(Math.expm1, { reverse: ([x], _y, dy) => [dy * Math.exp(x)] });
  });

  it("registers a rule that generated code calls at run time", () => {
    const cube = (x: number) => x * x * x;
    defineDerivative(cube, { reverse: ([x], _y, dy) => [3 * x * x * dy], forward: ([x], [dx]) => 3 * x * x * dx });
    expect(reverseRule(cube, [2], 8, 1)).toEqual([12]);
    expect(forwardRule(cube, [2], [0.5], 8)).toBe(6);
    expect(thrown(() => reverseRule((x: number) => x, [1], 1, 1))).toBeInstanceOf(AdgenError);
  });
});
