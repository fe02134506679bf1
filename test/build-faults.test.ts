/**
 * `adgen build` under file-system faults that cannot be staged from outside: an input that
 * disappears mid-build, a disk that fills while the new tree is written, renames that fail
 * during the swap. adgen's own calls into node:fs are wrapped so that a test can make one
 * of them fail; each build must end in an ADG4xxx diagnostic naming the cause, with the
 * previous out dir exactly as it was and no scratch directory left, or — where the swap is
 * past the point of no return — with the new tree complete and the leftover named.
 */
import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../compiler/commands";
import { outputTree, previousBuild, tree } from "./fixtures";

const faults = vi.hoisted(() => ({ hook: undefined as undefined | ((call: string, args: unknown[]) => void) }));

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const wrapped = <K extends "readFileSync" | "writeFileSync" | "renameSync" | "rmSync">(name: K) =>
    ((...args: unknown[]) => {
      faults.hook?.(name, args);
      return (real[name] as (...a: unknown[]) => unknown)(...args);
    }) as (typeof real)[K];
  return {
    ...real,
    readFileSync: wrapped("readFileSync"),
    writeFileSync: wrapped("writeFileSync"),
    renameSync: wrapped("renameSync"),
    rmSync: wrapped("rmSync"),
  };
});

/** An error as node:fs throws it. */
function fault(code: string, syscall: string, at: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${at}'`), { code, syscall, path: at });
}

let work: string;
beforeEach(() => {
  work = nodeFs.mkdtempSync(path.join(os.tmpdir(), "adgen-faults-"));
  for (const [file, text] of Object.entries({ "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n" })) {
    nodeFs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    nodeFs.writeFileSync(path.join(work, file), text);
  }
  previousBuild(path.join(work, "out"), { "old.ts": "export const old = 0;\n", "deep/older.ts": "export {};\n" });
});
afterEach(() => {
  faults.hook = undefined;
  nodeFs.rmSync(work, { recursive: true, force: true });
});

/** Builds src into out with `hook` watching adgen's file-system calls. */
async function buildWith(hook: (call: string, args: unknown[]) => void) {
  faults.hook = hook;
  try {
    return await run(["build", "src", "--out-dir", "out"], { cwd: work });
  } finally {
    faults.hook = undefined;
  }
}

const scratchLeft = () => nodeFs.readdirSync(work).filter((name) => /\.adgen-(tmp|old)-/.test(name));

describe("a build under file-system faults", () => {
  it("an input that disappears between listing and reading: ADG4005 names it", async () => {
    const gone = path.join(work, "src/b.ts");
    const before = tree(work);
    const result = await buildWith((call, [file]) => {
      if (call === "readFileSync" && file === gone) nodeFs.unlinkSync(gone);
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      "src/b.ts - error ADG4005: cannot read this input: it no longer exists (was it moved or deleted during the build?) (ENOENT)\nFound 1 error; nothing was written.\n",
    );
    const { "src/b.ts": _gone, ...rest } = before;
    expect(tree(work)).toEqual(rest);
  });

  it("a disk that fills while the new tree is written: ADG4006, the previous out dir as it was", async () => {
    const before = tree(work);
    let writes = 0;
    const result = await buildWith((call, [file]) => {
      if (call === "writeFileSync" && String(file).includes(".adgen-tmp-") && ++writes === 2) throw fault("ENOSPC", "write", String(file));
    });
    expect(writes).toBe(2);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("out - error ADG4006: cannot write the new output beside the out dir: no space left on the device (ENOSPC)\n");
    expect(tree(work)).toEqual(before);
    expect(scratchLeft()).toEqual([]);
  });

  it.each([
    ["the old tree cannot be moved aside", 1],
    ["the new tree cannot be moved into place", 2],
  ])("%s: ADG4006, the previous out dir put back", async (_name, failing) => {
    const before = tree(work);
    let renames = 0;
    const result = await buildWith((call, [from]) => {
      if (call === "renameSync" && ++renames === failing) throw fault("EACCES", "rename", String(from));
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "out - error ADG4006: cannot move the new output into place (the previous output is as it was): permission denied (EACCES)\n",
    );
    expect(tree(work)).toEqual(before);
    expect(scratchLeft()).toEqual([]);
  });

  it("the old tree cannot be deleted after the swap: the new tree is complete, the leftover named", async () => {
    const result = await buildWith((call, [file]) => {
      if (call === "rmSync" && String(file).includes(".adgen-old-")) throw fault("EBUSY", "rmdir", String(file));
    });
    expect(result.exitCode).toBe(1);
    const leftover = scratchLeft();
    expect(leftover).toHaveLength(1);
    expect(result.stderr).toContain(`the new output is in place, but the previous one could not be deleted from ${path.join(work, leftover[0]!)}`);
    expect(Object.keys(outputTree(path.join(work, "out"))).sort()).toEqual(["a.ts", "b.ts"]);
  });

  it("with no fault, the same build replaces the out dir and leaves nothing else", async () => {
    const result = await buildWith(() => {});
    expect(result.exitCode).toBe(0);
    expect(Object.keys(outputTree(path.join(work, "out"))).sort()).toEqual(["a.ts", "b.ts"]);
    expect(scratchLeft()).toEqual([]);
  });
});
