/**
 * Every derivative rule, through the real compiled path, against central finite
 * differences at several points of its domain — never against its own formula — in both
 * halves: the reverse rule (grad) and the forward rule (jvp, along a direction, also
 * against the reverse rule's gradient).
 */
import { describe, expect, it } from "vitest";
import { builtinRules } from "../compiler/front/rules";
import { checkGrad } from "../runtime";
import { compileSources } from "./harness";

interface Case {
  /** the expression the rule is tested in, over parameters a, b, c */
  expr: string;
  points: number[][];
  /** finite-difference step and tolerance, where the default ones do not fit */
  step?: number;
  tolerance?: number;
  /** more expressions for the same rule */
  also?: Case[];
}

/** Each rule, the expressions it is tested in, and points in its domain. */
const cases: Record<string, Case> = {
  add: { expr: "a + b", points: [[1, 2], [-3, 0.5]] },
  sub: { expr: "a - b", points: [[1, 2], [-3, 0.5]] },
  mul: { expr: "a * b", points: [[1.5, 2], [-3, 0.25]] },
  div: { expr: "a / b", points: [[1, 2], [-3, 0.5], [2, -4]] },
  reciprocal: { expr: "1 / a", points: [[2], [-0.5], [1e-3]], also: [{ expr: "1 / (a * a + b)", points: [[0.5, 2], [-3, -0.1]] }] },
  rem: { expr: "a % b", points: [[5.3, 2.1], [-7.2, 3.3]] },
  pow: { expr: "a ** b", points: [[1.5, 2.5], [0.7, -1.3]], also: [{ expr: "a ** 3", points: [[-2], [0.5]] }] },
  neg: { expr: "-a", points: [[1.5], [-2]] },
  pos: { expr: "+a", points: [[1.5], [-2]] },
  "Math.sin": { expr: "Math.sin(a)", points: [[0.3], [2], [-4]] },
  "Math.cos": { expr: "Math.cos(a)", points: [[0.3], [2], [-4]] },
  "Math.tan": { expr: "Math.tan(a)", points: [[0.3], [1.2], [-0.9]] },
  "Math.asin": { expr: "Math.asin(a)", points: [[0.3], [-0.8]] },
  "Math.acos": { expr: "Math.acos(a)", points: [[0.3], [-0.8]] },
  "Math.atan": { expr: "Math.atan(a)", points: [[0.3], [-5]] },
  "Math.atan2": { expr: "Math.atan2(a, b)", points: [[1, 2], [-1, -0.5], [0.3, -2]] },
  "Math.sinh": { expr: "Math.sinh(a)", points: [[0.3], [-2]] },
  "Math.cosh": { expr: "Math.cosh(a)", points: [[0.3], [-2]] },
  "Math.tanh": { expr: "Math.tanh(a)", points: [[0.3], [-2]] },
  "Math.asinh": { expr: "Math.asinh(a)", points: [[0.3], [-2]] },
  "Math.acosh": { expr: "Math.acosh(a)", points: [[1.3], [4]] },
  "Math.atanh": { expr: "Math.atanh(a)", points: [[0.3], [-0.7]] },
  "Math.exp": { expr: "Math.exp(a)", points: [[0.3], [-2], [3]] },
  "Math.expm1": { expr: "Math.expm1(a)", points: [[0.3], [-2], [1e-3]] },
  "Math.log": { expr: "Math.log(a)", points: [[0.3], [20]] },
  "Math.log1p": { expr: "Math.log1p(a)", points: [[0.3], [-0.5]] },
  "Math.log2": { expr: "Math.log2(a)", points: [[0.3], [20]] },
  "Math.log10": { expr: "Math.log10(a)", points: [[0.3], [20]] },
  "Math.pow": {
    expr: "Math.pow(a, b)",
    points: [[1.5, 2.5], [0.7, -1.3]],
    also: [{ expr: "Math.pow(a, 2)", points: [[-2], [0.5]] }],
  },
  "Math.sqrt": { expr: "Math.sqrt(a)", points: [[0.3], [20]] },
  "Math.cbrt": { expr: "Math.cbrt(a)", points: [[0.3], [-20]] },
  "Math.hypot": { expr: "Math.hypot(a, b, c)", points: [[1, 2, 3], [-1, 0.5, 0]] },
  "Math.max": { expr: "Math.max(a, b, c)", points: [[1, 2, 3], [3, -1, 2], [0.1, 5, 0.2]] },
  "Math.min": { expr: "Math.min(a, b, c)", points: [[1, 2, 3], [3, -1, 2], [0.1, 5, 0.2]] },
  "Math.abs": { expr: "Math.abs(a)", points: [[1.5], [-2]] },
  "Math.sign": { expr: "Math.sign(a) * a", points: [[1.5], [-2]] },
  "Math.floor": { expr: "Math.floor(a) + a", points: [[1.5], [-2.3]] },
  "Math.ceil": { expr: "Math.ceil(a) + a", points: [[1.5], [-2.3]] },
  "Math.round": { expr: "Math.round(a) + a", points: [[1.3], [-2.3]] },
  "Math.trunc": { expr: "Math.trunc(a) + a", points: [[1.5], [-2.3]] },
  // fround rounds to float32, so differences need a step far above float32 spacing
  "Math.fround": { expr: "Math.fround(a)", points: [[1.5], [-2.3]], step: 1e-3, tolerance: 1e-3 },
};

describe("derivative rules", () => {
  it("has a numerical test for every rule", () => {
    expect([...builtinRules().keys()].sort()).toEqual(Object.keys(cases).sort());
  });

  const tests = Object.entries(cases).flatMap(([key, c]) => [c, ...(c.also ?? [])].map((t) => ({ key, ...t })));
  const source = tests
    .map((t, i) => {
      const arity = t.points[0].length;
      const params = ["a", "b", "c"].slice(0, arity).map((p) => `${p}: number`).join(", ");
      const wrt = [0, 1, 2].slice(0, arity).join(", ");
      return `/** @differentiable */\nexport function r${i}(${params}): number {\n  return ${t.expr};\n}\nexport const r${i}_all = grad(r${i}, { wrt: [${wrt}] });\nexport const r${i}_jvp = jvp(r${i});`;
    })
    .join("\n\n");
  const compiled = compileSources({ "rules.ts": `import { grad, jvp } from "adgen";\n\n${source}\n` }, "rules");

  it("compiles without diagnostics", () => expect(compiled.diagnostics).toEqual([]));

  tests.forEach((t, i) => {
    it(`${t.key}: ${t.expr} matches finite differences`, () => {
      const mod = compiled.load("rules.ts");
      for (const point of t.points) {
        const wrt = [0, 1, 2].slice(0, point.length);
        const report = checkGrad(mod[`r${i}`], mod[`r${i}_all`], point, { wrt, step: t.step });
        expect(report.maxRelError, `${t.expr} at ${point}: ${JSON.stringify(report)}`).toBeLessThan(t.tolerance ?? 1e-6);
      }
    });

    it(`${t.key}: ${t.expr} forward: the tangent matches finite differences and the gradient`, () => {
      const mod = compiled.load("rules.ts");
      for (const point of t.points) {
        const direction = point.map((_, k) => [0.7, -1.3, 0.4][k]!);
        const [value, tangent] = mod[`r${i}_jvp`](point, direction) as [number, number];
        expect(value).toBe(mod[`r${i}`](...point));
        const gradient = mod[`r${i}_all`](...point) as number[];
        const expected = gradient.reduce((sum, g, k) => sum + g * direction[k]!, 0);
        expect(Math.abs(tangent - expected), `${t.expr} at ${point}: ${tangent} vs ∇·d ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
        const h = t.step ?? 1e-6;
        const along = (eps: number) => mod[`r${i}`](...point.map((x, k) => x + eps * direction[k]!)) as number;
        const difference = (along(h) - along(-h)) / (2 * h);
        expect(Math.abs(tangent - difference), `${t.expr} at ${point}: ${tangent} vs ${difference}`).toBeLessThanOrEqual((t.tolerance ?? 1e-6) * Math.max(1, Math.abs(difference)));
      }
    });
  });
});
