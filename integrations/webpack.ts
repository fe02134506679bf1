/**
 * `adgen/webpack`: adgen as a webpack plugin, a default-export factory.
 *
 *   // webpack.config.js
 *   const adgen = require("adgen/webpack");
 *   module.exports = { plugins: [adgen()] };
 *
 * The plugin itself is compiler/plugin.ts, one implementation for every bundler.
 */
import type { WebpackPluginInstance } from "unplugin";
import type { AdgenPluginOptions } from "../compiler/plugin";
import { loadFrontEnd } from "../compiler/requirements";

const plugin = loadFrontEnd(["unplugin"], () => require("../compiler/plugin") as typeof import("../compiler/plugin"));
const adgen: (options?: AdgenPluginOptions) => WebpackPluginInstance = plugin.adgenPlugin.webpack;
export = adgen;
