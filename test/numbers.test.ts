/**
 * Every fixture function × transform against central finite differences.
 *
 * Each fixture module exports `points`: target → argument lists, and may export
 * `integerArgs`: target → indices of integer-valued parameters (counts, depths, labels,
 * selectors), whose gradients need only be finite, `constantArgs`: target → indices of
 * parameters grad holds fixed, and `withEffects`: targets whose vjp is left out. A target
 * is an exported function or a method reached through an export (`"affine.apply"`,
 * `"Polynomial.logistic"`, `"model.f"`). ./fixture-suite.ts says what is checked, ./gradients.ts how.
 */
import { fixtureSources } from "./fixtures";
import { fixtureSuite } from "./fixture-suite";

fixtureSuite(fixtureSources(), "functions");
