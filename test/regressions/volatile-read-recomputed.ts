// Module state that an impure call changes (`ticks`, which `tick()` advances) was read again
// in the reverse half of a recursive function: the reverse half recomputed `ticks === 0` or
// `ticks + 0.5` instead of receiving it from the forward half (split.ts recomputable), after
// the deeper levels had called tick(): a crash (`row_bar` undefined) or a wrong gradient.
// Found by the random programs with recursion and impure calls; shrunk by fast-check, then by
// hand. A volatile read is no longer recomputed.
// Checked with `checks`: every call starts from the same `ticks` (resetTicks), as the
// finite differences need.
import { jvp, valueAndGrad } from "adgen";

let ticks = 0;
export function tick(): number {
  ticks = (ticks + 1) % 4;
  return 0.5 + ticks * 0.25;
}
export function resetTicks(): void {
  ticks = 0;
}

/** Frames (the call in a loop), a decision on `ticks` the reverse half needs. */
/** @differentiable */
export function decidesOnTicks(x: number[], y: number, n: number): number {
  const b = new Array<number>(x.length).fill(0);
  const row = [0.5, ticks === 0 ? x[1] * y : 0.25];
  if (n > 0) {
    for (let i = 0; i < n; i++) b[b.length - 1 - (i % b.length)] = Math.tanh(decidesOnTicks(x, tick() * y, n - 1));
  }
  return 0.125 * (b[0] + b[b.length - 1] + row[1]);
}

/** Descent (one call per level), `ticks` read before the call in the same expression. */
/** @differentiable */
export function readsTicksBeforeCall(x: number[], y: number, n: number): number {
  let s = Math.sin(y * x[0]);
  if (n > 0) s = s * (ticks + 0.5) + readsTicksBeforeCall(x, y * tick(), n - 1);
  return s * y;
}

const decides = valueAndGrad(decidesOnTicks, { wrt: [0, 1] });
const reads = valueAndGrad(readsTicksBeforeCall, { wrt: [0, 1] });
const decidesTangent = jvp(decidesOnTicks);
const readsTangent = jvp(readsTicksBeforeCall);

type Fn = (x: number[], y: number, n: number) => number;
/** d/dy and d/dx[1] by central differences, ticks reset before each run. */
function numeric(f: Fn, x: number[], y: number, n: number): [number, number] {
  const h = 1e-6;
  const at = (dx: number, dy: number) => (resetTicks(), f([x[0], x[1] + dx, x[2]], y + dy, n));
  return [(at(0, h) - at(0, -h)) / (2 * h), (at(h, 0) - at(-h, 0)) / (2 * h)];
}
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
const x = [0.4, -0.7, 0.9];

function gradientMatches(f: Fn, g: (x: number[], y: number, n: number) => [number, [number[], number]]): boolean {
  return [0, 1, 2, 4].every((n) => {
    resetTicks();
    const [, [gx, gy]] = g(x, 0.6, n);
    const [dy, dx1] = numeric(f, x, 0.6, n);
    return close(gy, dy) && close(gx[1], dx1);
  });
}

function tangentMatches(f: Fn, j: (primals: [number[], number, number], tangents: [number[], number, number]) => [number, number]): boolean {
  return [0, 1, 2, 4].every((n) => {
    resetTicks();
    const [, dy] = j([x, 0.6, n], [[0, 0, 0], 1, 0]);
    return close(dy, numeric(f, x, 0.6, n)[0]);
  });
}

export const checks = {
  "decidesOnTicks: valueAndGrad matches finite differences": () => gradientMatches(decidesOnTicks, decides),
  "readsTicksBeforeCall: valueAndGrad matches finite differences": () => gradientMatches(readsTicksBeforeCall, reads),
  "decidesOnTicks: jvp matches finite differences": () => tangentMatches(decidesOnTicks, decidesTangent),
  "readsTicksBeforeCall: jvp matches finite differences": () => tangentMatches(readsTicksBeforeCall, readsTangent),
};
