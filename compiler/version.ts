/** adgen's own version, from its package.json, found from here both in the sources and in dist/. */
import * as fs from "node:fs";
import * as path from "node:path";

export function adgenVersion(): string {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, "package.json");
    if (fs.existsSync(candidate)) {
      const json = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (json.name === "adgen" && json.version) return json.version;
    }
    if (path.dirname(directory) === directory) return "unknown";
  }
}
