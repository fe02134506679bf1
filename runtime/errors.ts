/**
 * The one error type the adgen runtime throws, so callers can tell adgen's own failures
 * (an uncompiled transform, a malformed custom derivative, a bad checkGrad input) apart
 * from errors raised by the user's code.
 */
export class AdgenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AdgenError";
  }
}
