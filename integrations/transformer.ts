/**
 * `adgen/transformer`: the ts-patch program transformer (compiler/transformer.ts) as the
 * module itself, so `require` and `import` both get the function.
 *
 *   tsconfig.json: "plugins": [{ "transform": "adgen/transformer", "transformProgram": true }]
 */
import type * as transformer from "../compiler/transformer";
import { loadFrontEnd } from "../compiler/requirements";

const transformProgram: typeof transformer.default = loadFrontEnd([], () => require("../compiler/transformer") as typeof transformer).default;
export = transformProgram;
