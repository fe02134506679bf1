/**
 * Every fixture function × transform against central finite differences.
 *
 * Each fixture module exports `points`: target → argument lists. A target is the name of an
 * exported function (`"loss"`), or `"receiver.method"` for a method reached through an export
 * of the module: an instance (`"affine.apply"`), a class for a static method
 * (`"Polynomial.logistic"`) or an object literal (`"model.f"`). The driver names it the same
 * way (`grad(affine.apply)`), and the method and its transforms are called with `this` = that
 * receiver, which is right whether generated code reads `this` or captured the receiver. A module may also export `integerArgs`: target → indices of
 * integer-valued parameters (counts, depths, labels, selectors). They are differentiated
 * like any `number` parameter, but a finite-difference step would change the program's path
 * (a trip count, a branch), so their gradients are only required to be finite numbers.
 *
 * Per fixture module, a driver module applies to each target
 * - vjp, always: the pullback of a fixed pseudo-random cotangent must match finite
 *   differences of ⟨cotangent, f(x)⟩ and be linear in the cotangent;
 * - grad and valueAndGrad, when the result is a number, w.r.t. every differentiable
 *   parameter (numbers, number arrays, float typed arrays, objects and tuples holding them;
 *   not booleans or strings).
 * The driver is compiled by the real pipeline together with the module and the fixtures it
 * imports, one module per compilation, so a module the compiler rejects fails its own tests
 * only. Which parameters are differentiable and whether the result is a number is read off
 * the values at the first point, evaluated on the uncompiled fixture.
 */
import { describe, expect, it } from "vitest";
import { checkGrad } from "../runtime";
import { compileSources, type Compiled } from "./harness";
import { checkedOf, driverText, importClosure, isDifferentiable, modules, resolveTarget, sources, targets, wrtOf, type Fn, type Target } from "./targets";

const driverFile = "numbers-driver.ts";

// Finite differences in float64: steps of 1e-6 leave errors far below this.
const tolerance = 1e-6;
// Anything touching a Float32Array is rounded to float32 (relative 6e-8) on every store, so with
// a step of 1e-6 the difference quotient would be mostly rounding noise (errors of 3% and more on
// the fixtures). checkGrad's float32 step, 1e-3, is used for every leaf of such a function, the
// float64 ones too (a float64 scale is rounded as soon as its product is stored): rounding noise
// and truncation error are then both ~1e-5 of the derivative, checked with room to spare.
const float32Tolerance = 1e-3;
const float32Step = 1e-3;
// Pullbacks are linear: scaling the cotangent scales every cotangent, up to rounding (float64),
// or up to float32 rounding of the values stored in Float32Arrays along the way.
const linearityTolerance = 1e-10;
const float32LinearityTolerance = 1e-5;

/* ───────────────────────── drivers and compilation ───────────────────────── */


const compiledModules = new Map<string, Compiled>();
/** The module, the fixtures it imports and its driver, compiled (once, on first use). */
function compiled(module: string): Compiled {
  let c = compiledModules.get(module);
  if (!c) {
    const files: Record<string, string> = { [driverFile]: driverText(module) };
    for (const rel of importClosure(module)) files[rel] = sources[rel];
    c = compileSources(files, "functions");
    compiledModules.set(module, c);
  }
  return c;
}

/**
 * The compiled target, and the driver's transforms of it, each called with the target's receiver.
 * grad and valueAndGrad exist for scalar targets only, and vjp for those without effects,
 * so they are looked up when used.
 */
function compiledTarget(t: Target) {
  const i = targets.indexOf(t);
  const c = compiled(t.module);
  const driver = c.load(driverFile);
  const { receiver, fn } = resolveTarget(c.load(t.module), t.name);
  const bound = (g: unknown) => {
    if (typeof g !== "function") throw new Error(`the driver has no function for ${t.name}`);
    return (...args: any[]) => (g as Fn).apply(receiver, args);
  };
  return {
    f: bound(fn),
    grad: () => bound(driver[`grad${i}`]) as (...args: any[]) => unknown[],
    valueAndGrad: () => bound(driver[`valueAndGrad${i}`]) as (...args: any[]) => [number, unknown[]],
    vjp: (...args: any[]) => bound(driver[`vjp${i}`])(...args) as [unknown, (ct: unknown) => unknown[]],
    jvp: (primals: unknown[], tangents: unknown[]) => bound(driver[`jvp${i}`])(primals, tangents) as [unknown, unknown],
    hvp: (...args: any[]) => bound(driver[`hvp${i}`])(...args) as unknown[],
  };
}

/* ───────────────────────── the tests ───────────────────────── */

describe("fixture gradients", () => {
  it("cover the fixtures", () => {
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect(t.points.length, `${t.module}: ${t.name} has no points`).toBeGreaterThan(0);
  });

  for (const module of modules) {
    describe(module, () => {
      it("compiles without diagnostics", () => {
        expect(compiled(module).diagnostics).toEqual([]);
      });

      for (const t of targets.filter((t) => t.module === module)) {
        describe(t.name, () => {
          const fd = t.float32 ? { step: float32Step } : {};
          const tol = t.float32 ? float32Tolerance : tolerance;
          const wrt = wrtOf(t);
          const checked = checkedOf(t);
          const at = (args: unknown[], report?: object) =>
            `at ${describeArgs(args)}${report ? `: ${JSON.stringify(report)}` : ""}`;

          if (t.scalar && wrt.length > 0) {
            it("grad matches finite differences", () => {
              const { f, grad } = compiledTarget(t);
              for (const args of t.points) {
                const gradient = grad()(...args);
                expect(gradient, at(args)).toHaveLength(wrt.length);
                wrt.forEach((j, k) => expectFinite(gradient[k], `gradient of args[${j}]`, at(args)));
                for (const j of t.integer) expectFiniteLike(gradient[wrt.indexOf(j)], args[j], `gradient of args[${j}]`, at(args));
                const report = checkGrad(f, (...a: any[]) => checked.map((j) => grad()(...a)[wrt.indexOf(j)]), args, {
                  wrt: checked,
                  ...fd,
                });
                expect(report.maxRelError, at(args, report)).toBeLessThan(tol);
              }
            });

            it("valueAndGrad gives the value and the same gradient", () => {
              const { f, grad, valueAndGrad } = compiledTarget(t);
              for (const args of t.points) {
                const [value, gradient] = valueAndGrad()(...args);
                expect(value, at(args)).toBe(f(...args));
                expect(gradient, at(args)).toEqual(grad()(...args));
              }
            });
          }

          it("jvp gives the value and a tangent matching finite differences along random directions and, by ⟨u, J·d⟩ = ⟨uᵀJ, d⟩, vjp", () => {
            const { f, jvp, vjp } = compiledTarget(t);
            t.points.forEach((args, p) => {
              const next = random(`${t.module}:${t.name}:jvp:${p}`);
              const tangents = args.map((arg, j) => (!t.differentiable[j] ? null : t.integer.includes(j) ? scale(arg, 0) : cotangentLike(arg, next)));
              const expected = f(...args);
              const [value, tangent] = jvp(args, tangents);
              if (!t.effects) expect(value, at(args)).toEqual(expected);
              const u = cotangentLike(expected, next);
              const directional = dot(u, tangent);
              expectFinite(tangent, "tangent", at(args));

              const h = t.float32 ? float32Step : 1e-6;
              const moved = (eps: number) => dot(u, f(...args.map((arg, j) => along(arg, tangents[j], eps))));
              const difference = (moved(h) - moved(-h)) / (2 * h);
              expectClose(directional, difference, tol, "⟨u, J·d⟩ against finite differences", at(args));

              if (!t.effects) {
                const cts = vjp(...args)[1](u);
                const reverse = wrtOf(t).concat(t.constant).reduce((sum, j) => sum + dot(tangents[j], cts[j]), 0);
                expectClose(directional, reverse, t.float32 ? float32LinearityTolerance : linearityTolerance, "⟨u, J·d⟩ against ⟨uᵀJ, d⟩ from vjp", at(args));
              }
            });
          });

          if (t.scalar && wrt.length > 0) {
            it("hvp matches finite differences of grad along random directions, and is symmetric", () => {
              const { grad, hvp } = compiledTarget(t);
              t.points.forEach((args, p) => {
                const next = random(`${t.module}:${t.name}:hvp:${p}`);
                const direction = () => wrt.map((j) => (t.integer.includes(j) ? scale(args[j], 0) : cotangentLike(args[j], next)));
                const v = direction();
                const hv = hvp(...args, v);
                expect(hv, at(args)).toHaveLength(wrt.length);
                expectFinite(hv, "H·v", at(args));

                const h = t.float32 ? float32Step : 1e-5;
                const shifted = (eps: number) => grad()(...args.map((arg, j) => (wrt.includes(j) ? along(arg, v[wrt.indexOf(j)], eps) : arg)));
                const [plus, minus] = [shifted(h), shifted(-h)];
                for (const j of checked) {
                  const k = wrt.indexOf(j);
                  const difference = along(scale(plus[k], 1 / (2 * h)), minus[k], -1 / (2 * h));
                  expectClose(hv[k], difference, t.float32 ? 1e-2 : 1e-5, `(H·v)[${k}] against finite differences of grad`, at(args));
                }

                const u = direction();
                expectClose(dot(u, hv), dot(v, hvp(...args, u)), t.float32 ? 1e-4 : 1e-8, "⟨u, H·v⟩ against ⟨v, H·u⟩", at(args));
              });
            });
          }

          it.skipIf(t.effects)("vjp gives the value and a linear pullback matching finite differences of ⟨ct, f⟩", () => {
            const { f, grad, vjp } = compiledTarget(t);
            t.points.forEach((args, p) => {
              const expected = f(...args);
              // the pullback differentiates at the arguments vjp was given, whatever happens to them after
              const mine = args.map((arg) => scale(arg, 1));
              const [value, pullback] = vjp(...mine);
              mine.forEach(scramble);
              expect(value, at(args)).toEqual(expected);

              const ct = cotangentLike(expected, random(`${t.module}:${t.name}:${p}`));
              const cts = pullback(ct);
              expect(cts, at(args)).toHaveLength(args.length);
              t.differentiable.forEach((d, j) => {
                const where = `cotangent of args[${j}]`;
                if (!d) expect(cts[j], `${where} ${at(args)}`).toBeNull();
                else if (t.integer.includes(j)) expectFiniteLike(cts[j], args[j], where, at(args));
                else expectFinite(cts[j], where, at(args));
              });

              const report = checkGrad(
                (...a: any[]) => dot(ct, f(...a)),
                (...a: any[]) => {
                  const cotangents = vjp(...a)[1](ct);
                  return checked.map((j) => cotangents[j]);
                },
                args,
                { wrt: checked, ...fd },
              );
              expect(report.maxRelError, at(args, report)).toBeLessThan(tol);

              const scaled = pullback(scale(ct, 2.5));
              const linear = t.float32 ? float32LinearityTolerance : linearityTolerance;
              for (const j of wrt) expectClose(scaled[j], scale(cts[j], 2.5), linear, `pullback(2.5·ct)[${j}]`, at(args));

              if (t.scalar && wrt.length > 0) {
                const ones = pullback(1);
                expect(wrt.map((j) => ones[j]), at(args)).toEqual(grad()(...args));
              }
            });
          });
        });
      }
    });
  }
});

/* ───────────────────────── helpers ───────────────────────── */




/** A deterministic generator of numbers in ±[0.5, 1.5) (mulberry32, seeded by a string). */
function random(seedText: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619);
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => (uniform() < 0.5 ? -1 : 1) * (0.5 + uniform());
}

/**
 * A cotangent for `value`: the same shape (numbers, arrays of the same type and length,
 * objects and tuples with their differentiable fields only), filled from `next`.
 */
function cotangentLike(value: unknown, next: () => number): unknown {
  if (typeof value === "number") return next();
  if (value instanceof Float64Array) return value.map(() => next());
  if (value instanceof Float32Array) return value.map(() => next());
  if (Array.isArray(value)) return value.map((v) => cotangentLike(v, next));
  if (typeof value === "object" && value !== null) {
    const ct: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (isDifferentiable(v)) ct[key] = cotangentLike(v, next);
    return ct;
  }
  throw new Error(`no cotangent for a ${typeof value} result`);
}

/** ⟨ct, y⟩: the sum of products of matching leaves. */
function dot(ct: unknown, y: unknown): number {
  if (typeof ct === "number") {
    if (typeof y !== "number") throw new Error(`cotangent is a number where the result is ${typeof y}`);
    return ct * y;
  }
  if (Array.isArray(ct) || ct instanceof Float64Array || ct instanceof Float32Array) {
    const ys = y as ArrayLike<unknown>;
    if (ys?.length !== ct.length) throw new Error("the result's length changed");
    let s = 0;
    for (let i = 0; i < ct.length; i++) s += dot(ct[i], ys[i]);
    return s;
  }
  let s = 0;
  for (const [key, c] of Object.entries(ct as object)) s += dot(c, (y as Record<string, unknown>)[key]);
  return s;
}

/** `value` with every number multiplied by `factor`, types kept; null stays null. */
function scale(value: unknown, factor: number): unknown {
  if (typeof value === "number") return value * factor;
  if (value instanceof Float64Array || value instanceof Float32Array) return value.map((v) => v * factor);
  if (Array.isArray(value)) return value.map((v) => scale(v, factor));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scale(v, factor)]));
  }
  return value;
}

/** `value + eps · direction`, shaped like `value`: leaves the direction does not reach (null, a missing field) stay. */
function along(value: unknown, direction: unknown, eps: number): unknown {
  if (direction === null || direction === undefined) return value;
  if (typeof value === "number") return value + eps * (direction as number);
  const d = direction as any;
  if (value instanceof Float64Array || value instanceof Float32Array) return value.map((x, i) => x + eps * d[i]);
  if (Array.isArray(value)) return value.map((x, i) => along(x, d[i], eps));
  if (typeof value === "object") return Object.fromEntries(Object.entries(value as object).map(([k, x]) => [k, along(x, d[k], eps)]));
  return value;
}

/** Every number held in `value`'s arrays and plain objects changed in place (an optimiser step, say). */
function scramble(value: unknown): void {
  if (value instanceof Float64Array || value instanceof Float32Array) value.forEach((v, i) => (value[i] = v * 1.5 + 0.25));
  else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(record)) {
      if (typeof v === "number") record[key] = v * 1.5 + 0.25;
      else scramble(v);
    }
  }
}

/** Every number in `value` is finite (no NaN from, say, a field the argument does not have). */
function expectFinite(value: unknown, where: string, at: string): void {
  if (typeof value === "number") expect(value, `${where} ${at}`).toSatisfy(Number.isFinite);
  else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) expectFinite(v, `${where}[${key}]`, at);
  }
}

/** A gradient of `arg` not checked against finite differences: shaped like `arg`, finite. */
function expectFiniteLike(actual: unknown, arg: unknown, where: string, at: string): void {
  expectClose(actual, scale(arg, 0), Infinity, where, at);
  expectFinite(actual, where, at);
}

/** Same shape and types as `expected`, every number within `tol` relative to it. */
function expectClose(actual: unknown, expected: unknown, tol: number, where: string, at: string): void {
  const message = `${where} ${at}`;
  if (typeof expected === "number") {
    expect(typeof actual, message).toBe("number");
    expect(Math.abs((actual as number) - expected), message).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
  } else if (expected instanceof Float64Array || expected instanceof Float32Array || Array.isArray(expected)) {
    if (Array.isArray(expected)) expect(Array.isArray(actual), message).toBe(true);
    else expect(actual, message).toBeInstanceOf(expected.constructor);
    const a = actual as ArrayLike<unknown>;
    expect(a.length, message).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expectClose(a[i], expected[i], tol, `${where}[${i}]`, at);
  } else if (typeof expected === "object" && expected !== null) {
    expect(typeof actual, message).toBe("object");
    for (const [key, e] of Object.entries(expected)) {
      expectClose((actual as Record<string, unknown>)[key], e, tol, `${where}.${key}`, at);
    }
  } else {
    expect(actual, message).toEqual(expected);
  }
}

/** Arguments for a failure message: typed arrays shown with their type. */
function describeArgs(args: unknown[]): string {
  return JSON.stringify(args, (_key, v) =>
    v instanceof Float64Array || v instanceof Float32Array ? `${v.constructor.name}[${Array.from(v).join(", ")}]` : v,
  );
}



