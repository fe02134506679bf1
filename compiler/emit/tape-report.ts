/**
 * `adgen inspect --tape`: what a generated function's forward sweep stores for its reverse
 * sweep, and what that costs.
 *
 * Input: generated functions (IR, simplified, as printed). Output: a text report, per
 * function and per loop of its forward sweep, of each value saved on the tapes with its
 * bytes (a number 8, a branch flag 1, a reference 8), summed per call or per iteration, and
 * the generated halves it calls, which store their own. Invariant: read off the IR that is
 * printed, so it reports what the code does; counts are static (one pass through a loop's
 * body, every branch counted: an upper bound where branches differ).
 */
import { type Expr, type OutFunction, type Stmt, type TapeKind } from "../ir/ir";
import { children, stmtExprs } from "../ir/traverse";
import { inPlaceNote } from "../reverse/inplace";

const bytes: Record<TapeKind, number> = { number: 8, boolean: 1, reference: 8 };

interface Stored {
  saves: { what: string; tape: TapeKind }[];
  calls: Set<string>;
  branches: boolean;
}

export function tapeReport(fns: readonly OutFunction[]): string {
  return fns.map(reportFunction).join("\n\n");
}

function reportFunction(fn: OutFunction): string {
  const lines: string[] = [];
  const forward = fn.body.slice(0, Math.max(0, fn.body.findIndex((s) => s.kind === "comment" && s.text === "reverse sweep")));
  const visit = (list: readonly Stmt[], depth: number, label: string, unit: string, source = "") => {
    const stored: Stored = { saves: [], calls: new Set(), branches: false };
    const loops: Stmt[] = [];
    collect(list, stored, loops);
    lines.push(`${"  ".repeat(depth)}${label}: ${summary(stored, unit)}${source && `  // ${source}`}`);
    for (const loop of loops) {
      const info = fn.origins[loop.origin];
      const body = loop.kind === "loop" ? [...loop.test, ...loop.body] : loop.kind === "for" ? loop.body : [];
      // a loop reversed in place takes back what an iteration stores before the next one starts
      const inPlace = body.findIndex((s) => s.kind === "comment" && s.text.startsWith(inPlaceNote));
      const unit = inPlace < 0 ? "per iteration" : `${inPlaceNote}, taken back by each iteration: per iteration`;
      visit(inPlace < 0 ? body : body.slice(0, inPlace), depth + 1, info ? `line ${info.pos.line}` : "loop", unit, info?.text);
    }
  };
  visit(forward.length ? forward : fn.body, 0, fn.name, "per call");
  return lines.join("\n");
}

/** The saves and calls of a list outside its loops (inside its branches), and those loops. */
function collect(list: readonly Stmt[], stored: Stored, loops: Stmt[]): void {
  for (const s of list) {
    if (s.kind === "save") stored.saves.push({ what: describe(s.value), tape: s.tape });
    for (const e of stmtExprs(s)) for (const name of generatedCalls(e)) stored.calls.add(name);
    if (s.kind === "if") {
      stored.branches ||= [...s.then, ...s.else].some((x) => x.kind === "save");
      collect(s.then, stored, loops);
      collect(s.else, stored, loops);
    } else if (s.kind === "for" || s.kind === "loop") loops.push(s);
  }
}

function summary({ saves, calls, branches }: Stored, unit: string): string {
  const total = saves.reduce((sum, { tape }) => sum + bytes[tape], 0);
  const parts = [`${unit} ${branches ? "at most " : ""}${total} B`];
  if (saves.length) parts[0] += ` (${saves.map(({ what, tape }) => `${what}: ${tape}`).join(", ")})`;
  if (calls.size) parts.push(`and what ${[...calls].join(", ")} store${calls.size > 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** A saved value, briefly: a name, an element, or an expression. */
function describe(e: Expr): string {
  if (e.kind === "var") return e.name;
  if (e.kind === "get" && e.object.kind === "var" && e.key.kind === "index") {
    const index = e.key.index;
    return `${e.object.name}[${index.kind === "var" ? index.name : index.kind === "lit" ? index.text : "…"}]`;
  }
  return "a computed value";
}

/** The generated functions an expression calls (split halves and other adjoints). */
function generatedCalls(e: Expr): string[] {
  const found: string[] = [];
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "call" && node.callee.kind === "generated") found.push(node.callee.text);
    stack.push(...children(node));
  }
  return found;
}
