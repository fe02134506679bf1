// `grad(f)` and `grad(f, { wrt: [0] })` in one build become one generated function, so one
// of them returns the other's shape: a number where `[number]` is due, or the reverse. The
// same for `valueAndGrad`. Found by the mutation fuzzer (its driver asked for
// `grad(affine.apply, { wrt: [0] })` beside the fixture's own `grad(affine.apply)`).
import { grad, valueAndGrad } from "adgen";

/** @differentiable */
export function square(x: number): number {
  return x * x;
}

export const gradOf = grad(square);
export const gradList = grad(square, { wrt: [0] });
export const valueAndGradList = valueAndGrad(square, { wrt: [0] });
export const valueAndGradOf = valueAndGrad(square);

export const points = {
  square: [[1.5], [-0.5]],
};

export const checks = {
  "grad(square) returns a number": () => JSON.stringify(gradOf(1.5)) === "3",
  "grad(square, { wrt: [0] }) returns [number]": () => JSON.stringify(gradList(1.5)) === "[3]",
  "valueAndGrad(square, { wrt: [0] }) returns [number, [number]]": () => JSON.stringify(valueAndGradList(1.5)) === "[2.25,[3]]",
  "valueAndGrad(square) returns [number, number]": () => JSON.stringify(valueAndGradOf(1.5)) === "[2.25,3]",
};
