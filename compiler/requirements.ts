/**
 * The libraries adgen's compiler needs, which users install as devDependencies.
 *
 * Input: nothing (or the extra libraries an integration needs). Output: the ones that
 * cannot be found from adgen's own location, and the command that installs them.
 * Invariant: checked before any compiler module loads, so a missing library is a sentence
 * that says what to run, never a stack trace. They are not adgen's dependencies, nor its
 * peer dependencies: npm keeps a production dependency's optional peers in a production
 * install when the app lists them as devDependencies, and adgen must stay alone there.
 */

/** What every compiler front end loads. */
export const compilerLibraries = ["ts-morph", "prettier", "magic-string", "@jridgewell/gen-mapping", "@jridgewell/remapping"];

/** The install command for the libraries, as a user types it. */
export function installCommand(libraries: readonly string[]): string {
  return `npm install --save-dev ${libraries.join(" ")}`;
}

/** The libraries (of `compilerLibraries` and `extra`) that cannot be loaded from here. */
export function missingLibraries(extra: readonly string[] = []): string[] {
  return [...compilerLibraries, ...extra].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch (error) {
      return (error as { code?: string }).code === "MODULE_NOT_FOUND";
    }
  });
}

/** Loads a compiler front end, or throws an error that says which libraries to install. */
export function loadFrontEnd<T>(extra: readonly string[], load: () => T): T {
  const missing = missingLibraries(extra);
  if (missing.length > 0) {
    throw new Error(`adgen's compiler needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed. Install with:\n  ${installCommand(missing)}`);
  }
  return load();
}
