/**
 * `adgen/register`: run TypeScript with its gradients compiled on the fly.
 *
 *   node --import adgen/register app.ts
 *   node --enable-source-maps --import adgen/register app.ts   # stack traces on your lines
 *
 * Registers the module-customisation hooks of compiler/loader.ts (Node's `module.register`).
 */
import { register } from "node:module";
import { pathToFileURL } from "node:url";

register(pathToFileURL(require.resolve("../compiler/loader")).href);
