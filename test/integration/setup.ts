/**
 * Once per run of the integration suite: adgen packed as it would be published, and one
 * temporary project that installs that tarball with the real tools (Vite, esbuild, Rollup,
 * webpack, ts-patch) from the registry. Every test works in a folder of that project, so
 * they share its node_modules and the install happens once.
 *
 * The package is packed from a copy of what it ships (so packing never touches the
 * repository), after a fresh build.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    integration: {
      /** the packed tarball */
      tarball: string;
      /** the project with the tarball and the tools installed */
      project: string;
      /** the ts-patch major npm chose for this Node */
      tsPatchMajor: number;
    };
  }
}

const root = path.resolve(__dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The tools, as a user's package.json would ask for them. ts-patch: npm picks 3 on Node 20, 4 on ≥ 22.15. */
export const tools = {
  typescript: "~6.0.2",
  "ts-morph": "^28.0.0",
  prettier: "^3.10.1",
  "magic-string": "^1.4.5",
  "@jridgewell/gen-mapping": "^0.3.13",
  "@jridgewell/remapping": "^2.3.5",
  unplugin: "^3.7.0",
  vite: "^8.4.0",
  esbuild: "^0.28.2",
  rollup: "^4.68.8",
  "rollup-plugin-esbuild": "^6.2.1",
  webpack: "^5.112.2",
  "webpack-cli": "^7.3.1",
  "ts-loader": "^9.6.2",
  "ts-patch": "^3.3.0 || ^4.0.1",
  publint: "^0.3.25",
  "@arethetypeswrong/cli": "^0.18.5",
};

export default function setup(project: TestProject): () => void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "adgen-integration-"));
  execFileSync(npm, ["run", "build"], { cwd: root, stdio: "pipe" });

  // What `files` ships, plus the manifest, in a staging copy; packed there.
  const staging = path.join(work, "staging");
  fs.mkdirSync(staging);
  for (const entry of ["package.json", "README.md", "LICENSE", "dist", "runtime"]) {
    fs.cpSync(path.join(root, entry), path.join(staging, entry), { recursive: true });
  }
  const packed = execFileSync(npm, ["pack", "--json", "--pack-destination", work], { cwd: staging, encoding: "utf8" });
  const tarball = path.join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);

  const projectDir = path.join(work, "project");
  fs.mkdirSync(projectDir);
  fs.writeFileSync(
    path.join(projectDir, "package.json"),
    JSON.stringify({ name: "adgen-integration", private: true, type: "module", dependencies: { adgen: `file:${tarball}` }, devDependencies: tools }, null, 2),
  );
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: projectDir, stdio: "pipe" });
  const version = (name: string) =>
    (JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  const tsPatch = { version: version("ts-patch") };
  // The versions this run tests, for the log.
  console.log(`Node ${process.version}; ${Object.keys(tools).map((name) => `${name} ${version(name)}`).join(", ")}`);

  project.provide("integration", { tarball, project: projectDir, tsPatchMajor: Number(tsPatch.version.split(".")[0]) });
  return () => fs.rmSync(work, { recursive: true, force: true });
}
