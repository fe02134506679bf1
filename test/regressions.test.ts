/**
 * Programs on which adgen is known to fail, each the smallest found, kept as fixture
 * modules (`points`, and `checks` for what points cannot say; see ./fixture-suite.ts) in
 * test/regressions/. Each is skipped, with the reason, until the bug is fixed: then delete
 * its line below and it guards the fix. `ADGEN_REGRESSIONS=all` runs them all, to see which
 * are fixed.
 */
import * as path from "node:path";
import { fixtureSources } from "./fixtures";
import { fixtureSuite } from "./fixture-suite";

const skipped: Record<string, string> = {
  "alias-write.ts": "a write through a second name for an array is lost (gradient 0, and a wrong value)",
  "rebound-array.ts": "an array name rebound to a new array or a copy keeps the old adjoint (doubled gradients)",
  "grown-by-index.ts": "index writes past the end of a fresh [] do not grow the adjoint (NaN)",
  "stored-rows.ts": "a stored row replaced keeps its adjoint, or shares one row's (doubled, halved gradients); a row stored past the end: the gradient throws",
  "nested-element-written-after-loop.ts": "a nested array's element read in a loop, overwritten after it: the reverse sweep reads the new value",
  "container-write-to-named-row.ts": "a write through a container to a row that is also named is lost (gradient 0; in a loop, a wrong value)",
  "hoisted-read-past-end.ts": "a read hoisted out of an inner loop that runs zero times: the gradient grows a NaN element",
  "impure-call-in-pullback.ts": "the pullback re-runs the forward sweep, so impure calls run again (and differ)",
  "field-array-passed-then-written.ts": "an object's array passed to a differentiable call, then written: wrong gradient",
  "grad-beside-grad-wrt-list.ts": "grad(f) and grad(f, { wrt: [0] }) share one generated function (one result has the wrong shape)",
  "deep-recursion.ts": "the gradient overflows the stack at 5000 levels, where the function does not",
};

fixtureSuite(fixtureSources(path.join(__dirname, "regressions")), "regressions", process.env.ADGEN_REGRESSIONS === "all" ? {} : skipped);
