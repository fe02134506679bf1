/**
 * Runs once before the whole test run: builds dist/ with `tsc -p tsconfig.json`, so the
 * end-to-end tests spawn the CLI (and tspc loads the transformer) as users get them.
 * Provides the path of the built CLI and tsc's verdict to the tests.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    adgenBuild: {
      /** the repository root, where dist/ was built */
      root: string;
      /** dist/cli.js */
      cli: string;
      /** tsc's output when it reported errors (it still emits), undefined on a clean build */
      tscErrors?: string;
    };
  }
}

export default function setup(project: TestProject): void {
  const root = path.resolve(__dirname, "..");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  project.provide("adgenBuild", {
    root,
    cli: path.join(root, "dist", "cli.js"),
    tscErrors: result.status === 0 ? undefined : `${result.stdout}${result.stderr}`,
  });
}
