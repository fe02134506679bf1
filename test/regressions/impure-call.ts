// `vjp(f)` of an f with an impure call (here a counter; `Math.random()` alike) ran f's
// forward sweep again in the pullback: the call ran again, so the pullback differentiated f
// at other values than the value's, differed from call to call, and was not linear. Found
// by the random programs (feature `impureCalls`); shrunk by fast-check. vjp of such an f is
// now ADG2006 (fixtures/errors/ADG2006-vjp-of-effects.ts); grad and valueAndGrad run it once.
import { valueAndGrad } from "adgen";

let ticks = 0;
export function tick(): number {
  ticks++;
  return 0.5 + (ticks % 4) * 0.25;
}

/** @differentiable */
export function scaledSine(y: number): number {
  const s = tick();
  return Math.sin(y * s);
}

export const valueAndGradOf = valueAndGrad(scaledSine);

export const checks = {
  "valueAndGrad calls tick() once": () => {
    const before = ticks;
    valueAndGradOf(0.3);
    return ticks === before + 1;
  },
  "the gradient is the derivative at the value's point": () =>
    [0, 1, 2, 3].every(() => {
      const [value, gradient] = valueAndGradOf(0.3);
      const s = Math.asin(value) / 0.3; // the tick() value the value used
      return Math.abs(gradient - s * Math.cos(0.3 * s)) < 1e-12;
    }),
};
