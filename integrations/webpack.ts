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
import { adgenPlugin, type AdgenPluginOptions } from "../compiler/plugin";

const adgen: (options?: AdgenPluginOptions) => WebpackPluginInstance = adgenPlugin.webpack;
export = adgen;
