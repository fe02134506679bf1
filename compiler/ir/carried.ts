/**
 * Which parameters of differentiable functions carry a derivative out of them.
 *
 * Input: the IR of each function, by key. Output: `carries(key, index)`. Invariant: a
 * parameter that carries none reaches neither the function's result nor its array
 * parameters along any path a derivative flows (only through comparisons, integer
 * operations, and parameters of its callees that carry none either), so its cotangent is
 * zero on every run: a depth or an index passed down a recursion. Callers then treat such
 * an argument as inactive, and the callee's halves return no cotangent for it. Computed
 * per group of functions that call each other, from "none carries" up to a fixed point.
 */
import { analyse } from "./activity";
import type { Expr, IrFunction } from "./ir";
import { children, stmtExprs, walk } from "./traverse";

export class CarriedParams {
  private readonly known = new Map<string, ReadonlySet<number>>();

  /** `irOf` gives undefined for a function with no IR: all its parameters are taken to carry */
  constructor(private readonly irOf: (key: string) => IrFunction | undefined) {}

  readonly carries = (key: string, index: number): boolean => !this.irOf(key) || this.carried(key).has(index);

  private carried(key: string): ReadonlySet<number> {
    const found = this.known.get(key);
    if (found) return found;
    const group = this.reachable(key).filter((k) => this.irOf(k));
    const current = new Map<string, Set<number>>();
    for (const k of group) current.set(k, new Set());
    const carries = (k: string, i: number) => !this.irOf(k) || (this.known.get(k) ?? current.get(k))!.has(i);
    for (let changed = true; changed; ) {
      changed = false;
      for (const k of group) {
        const fn = this.irOf(k)!;
        const set = current.get(k)!;
        const arrays = new Set(fn.params.filter((p) => p.type === "reference").map((p) => p.name));
        const { useful } = analyse(fn, [], carries);
        // into an array parameter: not allowed (ADG1003), but then it would carry a derivative out
        const intoArrays = (name: string) => [...analyse(fn, [name], carries).varied].some((n) => n !== name && arrays.has(n));
        fn.params.forEach((p, i) => {
          if (set.has(i)) return;
          // a method's parameters (which may write `this`) always carry; an array carries when
          // read on a path to the result like a number (its halves take a shadow only then)
          if (fn.self !== undefined || useful.has(p.name) || intoArrays(p.name)) {
            set.add(i);
            changed = true;
          }
        });
      }
    }
    for (const k of group) this.known.set(k, current.get(k)!);
    return this.known.get(key)!;
  }

  /** `key` and every function it calls, directly or not, whose result is not known yet. */
  private reachable(key: string): string[] {
    const seen = new Set([key]);
    const work = [key];
    while (work.length) {
      for (const s of walk(this.irOf(work.pop()!)?.body ?? [])) {
        for (const root of stmtExprs(s)) {
          const stack: Expr[] = [root];
          while (stack.length) {
            const e = stack.pop()!;
            if (e.kind === "call" && e.callee.kind === "differentiable" && !seen.has(e.callee.target) && !this.known.has(e.callee.target)) {
              seen.add(e.callee.target);
              work.push(e.callee.target);
            }
            stack.push(...children(e));
          }
        }
      }
    }
    return [...seen];
  }
}
