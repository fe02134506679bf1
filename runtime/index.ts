/**
 * adgen's runtime: the root export of the `adgen` package.
 *
 * The transforms are typed here and replaced by the compiler; checkGrad, the error type,
 * the `@differentiable` decorator and `defineDerivative` work without compilation; the
 * stacks are what generated reverse sweeps import.
 */
export { grad, valueAndGrad, vjp, jvp } from "./transforms";
export type {
  ArgIndex,
  Wrt,
  GradientOf,
  GradOptions,
  GradFunction,
  ValueAndGradFunction,
  VjpFunction,
  JvpFunction,
} from "./transforms";
export type { Tangent, Cotangents } from "./types";
export { checkGrad } from "./checkGrad";
export type { CheckGradOptions, CheckGradResult } from "./checkGrad";
export { AdgenError } from "./errors";
export { differentiable } from "./decorator";
export { defineDerivative } from "./derivatives";
export type { DerivativeRules } from "./derivatives";
export { Float64Stack, BooleanStack, ReferenceStack, numberTape, booleanTape, referenceTape, tapeMark, tapeRewind } from "./stack";
export type { TapeMark } from "./stack";
export { zerosLike, addTo, takeRange, takeInto, addInto, copyInto } from "./shadow";
