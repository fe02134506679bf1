/** The fixture programs under fixtures/functions, read from disk for the suites that compile them. */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./harness";

export const functionsDir = path.join(repoRoot, "fixtures", "functions");

/** Relative path → text of every fixture program. */
export function fixtureSources(): Record<string, string> {
  const sources: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) sources[path.relative(functionsDir, full)] = fs.readFileSync(full, "utf8");
    }
  };
  walk(functionsDir);
  return sources;
}
