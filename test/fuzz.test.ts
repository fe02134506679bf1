/**
 * A few hundred seeded mutants of the fixtures, judged as `npm run fuzz` judges tens of
 * thousands (./fuzz/fuzz.ts): each must be rejected with a clean ADG diagnostic, or build
 * gradients that match finite differences at the fixture's points, or be left out because
 * its own function throws, is not finite, indexes outside an array or does not finish
 * there; file-system mutants (./fuzz/disk.ts), built by the CLI, are refused cleanly with
 * every byte on disk kept, or build. The size operators, whose mutants take up to a minute
 * to compile, run in `npm run fuzz` only.
 *
 * Mutants that meet a known bug are listed below by their label, with the regression
 * program (test/regressions/) that shows the bug; the test fails on any other bug, and on
 * a listed mutant that no longer fails (the bug is fixed: take it off the list).
 */
import { expect, inject, it } from "vitest";
import type {} from "./global-setup";
import { fuzz, summary } from "./fuzz/fuzz";
import { operators } from "./fuzz/mutate";

const SEED = 20261124;
const COUNT = 200;

/** label → the regression that shows its bug */
const known: Record<string, string> = {};

it(`${COUNT} mutants of the fixtures: a clean diagnostic or right gradients`, { timeout: 600_000 }, async () => {
  const { cli } = inject("adgenBuild");
  const report = await fuzz({ seed: SEED, count: COUNT, operators: operators.filter((op) => !op.startsWith("size")), cli });
  console.log(`${COUNT} mutants (seed ${SEED}) in ${report.seconds.toFixed(0)} s: ${summary(report.counts)}`);
  const found = report.failures.map((f) => f.label);
  const fixed = Object.keys(known).filter((label) => !found.includes(label));
  const fresh = report.failures.filter((f) => !(f.label in known));
  expect(fresh.map((f) => `mutant ${f.index} (${f.outcome}): ${f.label}\n${f.detail}`), "bugs not known before").toEqual([]);
  expect(fixed, "known bugs these mutants no longer show: take them off the list").toEqual([]);
});
