// Runs a TypeScript entry point of the test tools in plain Node (the fuzzer, the long
// property run, and their worker threads): `node test/run-ts.js <entry.ts> [args…]`.
// Each .ts module is transpiled to CommonJS with the project's own TypeScript as it is
// required; types are not checked here (vitest's typecheck and tsc do that).
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, inlineSourceMap: true },
  });
  module._compile(outputText, filename);
};
process.setSourceMapsEnabled(true);

// The sources import each other as `./x.js` (ES module style): a missing .js is its .ts.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolveFilename.call(this, request, parent, ...rest);
  } catch (error) {
    if (!request.startsWith(".") || !request.endsWith(".js")) throw error;
    return resolveFilename.call(this, request.replace(/\.js$/, ".ts"), parent, ...rest);
  }
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node test/run-ts.js <entry.ts> [args…]");
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
