/**
 * The bundler plugins (`adgen/vite`, `adgen/esbuild`, `adgen/rollup`, `adgen/webpack`), one
 * unplugin implementation for all.
 *
 * Input: each TypeScript module the bundler loads, with its text. Output: for a module with
 * `@differentiable` functions or transform calls, the code `adgen build` would write for it
 * and a source map back to the module's text (the bundler chains it with its own); every
 * other module is left alone. ADG diagnostics become the bundler's own errors, with file,
 * line and column. Under Vite's dev server a change re-generates the modules whose output
 * it changes (a new `grad` call adds code to the file that defines the function).
 *
 * Invariant: an adapter over the core through IncrementalCompiler; no differentiation
 * logic lives here.
 */
import * as path from "node:path";
import { createUnplugin, type UnpluginInstance, type UnpluginMessage } from "unplugin";
import { formatDiagnostic, type AdgDiagnostic } from "./diagnostics";
import { isProjectModule, mentionsAdgen } from "./candidates";
import { IncrementalCompiler } from "./incremental";

export interface AdgenPluginOptions {
  /** the project's directory (default: Vite's root, else the working directory) */
  root?: string;
  /** the tsconfig.json that lists the project's files (default: `<root>/tsconfig.json`) */
  tsconfig?: string;
}

export const adgenPlugin: UnpluginInstance<AdgenPluginOptions | undefined, false> = createUnplugin(
  (options: AdgenPluginOptions | undefined = {}) => {
    let root = path.resolve(options.root ?? process.cwd());
    let underVite = false;
    let compiler: IncrementalCompiler | undefined;
    const project = () => (compiler ??= new IncrementalCompiler({ root, tsconfig: options.tsconfig }));

    return {
      name: "adgen",
      enforce: "pre",
      transform: {
        filter: { id: { include: /\.[cm]?ts(\?.*)?$/, exclude: /[\\/]node_modules[\\/]/ }, code: /adgen|@differentiable/ },
        async handler(code, id) {
          const file = id.replace(/\?.*$/, "");
          if (!isProjectModule(file) || !mentionsAdgen(code)) return null;
          const compiler = project();
          compiler.refresh();
          compiler.update(file, code);
          const result = await compiler.module(file);
          // Outside Vite (which learns of changes through the hot update), a module is rebuilt
          // whenever another adgen file changes: what that file asks for may change this one.
          if (!underVite) for (const input of compiler.inputs()) if (input !== file) this.addWatchFile(input);
          if (result.kind === "failed") return this.error(bundlerError(result.diagnostics, file, root));
          if (result.kind === "unchanged") return null;
          return { code: result.output.text, map: result.output.map };
        },
      },
      vite: {
        configResolved(config) {
          underVite = true;
          if (!options.root) root = config.root;
        },
        async handleHotUpdate(context) {
          if (!compiler || !isProjectModule(context.file)) return;
          compiler.update(context.file, await context.read());
          const affected = (await compiler.changedModules()).filter((file) => file !== path.resolve(context.file));
          const graph = context.server.moduleGraph;
          const extra = affected.flatMap((file) => [...(graph.getModulesByFile(file) ?? [])]);
          if (extra.length === 0) return;
          for (const module of extra) graph.invalidateModule(module);
          return [...context.modules, ...extra];
        },
      },
    };
  },
);

/**
 * The diagnostics as one bundler error: every one in the tsc format (so the text alone
 * names file, line and column), located at the first one in this module, else the first.
 */
function bundlerError(diagnostics: readonly AdgDiagnostic[], file: string, root: string): UnpluginMessage {
  const first = diagnostics.find((d) => d.file && path.resolve(d.file) === path.resolve(file)) ?? diagnostics[0]!;
  return {
    message: diagnostics.map((d) => formatDiagnostic(d, root)).join("\n"),
    id: first.file ?? file,
    plugin: "adgen",
    code: `ADG${first.code}`,
    loc: first.line !== undefined ? { file: first.file, line: first.line, column: (first.column ?? 1) - 1 } : undefined,
  };
}
