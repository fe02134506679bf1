/**
 * The four transforms: grad, valueAndGrad, vjp, jvp.
 *
 * adgen's compiler replaces every call to these with generated code at build time, so
 * what lives here is (1) their exact static types, which is what editors and the type
 * checker see, and (2) run-time stubs that only execute when a file was built without
 * adgen, and then fail loudly with instructions instead of returning something wrong.
 */
import { AdgenError } from "./errors.js";
import type { Cotangents, Tangent } from "./types.js";

/** Any function; parameter types are `any` so every concrete function is assignable. */
type AnyFunction = (...args: any) => any;

/** A function with a scalar result: the only kind `grad` / `valueAndGrad` accept. */
type ScalarFunction = (...args: any) => number;

/**
 * The literal indices of an argument list (`0 | 1 | 2` for three parameters), or `number`
 * when its length is not fixed (rest parameters). Out-of-range `wrt` is then a type error.
 */
export type ArgIndex<P extends readonly unknown[]> = number extends P["length"]
  ? number
  : Exclude<keyof P, keyof unknown[]> extends infer K
    ? K extends `${infer N extends number}`
      ? N
      : never
    : never;

/** What `wrt` may be for an argument list `P`: one index, or several in the order wanted. */
export type Wrt<P extends readonly unknown[]> = ArgIndex<P> | readonly ArgIndex<P>[];

/**
 * The gradient of a function with parameters `P` w.r.t. `W`: the tangent of `P[W]` for one
 * index, a tuple of tangents in the order given for several.
 */
export type GradientOf<P extends readonly unknown[], W> = W extends number
  ? Tangent<P[W]>
  : W extends readonly number[]
    ? GradientTuple<P, W>
    : never;

/**
 * Built element by element rather than as a mapped type: the result is then a plain tuple,
 * which also gives array literals in hand-written gradients (checkGrad) a tuple context.
 */
type GradientTuple<P extends readonly unknown[], W extends readonly number[]> = W extends readonly [
  infer H extends number,
  ...infer T extends readonly number[],
]
  ? [Tangent<P[H]>, ...GradientTuple<P, T>]
  : W extends readonly []
    ? []
    : Tangent<P[W[number]]>[];

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions<W = number | readonly number[]> {
  /**
   * Which argument(s) to differentiate with respect to: an index (default `0`), or an array
   * of indices, giving a tuple of gradients in that order. Must be a literal.
   */
  wrt?: W;
}

/** The function `grad(f, { wrt: W })` returns. */
export type GradFunction<F extends ScalarFunction, W = 0> = (
  ...args: Parameters<F>
) => GradientOf<Parameters<F>, W>;

/** The function `valueAndGrad(f, { wrt: W })` returns. */
export type ValueAndGradFunction<F extends ScalarFunction, W = 0> = (
  ...args: Parameters<F>
) => [number, GradientOf<Parameters<F>, W>];

/** The function `vjp(f)` returns: the value and its pullback. */
export type VjpFunction<F extends AnyFunction> = (
  ...args: Parameters<F>
) => [ReturnType<F>, (cotangent: Tangent<ReturnType<F>>) => Cotangents<Parameters<F>>];

/** The function `jvp(f)` returns: the value and its tangent along the given input tangents. */
export type JvpFunction<F extends AnyFunction> = (
  primals: Parameters<F>,
  tangents: Cotangents<Parameters<F>>,
) => [ReturnType<F>, Tangent<ReturnType<F>>];

/** The how-to text shared by the stubs; the call shows the function's name when it has one. */
function notCompiled(transform: string, f: unknown): AdgenError {
  const name = typeof f === "function" && f.name ? f.name : "f";
  return new AdgenError(
    `${transform}(${name}) was not compiled: adgen replaces transform calls at build time. ` +
      "Build this file with `adgen build <files> --out-dir <dir>`, with a bundler plugin " +
      "(adgen/vite, adgen/esbuild, adgen/rollup, adgen/webpack), with tspc and the adgen/transformer " +
      'plugin in tsconfig (`"plugins": [{ "transform": "adgen/transformer", "transformProgram": true }]`), ' +
      "or run it with `node --import adgen/register` (see the adgen README).",
  );
}

/**
 * The gradient of `f` (which must return a `number`) w.r.t. `args[0]`, or w.r.t. the
 * argument(s) named by `options.wrt`. `f` must be a `@differentiable` function.
 *
 * @example
 * const dloss = grad(loss);               // (w, x, y) => gradient w.r.t. w
 * const [dw, dy] = grad(loss, { wrt: [0, 2] })(w, x, y);
 */
export function grad<F extends ScalarFunction>(
  f: F,
  options?: GradOptions<undefined>,
): GradFunction<F, 0>;
export function grad<F extends ScalarFunction, const W extends Wrt<Parameters<F>>>(
  f: F,
  options: Required<GradOptions<W>>,
): GradFunction<F, W>;
export function grad(f: unknown): never {
  throw notCompiled("grad", f);
}

/** Like `grad`, also returning the value: `(...args) => [value, gradient]`. */
export function valueAndGrad<F extends ScalarFunction>(
  f: F,
  options?: GradOptions<undefined>,
): ValueAndGradFunction<F, 0>;
export function valueAndGrad<F extends ScalarFunction, const W extends Wrt<Parameters<F>>>(
  f: F,
  options: Required<GradOptions<W>>,
): ValueAndGradFunction<F, W>;
export function valueAndGrad(f: unknown): never {
  throw notCompiled("valueAndGrad", f);
}

/**
 * Reverse mode for any differentiable result: `(...args) => [value, pullback]`, where
 * `pullback(cotangent)` returns one cotangent per parameter (`null` for non-differentiable ones).
 */
export function vjp<F extends AnyFunction>(f: F): VjpFunction<F>;
export function vjp(f: unknown): never {
  throw notCompiled("vjp", f);
}

/**
 * Forward mode: `(primals, tangents) => [value, tangentOut]`, with `primals` the argument
 * list and `tangents` one tangent per argument (`null` for non-differentiable ones).
 */
export function jvp<F extends AnyFunction>(f: F): JvpFunction<F>;
export function jvp(f: unknown): never {
  throw notCompiled("jvp", f);
}
