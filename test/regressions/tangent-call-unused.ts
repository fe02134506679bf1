// jvp of a function whose call of a @differentiable function (itself, or a helper inside
// `??`) was left as an effect or inside an expression: the tangent function it calls was
// never printed ("p0_tangent_wrt_0_2_3 is not defined", "sumF_tangent is not defined"), since
// only calls assigned to a variable were looked for. Found by the random programs with
// recursion (the call's result unused: `s` does not reach the result) and an unmarked call
// (`plain`), which keeps the call; shrunk by fast-check. Every call in any expression of the
// printed code now asks for its tangent function (generate.ts printCalledTangents).

/** An unmarked function: the compiler keeps calls of functions it cannot see into. */
export function plain(k: number): number {
  return 1 + 0.5 * Math.cos(k);
}

/** @differentiable */
export function recursesForNothing(x: Float64Array, y: number, n: number): number {
  let cf: Float64Array = Float64Array.from(x);
  let s = y;
  cf = x.map((v) => v * (y / (1.5 + Math.sin(s))));
  if (n > 0) {
    s = s * 0.5 + 0.25 * recursesForNothing(x, 0, n - 1);
  }
  let r = y;
  for (let i = 0; i < 2; i++) r = r * 0.5 + plain(i) * y;
  return r + 0.125 * (cf[0] + cf[cf.length - 1]);
}

/** @differentiable */
export function sumF(v: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) acc = acc * 0.5 + Math.sin(v[i] * u + i);
  return acc;
}

/** @differentiable */
export function helperWhenEmpty(x: Float64Array, y: number): number {
  const stk: number[] = [];
  let t = y * plain(1);
  t *= Math.cos(stk.pop() ?? sumF(x, Math.atan(y)));
  return t;
}

export const points = {
  recursesForNothing: [[new Float64Array([0.5, -0.3]), 0.7, 0], [new Float64Array([0.5, -0.3]), 0.7, 1], [new Float64Array([0.5, -0.3]), -0.4, 3]],
  sumF: [[new Float64Array([0.5, -0.3]), 0.7]],
  helperWhenEmpty: [[new Float64Array([0.5, -0.3]), 0.7]],
};

export const integerArgs = {
  recursesForNothing: [2],
};

/** They call `plain`, which the compiler cannot see into: no vjp (ADG2006). */
export const withEffects = ["recursesForNothing", "helperWhenEmpty"];
