/**
 * Programs on which adgen was found wrong, each the smallest found, kept as fixture modules
 * (`points`, and `checks` for what points cannot say; see ./fixture-suite.ts) in
 * test/regressions/: each guards its fix. A new one is skipped below, with the reason,
 * until its bug is fixed; `ADGEN_REGRESSIONS=all` runs the skipped ones too, to see which
 * are fixed.
 */
import * as path from "node:path";
import { fixtureSources } from "./fixtures";
import { fixtureSuite } from "./fixture-suite";

const skipped: Record<string, string> = {};

fixtureSuite(fixtureSources(path.join(__dirname, "regressions")), "regressions", process.env.ADGEN_REGRESSIONS === "all" ? {} : skipped);
