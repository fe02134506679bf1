/**
 * The spellings of a method as a transform's target: `obj.method` gives a function bound to
 * `obj`; `Class.prototype.method` one that, like the method, takes its `this` from the call.
 */
import { expect, it } from "vitest";
import { compileSources } from "./harness";

const source = `
import { grad } from "adgen";
export class Model {
  constructor(readonly w: number) {}
  /** @differentiable */
  loss(x: number): number {
    return this.w * x * x;
  }
}
export const small = new Model(2);
export const bound = grad(small.loss);
export const unbound = grad(Model.prototype.loss);
`;

it("obj.method is bound to obj; Class.prototype.method takes this from the call", () => {
  const compiled = compileSources({ "a.ts": source });
  expect(compiled.diagnostics).toEqual([]);
  const { Model, bound, unbound } = compiled.load("a.ts");
  expect(bound(3)).toBe(2 * 2 * 3);
  expect(unbound.call(new Model(5), 3)).toBe(2 * 5 * 3);
  expect(unbound.call(new Model(-1), 0.5)).toBe(2 * -1 * 0.5);
});
