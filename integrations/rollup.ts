/**
 * `adgen/rollup`: adgen as a Rollup plugin, a default-export factory.
 *
 *   // rollup.config.mjs: before the plugin that compiles TypeScript
 *   import adgen from "adgen/rollup";
 *   export default { input: "src/main.ts", plugins: [adgen(), typescript()] };
 *
 * The plugin itself is compiler/plugin.ts, one implementation for every bundler.
 */
import type { RollupPlugin } from "unplugin";
import type { AdgenPluginOptions } from "../compiler/plugin";
import { loadFrontEnd } from "../compiler/requirements";

const plugin = loadFrontEnd(["unplugin"], () => require("../compiler/plugin") as typeof import("../compiler/plugin"));
const adgen: (options?: AdgenPluginOptions) => RollupPlugin = plugin.adgenPlugin.rollup;
export = adgen;
