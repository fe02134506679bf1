/**
 * adgen's runtime: the root export of the `adgen` package.
 *
 * The transforms are typed here and replaced by the compiler; checkGrad, the error type,
 * the `@differentiable` decorator and `defineDerivative` work without compilation; the
 * stacks are what generated reverse sweeps import.
 */
export { grad, valueAndGrad, vjp, jvp, hvp, hessian, jacobian, stopGradient } from "./transforms.js";
export type {
  ArgIndex,
  Wrt,
  GradientOf,
  GradOptions,
  GradFunction,
  ValueAndGradFunction,
  VjpFunction,
  JvpFunction,
  HvpFunction,
  HessianOf,
  HessianFunction,
  JacobianFunction,
} from "./transforms.js";
export type { Tangent, Cotangents } from "./types.js";
export { checkGrad } from "./checkGrad.js";
export type { CheckGradOptions, CheckGradResult } from "./checkGrad.js";
export { AdgenError } from "./errors.js";
export { differentiable } from "./decorator.js";
export { defineDerivative, reverseRule, forwardRule } from "./derivatives.js";
export type { DerivativeRules } from "./derivatives.js";
export { Float64Stack, BooleanStack, ReferenceStack, tapeMark, tapeRewind, levelStack, levelFlagStack } from "./stack.js";
import { numberTape as numbers, booleanTape as booleans, referenceTape as references } from "./stack.js";
// The shared tapes as constants rather than re-exports: generated code reads `adgen.numberTape`
// at each push in a recursive half, and a CommonJS re-export is a getter call V8 may not inline.
export const numberTape = numbers;
export const booleanTape = booleans;
export const referenceTape = references;
export type { TapeMark } from "./stack.js";
export { zerosLike, addTo, takeRange, takeInto, addInto, copyInto, shrink } from "./shadow.js";
export { snapshot } from "./snapshot.js";
export { hessianRows, jacobianRows } from "./basis.js";
