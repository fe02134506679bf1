/**
 * The test suite of a directory of fixture modules: every target × transform against
 * central finite differences (the checks of ./gradients.ts), as vitest tests.
 *
 * Per module, a driver module applies jvp to each target, vjp to each target without
 * effects, and grad, valueAndGrad and hvp when the result is a number, w.r.t. every
 * differentiable parameter not held constant. The driver is compiled by
 * the real pipeline together with the module and the modules it imports, one module per
 * compilation, so a module the compiler rejects fails its own tests only. A module may also
 * export `checks` (statement → a function returning true when it holds, run on the
 * compiled module) for what points cannot say. Which parameters
 * are differentiable and whether the result is a number is read off the values at the first
 * point, evaluated on the uncompiled module.
 */
import { describe, expect, it } from "vitest";
import { compileSources, moduleLoader, uncompiledRuntime, type Compiled } from "./harness";
import { importClosure } from "./fixtures";
import { checkGradient, checkHvp, checkJvp, checkValueAndGrad, checkVjp, targetsOf, transformsOf, wrtOf, driverText, type Target } from "./gradients";

const driverFile = "fixture-driver.ts";

/**
 * Tests for the modules of `sources` (relative path → text), compiled under `fixtures/<dir>`.
 * `skipped` maps a module to the reason its tests are skipped (a known bug, say).
 */
export function fixtureSuite(sources: Record<string, string>, dir: string, skipped: Record<string, string> = {}): void {
  const modules = Object.keys(sources).sort();
  const uncompiled = moduleLoader(sources, { adgen: uncompiledRuntime });
  let ids = 0;
  const targets = modules.flatMap((module) => targetsOf(module, uncompiled(module), () => ids++));
  const compiledModules = new Map<string, Compiled>();

  /** The module, the modules it imports and its driver, compiled (once, on first use). */
  const compiled = (module: string): Compiled => {
    let c = compiledModules.get(module);
    if (!c) {
      const mine = targets.filter((t) => t.module === module);
      const files: Record<string, string> = { [driverFile]: driverText(mine, (m) => "./" + m.replace(/\.ts$/, "")) };
      for (const rel of importClosure(sources, module)) files[rel] = sources[rel]!;
      c = compileSources(files, dir);
      compiledModules.set(module, c);
    }
    return c;
  };
  const fns = (t: Target) => transformsOf(t, compiled(t.module).load(t.module), compiled(t.module).load(driverFile));

  it("cover the modules", () => {
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(t.points.length, `${t.module}: ${t.name} has no points`).toBeGreaterThan(0);
  });

  for (const module of modules) {
    describe.skipIf(module in skipped)(skipped[module] ? `${module} (skipped: ${skipped[module]})` : module, () => {
      it("compiles without diagnostics", () => {
        expect(compiled(module).diagnostics).toEqual([]);
      });

      // A module may export `checks`: statement → a function of its compiled exports, true when it holds.
      const checks = Object.keys((uncompiled(module).checks ?? {}) as object);
      if (checks.length > 0) {
        it.for(checks)("%s", (name) => {
          const exports = compiled(module).load(module);
          expect((exports.checks as Record<string, () => boolean>)[name]!()).toBe(true);
        });
      }

      for (const t of targets.filter((t) => t.module === module)) {
        describe(t.name, () => {
          if (t.scalar && wrtOf(t).length > 0) {
            it("grad matches finite differences", () => {
              for (const args of t.points) expect(checkGradient(t, fns(t), args)).toBeUndefined();
            });
            it("valueAndGrad gives the value and the same gradient", () => {
              for (const args of t.points) expect(checkValueAndGrad(t, fns(t), args)).toBeUndefined();
            });
          }
          it("jvp gives the value and a tangent matching finite differences along a random direction and, by ⟨u, J·d⟩ = ⟨uᵀJ, d⟩, vjp", () => {
            t.points.forEach((args, p) => expect(checkJvp(t, fns(t), args, p)).toBeUndefined());
          });
          if (t.scalar && wrtOf(t).length > 0) {
            it("hvp matches finite differences of grad along a random direction, and is symmetric", () => {
              t.points.forEach((args, p) => expect(checkHvp(t, fns(t), args, p)).toBeUndefined());
            });
          }
          it.skipIf(t.effects)("vjp gives the value and a linear pullback matching finite differences of ⟨ct, f⟩", () => {
            t.points.forEach((args, p) => expect(checkVjp(t, fns(t), args, p)).toBeUndefined());
          });
        });
      }
    });
  }
}
