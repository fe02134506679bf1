/**
 * The loader's on-disk cache of compiled modules, keyed by content, so a second run of an
 * unchanged program never loads the compiler.
 *
 * Input: a module's path, its text, the module format asked for and the project it belongs
 * to. Output: the JavaScript stored for exactly that input, or nothing. Invariants: a key
 * covers everything the output depends on — adgen's version, the format, the module's own
 * text, and for a module that uses adgen the text of every TypeScript file of its project
 * (what another file asks of a differentiable function changes this one's generated code);
 * entries are written by rename, so a reader never sees half of one. Nothing here needs the
 * compiler: hashing the project's files is all a cache hit costs.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isProjectModule, mentionsAdgen } from "./candidates";
import { adgenVersion } from "./version";

/** The loader's cache, for the build of adgen running: its version, and its own files' age (a rebuilt checkout differs). */
export function loaderCache(): ModuleCache {
  return new ModuleCache(`${adgenVersion()}:${fs.statSync(path.join(__dirname, "pipeline.js")).mtimeMs}`);
}

/** `.mts` is an ES module, `.cts` CommonJS, `.ts` whatever its package.json says. */
export function formatOf(file: string): "module" | "commonjs" {
  if (file.endsWith(".mts")) return "module";
  if (file.endsWith(".cts")) return "commonjs";
  for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, "package.json");
    if (fs.existsSync(manifest)) {
      return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { type?: string }).type === "module" ? "module" : "commonjs";
    }
    if (path.dirname(directory) === directory) return "commonjs";
  }
}

/** The directory of a module's project: the nearest one with a tsconfig.json or package.json. */
export function projectRoot(file: string): string {
  for (let directory = path.dirname(file); ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, "tsconfig.json")) || fs.existsSync(path.join(directory, "package.json"))) {
      return directory;
    }
    if (path.dirname(directory) === directory) return path.dirname(file);
  }
}

/**
 * Where a project's entries live: `ADGEN_CACHE_DIR` when set, else the project's
 * `node_modules/.cache/adgen` (where build tools keep caches), else the system's temp dir.
 */
function cacheDirectory(root: string): string {
  if (process.env.ADGEN_CACHE_DIR) return path.resolve(process.env.ADGEN_CACHE_DIR);
  const modules = path.join(root, "node_modules");
  return fs.existsSync(modules) ? path.join(modules, ".cache", "adgen") : path.join(os.tmpdir(), "adgen-cache");
}

export class ModuleCache {
  /** per project root: the fingerprint of its TypeScript files' texts */
  private readonly projects = new Map<string, string>();

  constructor(private readonly version: string) {}

  get(file: string, text: string, format: string): string | undefined {
    try {
      return fs.readFileSync(this.entry(file, text, format), "utf8");
    } catch {
      return undefined;
    }
  }

  set(file: string, text: string, format: string, code: string): void {
    try {
      const entry = this.entry(file, text, format);
      fs.mkdirSync(path.dirname(entry), { recursive: true });
      const temporary = `${entry}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, code);
      fs.renameSync(temporary, entry);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  /** Forgets the project fingerprints, after files changed during this run. */
  forgetProjects(): void {
    this.projects.clear();
  }

  private entry(file: string, text: string, format: string): string {
    const root = projectRoot(file);
    const hash = createHash("sha256").update(`${this.version}\0${format}\0${file}\0${text}`);
    if (mentionsAdgen(text)) hash.update(`\0${this.fingerprint(root)}`);
    return path.join(cacheDirectory(root), `${hash.digest("hex").slice(0, 40)}.js`);
  }

  private fingerprint(root: string): string {
    let known = this.projects.get(root);
    if (known === undefined) {
      const hash = createHash("sha256");
      for (const file of typeScriptFiles(root)) hash.update(`${file}\0${fs.readFileSync(file, "utf8")}\0`);
      known = hash.digest("hex");
      this.projects.set(root, known);
    }
    return known;
  }
}

/** The TypeScript sources under a directory, sorted; node_modules and hidden folders skipped. */
function typeScriptFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (directory: string) => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) visit(full);
      } else if (isProjectModule(full)) {
        found.push(full);
      }
    }
  };
  visit(root);
  return found.sort();
}
