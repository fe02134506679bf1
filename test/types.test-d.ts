/**
 * The transforms' static types, checked by tsc (vitest typecheck): what a user's editor
 * shows for grad(f) and friends, and what must be rejected.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  checkGrad,
  defineDerivative,
  differentiable,
  grad,
  hessian,
  hvp,
  jacobian,
  jvp,
  stopGradient,
  valueAndGrad,
  vjp,
  type Cotangents,
  type Tangent,
} from "../runtime/index";

declare function loss(w: Float64Array, x: Float64Array, y: number): number;

interface Layer {
  readonly w: Float64Array;
  b: number[];
  name: string;
  trainable: boolean;
  activation: (x: number) => number;
  inner: { scale: number; label: string };
}
declare function layerLoss(
  layer: Layer,
  input: Float32Array,
  steps: number,
  verbose: boolean,
): number;
declare function predict(layer: Layer, input: number[][]): { out: number[]; tag: string };

describe("Tangent", () => {
  it("mirrors values", () => {
    expectTypeOf<Tangent<number>>().toEqualTypeOf<number>();
    expectTypeOf<Tangent<3>>().toEqualTypeOf<number>();
    expectTypeOf<Tangent<Float64Array>>().toEqualTypeOf<Float64Array>();
    expectTypeOf<Tangent<Float32Array>>().toEqualTypeOf<Float32Array>();
    expectTypeOf<Tangent<readonly number[]>>().toEqualTypeOf<number[]>();
    expectTypeOf<Tangent<number[][]>>().toEqualTypeOf<number[][]>();
    expectTypeOf<Tangent<Float64Array[]>>().toEqualTypeOf<Float64Array[]>();
    expectTypeOf<Tangent<[number, string, Float64Array]>>().toEqualTypeOf<
      [number, null, Float64Array]
    >();
    expectTypeOf<Tangent<readonly [number, number[]]>>().toEqualTypeOf<[number, number[]]>();
  });

  it("is null for non-differentiable types", () => {
    expectTypeOf<Tangent<boolean>>().toEqualTypeOf<null>();
    expectTypeOf<Tangent<string>>().toEqualTypeOf<null>();
    expectTypeOf<Tangent<(x: number) => number>>().toEqualTypeOf<null>();
    expectTypeOf<Tangent<null>>().toEqualTypeOf<null>();
    expectTypeOf<Tangent<undefined>>().toEqualTypeOf<null>();
    expectTypeOf<Tangent<Int32Array>>().toEqualTypeOf<null>();
  });

  it("keeps an object's differentiable fields only", () => {
    expectTypeOf<Tangent<Layer>>().toEqualTypeOf<{
      w: Float64Array;
      b: number[];
      inner: { scale: number };
    }>();
  });

  it("maps an argument list element-wise, keeping labels", () => {
    expectTypeOf<Cotangents<[w: Float64Array, flag: boolean, n: number]>>().toEqualTypeOf<
      [w: Float64Array, flag: null, n: number]
    >();
  });
});

describe("grad", () => {
  it("differentiates w.r.t. the first argument by default", () => {
    expectTypeOf(grad(loss)).toEqualTypeOf<
      (w: Float64Array, x: Float64Array, y: number) => Float64Array
    >();
    expectTypeOf(grad(loss)).parameters.toEqualTypeOf<
      [w: Float64Array, x: Float64Array, y: number]
    >();
    expectTypeOf(grad(layerLoss)).returns.toEqualTypeOf<{
      w: Float64Array;
      b: number[];
      inner: { scale: number };
    }>();
  });

  it("takes wrt as one index", () => {
    expectTypeOf(grad(loss, { wrt: 1 })).returns.toEqualTypeOf<Float64Array>();
    expectTypeOf(grad(loss, { wrt: 2 })).returns.toEqualTypeOf<number>();
    expectTypeOf(grad(layerLoss, { wrt: 1 })).returns.toEqualTypeOf<Float32Array>();
    expectTypeOf(grad(loss, {})).returns.toEqualTypeOf<Float64Array>();
  });

  it("takes wrt as indices, giving a tuple in the order given", () => {
    expectTypeOf(grad(loss, { wrt: [0, 2] })).returns.toEqualTypeOf<[Float64Array, number]>();
    expectTypeOf(grad(loss, { wrt: [2, 0] })).returns.toEqualTypeOf<[number, Float64Array]>();
    expectTypeOf(grad(layerLoss, { wrt: [1, 2] })).parameters.toEqualTypeOf<
      [layer: Layer, input: Float32Array, steps: number, verbose: boolean]
    >();
  });

  it("handles rest parameters", () => {
    expectTypeOf(grad(Math.hypot)).toEqualTypeOf<(...values: number[]) => number>();
  });

  it("rejects non-scalar results and out-of-range wrt", () => {
    const label = (x: number): string => x.toFixed(2);
    // @ts-expect-error grad needs a number result
    grad(label);
    // @ts-expect-error valueAndGrad needs a number result
    valueAndGrad(predict);
    // @ts-expect-error loss has no argument 3
    grad(loss, { wrt: 3 });
    // @ts-expect-error loss has no argument 5
    grad(loss, { wrt: [0, 5] });
    const i: number = 1;
    // @ts-expect-error wrt must be a literal index
    grad(loss, { wrt: i });
  });
});

describe("valueAndGrad", () => {
  it("returns [value, gradient]", () => {
    expectTypeOf(valueAndGrad(loss)).toEqualTypeOf<
      (w: Float64Array, x: Float64Array, y: number) => [number, Float64Array]
    >();
    expectTypeOf(valueAndGrad(loss, { wrt: 2 })).returns.toEqualTypeOf<[number, number]>();
    expectTypeOf(valueAndGrad(loss, { wrt: [1, 0] })).returns.toEqualTypeOf<
      [number, [Float64Array, Float64Array]]
    >();
  });
});

describe("vjp", () => {
  it("returns [value, pullback] with one cotangent per parameter", () => {
    expectTypeOf(vjp(loss)).toEqualTypeOf<
      (
        w: Float64Array,
        x: Float64Array,
        y: number,
      ) => [number, (cotangent: number) => [w: Float64Array, x: Float64Array, y: number]]
    >();
    const [value, pullback] = vjp(predict)({} as Layer, [[1]]);
    expectTypeOf(value).toEqualTypeOf<{ out: number[]; tag: string }>();
    expectTypeOf(pullback).parameter(0).toEqualTypeOf<{ out: number[] }>();
    expectTypeOf(pullback).returns.toEqualTypeOf<
      [layer: { w: Float64Array; b: number[]; inner: { scale: number } }, input: number[][]]
    >();
    expectTypeOf(vjp(layerLoss)).returns.toEqualTypeOf<
      [
        number,
        (
          cotangent: number,
        ) => [
          layer: { w: Float64Array; b: number[]; inner: { scale: number } },
          input: Float32Array,
          steps: number,
          verbose: null,
        ],
      ]
    >();
  });
});

describe("jvp", () => {
  it("takes primals and tangents, returns [value, tangent]", () => {
    expectTypeOf(jvp(loss)).toEqualTypeOf<
      (
        primals: [w: Float64Array, x: Float64Array, y: number],
        tangents: [w: Float64Array, x: Float64Array, y: number],
      ) => [number, number]
    >();
    expectTypeOf(jvp(predict)).returns.toEqualTypeOf<
      [{ out: number[]; tag: string }, { out: number[] }]
    >();
  });
});

declare function pairLoss(x: number, w: number[], steps: number): number;
declare function spiral(t: number, r: Float64Array): Float64Array;

describe("second order", () => {
  it("hvp takes the arguments then a direction shaped like the gradient, and returns one", () => {
    expectTypeOf(hvp(loss)).toEqualTypeOf<(w: Float64Array, x: Float64Array, y: number, v: Float64Array) => Float64Array>();
    expectTypeOf(hvp(pairLoss, { wrt: [0, 1] })).parameters.toEqualTypeOf<[x: number, w: number[], steps: number, [number, number[]]]>();
    expectTypeOf(hvp(pairLoss, { wrt: [0, 1] })).returns.toEqualTypeOf<[number, number[]]>();
    // @ts-expect-error the direction is required
    hvp(loss)(new Float64Array(2), new Float64Array(2), 1);
  });

  it("hessian gives a row per number of the wrt value, each shaped like the gradient; a number for a number", () => {
    expectTypeOf(hessian(loss)).returns.toEqualTypeOf<Float64Array[]>();
    expectTypeOf(hessian(pairLoss)).returns.toEqualTypeOf<number>();
    expectTypeOf(hessian(pairLoss, { wrt: 1 })).returns.toEqualTypeOf<number[][]>();
    expectTypeOf(hessian(pairLoss, { wrt: [0, 1] })).returns.toEqualTypeOf<[number, number[]][]>();
    // @ts-expect-error hessian needs a number result
    hessian(spiral);
  });

  it("jacobian gives a row per number of the result, each shaped like the gradient", () => {
    expectTypeOf(jacobian(spiral)).returns.toEqualTypeOf<number[]>();
    expectTypeOf(jacobian(spiral, { wrt: 1 })).returns.toEqualTypeOf<Float64Array[]>();
    expectTypeOf(jacobian(spiral, { wrt: [1, 0] })).returns.toEqualTypeOf<[Float64Array, number][]>();
  });

  it("stopGradient keeps its argument's type", () => {
    const w = new Float64Array(1);
    expectTypeOf(stopGradient(w)).toEqualTypeOf<typeof w>();
    expectTypeOf(stopGradient(2 as number)).toEqualTypeOf<number>();
  });
});

describe("defineDerivative", () => {
  it("takes a rule with a block body, and one without forward (forward mode then reports it where it is needed)", () => {
    defineDerivative(Math.cbrt, {
      reverse([x], y, dy) {
        const slope = 3 * y * y;
        return [x === 0 ? 0 : dy / slope];
      },
    });
  });

  it("types rules from the function, fixed-arity and variadic", () => {
    defineDerivative(Math.sin, {
      reverse: ([x], _y, dy) => [dy * Math.cos(x)],
      forward: ([x], [dx]) => dx * Math.cos(x),
    });
    defineDerivative(Math.atan2, {
      reverse: ([y, x], _r, dr) => [(dr * x) / (x * x + y * y), (-dr * y) / (x * x + y * y)],
      forward: ([y, x], [dy, dx]) => (x * dy - y * dx) / (x * x + y * y),
    });
    defineDerivative(Math.max, {
      reverse: (xs, y, dy) => xs.map((x) => (x === y ? dy : 0)),
      forward: (xs, dxs, y) => dxs[xs.indexOf(y)] ?? 0,
    });
    defineDerivative((p: { a: number; tag: string }, v: Float64Array) => v.map((vi) => vi * p.a), {
      reverse: ([p, v], _y, dy) => [
        { a: dy.reduce((s, d, i) => s + d * v[i]!, 0) },
        dy.map((d) => d * p.a),
      ],
      forward: ([p, v], [dp, dv]) => dv.map((d, i) => d * p.a + v[i]! * dp.a),
    });
    defineDerivative(Math.exp, {
      // @ts-expect-error a reverse rule returns one cotangent per argument
      reverse: (_args, y, dy) => dy * y,
      forward: (_args, [dx], y) => dx * y,
    });
  });
});

describe("checkGrad", () => {
  it("types the gradient from the arguments and wrt", () => {
    const w = new Float64Array(3);
    expectTypeOf(checkGrad(loss, grad(loss), [w, w, 1]).where).toEqualTypeOf<string>();
    checkGrad(loss, grad(loss, { wrt: [2, 1] }), [w, w, 1], { wrt: [2, 1] });
    // @ts-expect-error the gradient w.r.t. y is a number, not a Float64Array
    checkGrad(loss, grad(loss), [w, w, 1], { wrt: 2 });
  });
});

describe("differentiable", () => {
  it("decorates methods", () => {
    class Model {
      scale = 2;
      @differentiable
      apply(x: number): number {
        return this.scale * x;
      }
      @differentiable
      static square(x: number): number {
        return x * x;
      }
    }
    expectTypeOf(new Model().apply).toEqualTypeOf<(x: number) => number>();
    expectTypeOf(Model.square).toEqualTypeOf<(x: number) => number>();
  });
});
