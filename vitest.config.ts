// Runs the unit tests, and type-checks the *.test-d.ts files (the transforms' static types) with tsc.
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the packed-package suite has its own script and config (vitest.integration.config.ts)
    exclude: [...configDefaults.exclude, "test/integration/**"],
    // Builds dist/ once: the CLI and transformer suites run the compiled package.
    globalSetup: ["test/global-setup.ts"],
    // The size corpus type-checks programs thousands of statements deep in-process: TypeScript's own
    // recursive checker needs more than Node's default stack for them (the main thread has 8 MB).
    execArgv: ["--stack-size=4000"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "test/tsconfig.json",
    },
  },
});
