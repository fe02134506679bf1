// `vjp(f)` computes f's value, and its pullback runs f's forward sweep again on every call:
// an impure call in f (here a counter; `Math.random()` alike) runs again, so the pullback
// differentiates f at other values than the value's, differs from call to call, and is
// not linear. Found by the random programs (feature `impureCalls`); shrunk by fast-check.
import { vjp } from "adgen";

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

export const pullbackOf = vjp(scaledSine);

export const checks = {
  "calling the pullback does not call tick() again": () => {
    const [, pullback] = pullbackOf(0.3);
    const before = ticks;
    pullback(1);
    return ticks === before;
  },
  "the pullback is the derivative at the value's point": () => {
    ticks = 0;
    const [value, pullback] = pullbackOf(0.3);
    const s = Math.asin(value) / 0.3; // the tick() value the value used
    return Math.abs(pullback(1)[0] - s * Math.cos(0.3 * s)) < 1e-12;
  },
};
