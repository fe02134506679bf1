/**
 * Which modules are adgen's business, decided from a path and a text alone (no compiler
 * loaded): the fast path of the plugins and the loader.
 *
 * Input: a module's path or text. Output: whether adgen may need to rewrite it. Invariant:
 * never false for a module the core would change (one with a `@differentiable` function or
 * a transform call imported from "adgen"); true for a few it leaves alone costs only time.
 */

/** TypeScript sources (`.ts`, `.mts`, `.cts`; not declaration files) outside node_modules. */
export function isProjectModule(file: string): boolean {
  return /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file) && !file.split(/[\\/]/).includes("node_modules");
}

/** Text that may hold a differentiable function or a transform call. */
export function mentionsAdgen(text: string): boolean {
  return /adgen|@differentiable/.test(text);
}
