/**
 * `adgen/esbuild`: adgen as an esbuild plugin, a default-export factory.
 *
 *   import adgen from "adgen/esbuild";
 *   await esbuild.build({ entryPoints: ["src/main.ts"], bundle: true, plugins: [adgen()] });
 *
 * The plugin itself is compiler/plugin.ts, one implementation for every bundler.
 */
import type { EsbuildPlugin } from "unplugin";
import type { AdgenPluginOptions } from "../compiler/plugin";
import { loadFrontEnd } from "../compiler/requirements";

const plugin = loadFrontEnd(["unplugin"], () => require("../compiler/plugin") as typeof import("../compiler/plugin"));
const adgen: (options?: AdgenPluginOptions) => EsbuildPlugin = plugin.adgenPlugin.esbuild;
export = adgen;
