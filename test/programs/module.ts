/**
 * Modules of random programs: the TypeScript module the compiler gets, and the twin that
 * serves as the reference.
 *
 * Input: `Case`s. Output: `programSource` (program `p<i>` with its transforms: `d<i>` =
 * valueAndGrad, `v<i>` = vjp, `j<i>` = jvp), `moduleSource` (the helpers every program may
 * call, then each program, and the first line of each), and `reference` (the twins, run as
 * plain JavaScript: each program's value, the decisions it took and the values it passed to
 * `stopGradient`).
 * Invariant: the helpers of both are the same code, the twin's without types and with its
 * decisions recorded; `resetTicks` returns the impure helper to its first state in both, so
 * each call of a program or of a transform sees the same sequence of `tick()` values. A
 * twin run with `held` values returns them from its `stopGradient` calls in order: the
 * function whose derivatives the transforms compute, where stopped values are constants.
 */
import type { Case } from "./ast";
import { FEATURES } from "./features";
import { renderProgram } from "./render";

/**
 * The functions every program may call: a scalar `@differentiable` helper with a branch
 * and an early return, one per array type with a loop over its array argument, a plain
 * (unmarked) function, and an impure counter.
 */
function helpers(js: boolean): string {
  const gt = (a: string, b: string) => (js ? `__gt(${a}, ${b})` : `${a} > ${b}`);
  const doc = js ? "" : "/** @differentiable */\nexport ";
  const num = (name: string) => (js ? name : `${name}: number`);
  const returns = (type: string) => (js ? "" : `: ${type}`);
  const lines: string[] = [`${doc}function helper(${num("u")}, ${num("v")})${returns("number")} {`];
  if (FEATURES.branches && FEATURES.earlyReturn) {
    lines.push(`  if (${gt("u", "v")}) return Math.sin(u) * v + u;`, `  return u * Math.cos(v) - v;`, `}`);
  } else if (FEATURES.branches) {
    lines.push(`  let w = u * Math.cos(v) - v;`, `  if (${gt("u", "v")}) {`, `    w = Math.sin(u) * v + u;`, `  }`, `  return w;`, `}`);
  } else {
    lines.push(`  return Math.sin(u) * v + u;`, `}`);
  }
  if (FEATURES.forLoops) {
    for (const [name, type] of [
      ["sumF", "Float64Array"],
      ["sumA", "number[]"],
    ] as const) {
      lines.push(
        `${doc}function ${name}(${js ? "v" : `v: ${type}`}, ${num("u")})${returns("number")} {`,
        `  let acc = 0;`,
        `  for (let i = 0; i < v.length; i++) acc = acc * 0.5 + Math.sin(v[i] * u + i);`,
        `  return acc;`,
        `}`,
      );
    }
  }
  const plain = js ? "" : "export ";
  if (FEATURES.passiveCalls) lines.push(`${plain}function plain(${num("k")})${returns("number")} {`, `  return 1 + 0.5 * Math.cos(k);`, `}`);
  if (FEATURES.impureCalls) {
    lines.push(
      `let ticks = 0;`,
      `${plain}function tick()${returns("number")} {`,
      `  ticks = (ticks + 1) % 4;`,
      `  return 0.5 + ticks * 0.25;`,
      `}`,
      `${plain}function resetTicks()${returns("void")} {`,
      `  ticks = 0;`,
      `}`,
    );
  }
  return lines.join("\n");
}

/**
 * Which transforms a program gets: valueAndGrad for number results; vjp for the others and
 * for every fourth number result (compiling costs, and valueAndGrad checks those), unless
 * the program calls an unmarked function (`plain`, `tick`), which may have effects that its
 * pullback would run again (vjp of it is ADG2006); jvp with that feature.
 */
function transformLines(c: Case, i: number, text: string): string[] {
  const wrt = FEATURES.nestedParams ? "[0, 1, 3]" : "[0, 1]";
  const number = c.program.returns === "number";
  const opaque = /\b(plain|tick)\(/.test(text);
  return [
    ...(number ? [`export const d${i} = valueAndGrad(p${i}, { wrt: ${wrt} });`] : []),
    ...((!number || i % 4 === 0) && !opaque ? [`export const v${i} = vjp(p${i});`] : []),
    ...(FEATURES.jvp ? [`export const j${i} = jvp(p${i});`] : []),
  ];
}

/** The TypeScript source of one program `p<i>` with its transforms. */
export function programSource(c: Case, i: number): string {
  const text = renderProgram(c.program, `p${i}`, false);
  return [text, ...transformLines(c, i, text)].join("\n");
}

const transforms = ["valueAndGrad", "vjp", ...(FEATURES.jvp ? ["jvp"] : []), ...(FEATURES.stopGradient ? ["stopGradient"] : [])];
const header = `import { ${transforms.join(", ")} } from "adgen";\n\n${helpers(false)}\n`;

/** A module of programs; `firstLines[i]` is the (1-based) first line of program i. */
export function moduleSource(cases: readonly Case[]): { text: string; firstLines: number[] } {
  const parts = [header];
  // `line`: the last line before the next program (the header ends with a newline, and the parts are joined by one).
  let line = header.split("\n").length;
  const firstLines: number[] = [];
  cases.forEach((c, i) => {
    const source = programSource(c, i);
    firstLines.push(line + 1);
    parts.push(source);
    line += source.split("\n").length;
  });
  return { text: parts.join("\n") + "\n", firstLines };
}

export type Fn = (...args: unknown[]) => unknown;

export interface Reference {
  /**
   * The program's value, the decisions it took on active values and the values of its
   * `stopGradient` calls (ticks reset first); with `held`, those calls return the held
   * values instead (it throws when the run makes a different number of them).
   */
  run(i: number, args: unknown[], held?: readonly number[]): { value: unknown; trace: string; stopped: number[] };
}

/** The twins of `cases`, compiled once as one JavaScript function. */
export function reference(cases: readonly Case[]): Reference {
  const body = [
    `const __M = { trace: "", stopped: [], held: undefined };`,
    `const __stop = (v) => (__M.held ? __M.held[__M.stopped.push(v) - 1] : (__M.stopped.push(v), v));`,
    `const __note = (a, b) => { __M.trace += a > b ? ">" : a < b ? "<" : "="; };`,
    `const __gt = (a, b) => (__note(a, b), a > b);`,
    `const __max = (a, b) => (__note(a, b), Math.max(a, b));`,
    `const __min = (a, b) => (__note(a, b), Math.min(a, b));`,
    `const __abs = (a) => (__note(a, 0), Math.abs(a));`,
    helpers(true),
    ...(FEATURES.impureCalls ? [] : [`function resetTicks() {}`]),
    ...cases.map((c, i) => renderProgram(c.program, `p${i}`, true)),
    `return { M: __M, resetTicks, fns: [${cases.map((_, i) => `p${i}`).join(", ")}] };`,
  ].join("\n");
  type Memory = { trace: string; stopped: number[]; held?: readonly number[] };
  const { M, resetTicks, fns } = new Function(body)() as { M: Memory; resetTicks: () => void; fns: Fn[] };
  return {
    run(i, args, held) {
      Object.assign(M, { trace: "", stopped: [], held });
      resetTicks();
      const value = fns[i]!(...args);
      if (held && M.stopped.length !== held.length) throw new Error(`the twin stopped ${M.stopped.length} values, ${held.length} held`);
      return { value, trace: M.trace, stopped: M.stopped };
    },
  };
}
