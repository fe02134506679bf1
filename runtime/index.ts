/**
 * adgen's runtime: the root export of the `adgen` package.
 *
 * The transforms are typed here and replaced by the compiler; checkGrad, the error type,
 * the `@differentiable` decorator and `defineDerivative` work without compilation; the
 * stacks are what generated reverse sweeps import.
 */
export { grad, valueAndGrad, vjp, jvp } from "./transforms.js";
export type {
  ArgIndex,
  Wrt,
  GradientOf,
  GradOptions,
  GradFunction,
  ValueAndGradFunction,
  VjpFunction,
  JvpFunction,
} from "./transforms.js";
export type { Tangent, Cotangents } from "./types.js";
export { checkGrad } from "./checkGrad.js";
export type { CheckGradOptions, CheckGradResult } from "./checkGrad.js";
export { AdgenError } from "./errors.js";
export { differentiable } from "./decorator.js";
export { defineDerivative } from "./derivatives.js";
export type { DerivativeRules } from "./derivatives.js";
export { Float64Stack, BooleanStack, ReferenceStack, numberTape, booleanTape, referenceTape, tapeMark, tapeRewind } from "./stack.js";
export type { TapeMark } from "./stack.js";
export { zerosLike, addTo, takeRange, takeInto, addInto, copyInto } from "./shadow.js";
export { snapshot } from "./snapshot.js";
