/**
 * The random programs' checker on hand-made transforms of one program, `y²`: right ones
 * pass, and a wrong gradient, a wrong or nonlinear pullback and a wrong jvp (with or without
 * vjp beside it) each fail, saying which. Of `y * stopGradient(y)`, whose derivative is `y`: the checker holds the
 * stopped value, so transforms that differentiate through it (2y) fail.
 */
import { describe, expect, it } from "vitest";
import type { Case } from "./programs/ast";
import { argsAt, checkCase } from "./programs/check";
import { reference, type Fn } from "./programs/module";
import { scale } from "./tangents";

const square: Case = {
  program: {
    xType: "Float64Array",
    mType: "number[][]",
    lenA: "2",
    lenB: "2",
    bTyped: true,
    aliasOf: "a",
    rowsInit: "literal",
    cfInit: null,
    caInit: null,
    s0: { k: "num", v: 0 },
    t0: { k: "num", v: 0 },
    body: [],
    result: { k: "bin", op: "*", a: { k: "var", name: "y" }, b: { k: "var", name: "y" } },
    returns: "number",
    recursion: null,
  },
  points: [0, 1].map((n) => ({ x: [0.5, -0.25], y: 0.75 + n, n, m: [[0.5, 1]] })),
};

/** Transforms of y² built by hand; `slope` is what they take its derivative to be. */
function transforms(slope: { grad: number; pullback: number; jvp: number; pullbackPower?: number }): Record<string, Fn> {
  const zeros = (args: unknown[]) => args.map((a) => scale(a, 0));
  const p: Fn = (...args) => (args[1] as number) ** 2;
  return {
    p0: p,
    d0: (...args) => {
      const g = zeros(args);
      g[1] = slope.grad * (args[1] as number);
      return [p(...args), [g[0], g[1], ...(args.length > 3 ? [g[3]] : [])]];
    },
    v0: (...args) => [
      p(...args),
      (w: number) => {
        const ct = zeros(args);
        ct[1] = slope.pullback * (args[1] as number) * w ** (slope.pullbackPower ?? 1);
        return ct;
      },
    ],
    j0: (...[primals, tangents]) => {
      const [y, dy] = [(primals as number[])[1]!, (tangents as number[])[1]!];
      return [p(...(primals as unknown[])), slope.jvp * y * dy];
    },
  };
}

/** `y * stopGradient(y)`, as the generator writes it. */
const stopped: Case = {
  ...square,
  program: { ...square.program, result: { k: "bin", op: "*", a: { k: "var", name: "y" }, b: { k: "stop", a: { k: "var", name: "y" } } } },
};

describe("the random programs' checker", () => {
  const ref = reference([square]);
  const right = { grad: 2, pullback: 2, jvp: 2 };

  it("passes right transforms, at every point", () => {
    expect(argsAt(square, square.points[0]!)[1]).toBe(0.75);
    expect(checkCase(square, 0, transforms(right), ref)).toEqual({ checked: 2, skipped: 0 });
  });

  it.for([
    ["a wrong gradient", { ...right, grad: 3 }, "gradient differs from finite differences"],
    ["a wrong pullback", { ...right, pullback: 3 }, "pullback(1) is"],
    ["a pullback that is not linear", { ...right, pullbackPower: 2 }, "not linear"],
    ["a wrong jvp", { ...right, jvp: 3 }, "jvp's tangent"],
  ] as const)("fails %s", ([, slope, message]) => {
    expect(checkCase(square, 0, transforms(slope), ref).failure).toContain(message);
  });

  it("checks jvp of a program without vjp (one that calls an unmarked function) against finite differences alone", () => {
    const { v0: _, ...withoutVjp } = transforms({ ...right, jvp: 3 });
    expect(checkCase(square, 0, withoutVjp, ref).failure).toContain("jvp's tangent");
    const { v0: __, ...rightWithoutVjp } = transforms(right);
    expect(checkCase(square, 0, rightWithoutVjp, ref)).toEqual({ checked: 2, skipped: 0 });
  });

  it("holds stopped values: the derivative of y·stopGradient(y) is y, not 2y", () => {
    const held = reference([stopped]);
    const once = { grad: 1, pullback: 1, jvp: 1 };
    expect(checkCase(stopped, 0, transforms(once), held)).toEqual({ checked: 2, skipped: 0 });
    expect(checkCase(stopped, 0, transforms(right), held).failure).toContain("gradient differs from finite differences");
    expect(checkCase(stopped, 0, transforms({ ...once, jvp: 2 }), held).failure).toContain("jvp's tangent");
  });
});
