/**
 * `adgen/vite`: adgen as a Vite plugin, a default-export factory.
 *
 *   // vite.config.ts
 *   import adgen from "adgen/vite";
 *   export default { plugins: [adgen()] };
 *
 * The plugin itself is compiler/plugin.ts, one implementation for every bundler.
 */
import type { VitePlugin } from "unplugin";
import type { AdgenPluginOptions } from "../compiler/plugin";
import { loadFrontEnd } from "../compiler/requirements";

const plugin = loadFrontEnd(["unplugin"], () => require("../compiler/plugin") as typeof import("../compiler/plugin"));
const adgen: (options?: AdgenPluginOptions) => VitePlugin = plugin.adgenPlugin.vite;
export = adgen;
