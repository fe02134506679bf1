/**
 * Tapes in printed code: how a generated function pushes and pops.
 *
 * Input: the tape kinds a function saves to or restores from, and the names it may use.
 * Output: the text of its tape operations. The number and boolean tapes are typed stacks;
 * a function reads each one's buffer and top into locals once and pushes and pops on them
 * (`tape[top++] = x`, `x = tape[--top]`) — a method call per value is more than V8
 * inlines in a long gradient. Invariant: the stack's own `top` is written back before
 * anything else may push or pop (a call that may reach generated code, a return) and both
 * locals are read again after such a call, since the callee may have grown the buffer. The
 * reference tape, rarely used, keeps its `push`/`pop` methods. A function that pushes and
 * pops outside loops only (a recursive half, say) names the runtime's stacks at each use:
 * no local holds them across its calls, which keeps deep recursion's frames small. The
 * level stacks of a half that runs its recursion as loops (reverse/levels.ts) are kept in
 * locals the same way, from the statement that names them on, and synced with the tapes.
 */
import { ceiling, lit, numberValue, op, type Callee, type Expr, type OutFunction, type Stmt, type TapeKind } from "../ir/ir";
import { childLists, children, stmtExprs, walk } from "../ir/traverse";
import { nameOf, type Names } from "../naming";

interface Local {
  /** the runtime's stack */
  stack: string;
  /** its buffer and top, as locals; absent for the reference tape */
  buffer?: string;
  top?: string;
  /** whether `stack` is a local declared in the header */
  declared?: boolean;
}


/** A level stack kept in locals: its variable, its buffer and top, and whether it holds booleans. */
interface LevelLocal {
  buffer: string;
  top: string;
  boolean: boolean;
}

export class TapeLocals {
  private readonly locals = new Map<TapeKind, Local>();
  /** by the variable naming the stack; only once the statement naming it ran */
  private readonly levels = new Map<string, LevelLocal>();

  constructor(
    private readonly names: Names,
    private readonly runtime: () => string,
    /** the tapes the function uses, in the order it first does */
    kinds: readonly TapeKind[],
    /** whether it pushes or pops in a loop: only then are the stacks kept in locals */
    readonly cached: boolean,
    /** `noUncheckedIndexedAccess`: an element read is `a[i]!` */
    private readonly checked = false,
  ) {
    for (const kind of kinds) {
      // without locals, each push names the runtime's stack: no local lives across a recursive call
      if (!cached) {
        this.locals.set(kind, { stack: `${runtime()}.${kind}Tape` });
        continue;
      }
      const stack = names.fresh(nameOf.tape(kind));
      const pair = nameOf.tapeLocals[kind];
      this.locals.set(kind, pair ? { stack, buffer: names.fresh(pair[0]), top: names.fresh(pair[1]), declared: true } : { stack, declared: true });
    }
  }

  get size(): number {
    return this.locals.size;
  }

  /** Whether some stack is kept in locals, to be synced around calls. */
  get synced(): boolean {
    return this.cached || this.levels.size > 0;
  }

  private local(kind: TapeKind): Local {
    const found = this.locals.get(kind);
    if (!found) throw new Error(`print: the ${kind} tape was not declared`);
    return found;
  }

  /** The declarations at the start of the function. */
  header(): string[] {
    const lines: string[] = [];
    for (const [kind, { stack, buffer, top, declared }] of this.locals) {
      if (declared) lines.push(`const ${stack} = ${this.runtime()}.${kind}Tape;`);
      if (buffer && top) lines.push(`let ${buffer} = ${stack}.data;`, `let ${top} = ${stack}.top;`);
    }
    return lines;
  }

  /**
   * Room for `count` pushes (a number, or the text of an expression), before the first of
   * them (none needed with the stack's own `push`).
   */
  reserve(kind: TapeKind, count: number | string): string[] {
    const { stack, buffer, top } = this.local(kind);
    if (!buffer || !top) return [];
    const needed = count === 1 ? `${top} === ${buffer}.length` : `${top} + ${count} > ${buffer}.length`;
    return [`if (${needed}) ${buffer} = ${stack}.grow(${count === 1 ? "" : `${top} + ${count}`});`];
  }

  /** `value` (printed already) pushed, once room was reserved. */
  push(kind: TapeKind, value: string): string {
    const { stack, buffer, top } = this.local(kind);
    if (!buffer || !top) return `${stack}.push(${value});`;
    return `${buffer}[${top}++] = ${kind === "boolean" ? `${value} ? 1 : 0` : value};`;
  }

  /** The top value popped, as an expression, and its precedence. */
  pop(kind: TapeKind, typeText: string | undefined, member: number): [string, number] {
    const { stack, buffer, top } = this.local(kind);
    if (!buffer || !top) {
      const popped = `${stack}.pop()`;
      return typeText ? [`${popped} as ${typeText}`, 1] : [popped, member];
    }
    return kind === "boolean" ? [`${buffer}[--${top}] === 1`, 8] : [`${buffer}[--${top}]${this.checked ? "!" : ""}`, member];
  }

  /** A level stack, named by `stack` from here on, kept in locals: their declarations. */
  addLevel(stack: string, boolean: boolean): string[] {
    const [buffer, top] = nameOf.levelLocals[boolean ? "boolean" : "number"].map((base) => this.names.fresh(base));
    this.levels.set(stack, { buffer, top, boolean });
    return [`let ${buffer} = ${stack}.data;`, `let ${top} = ${stack}.top;`];
  }

  /** Whether `stack` names a level stack kept in locals. */
  isLevel(stack: string): boolean {
    return this.levels.has(stack);
  }

  /** `value` (printed already) pushed on a level stack kept in locals, after room for `room` pushes is made (if given). */
  pushLevel(stack: string, value: string, room?: number): string[] {
    const { buffer, top, boolean } = this.levels.get(stack)!;
    const check = room === undefined ? [] : [`if (${room === 1 ? `${top} === ${buffer}.length` : `${top} + ${room} > ${buffer}.length`}) ${buffer} = ${stack}.grow(${room === 1 ? "" : `${top} + ${room}`});`];
    return [...check, `${buffer}[${top}++] = ${boolean ? `${value} ? 1 : 0` : value};`];
  }

  /** A level stack's top value popped, as an expression, and its precedence. */
  popLevel(stack: string, member: number): [string, number] {
    const { buffer, top, boolean } = this.levels.get(stack)!;
    return boolean ? [`${buffer}[--${top}] === 1`, 8] : [`${buffer}[--${top}]${this.checked ? "!" : ""}`, member];
  }

  /** Every stack kept in locals: the tapes', the level stacks'. */
  private inLocals(): { stack: string; buffer?: string; top?: string }[] {
    return [...this.locals.values(), ...[...this.levels].map(([stack, { buffer, top }]) => ({ stack, buffer, top }))];
  }

  /** The stacks' tops written back, before a call or a return. */
  syncOut(): string[] {
    return this.inLocals().flatMap(({ stack, top }) => (top ? [`${stack}.top = ${top};`] : []));
  }

  /** The locals read again, after a call. */
  syncIn(): string[] {
    return this.inLocals().flatMap(({ stack, buffer, top }) => (buffer && top ? [`${top} = ${stack}.top;`, `${buffer} = ${stack}.data;`] : []));
  }
}

/**
 * Whether a call may push or pop on the tapes: generated code does, and so may anything
 * the user wrote; `Math`, operators and adgen's own helpers never do.
 */
export function mayUseTapes(callee: Callee): boolean {
  switch (callee.kind) {
    case "rule":
      return !/^(Math\.|[^A-Za-z_$])/.test(callee.text);
    case "runtime":
      return false;
    default:
      return true;
  }
}

/** Whether an expression contains a call that may use the tapes. */
export function callsUsingTapes(e: Expr): boolean {
  const stack = [e];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === "call" && mayUseTapes(node.callee)) return true;
    stack.push(...children(node));
  }
  return false;
}

/**
 * The tapes a function pushes to or pops from, in the order it first does, and whether to
 * keep them in locals: when it does in a loop, and no branch or loop head calls code that
 * may use them (`headCalls`: the locals are synced around statements, not inside an expression).
 */
export function tapesUsed(fn: OutFunction): { kinds: TapeKind[]; inLoop: boolean; headCalls: boolean } {
  const kinds = new Set<TapeKind>();
  let inLoop = false;
  let headCalls = false;
  const note = (kind: TapeKind, loops: number) => {
    kinds.add(kind);
    if (loops > 0 && kind !== "reference") inLoop = true;
  };
  const visit = (list: readonly Stmt[], loops: number) => {
    for (const s of list) {
      if (s.kind === "save") note(s.tape, loops);
      if ((s.kind === "if" || s.kind === "for" || s.kind === "loop") && stmtExprs(s).some(callsUsingTapes)) headCalls = true;
      for (const e of stmtExprs(s)) {
        const stack = [e];
        while (stack.length) {
          const node = stack.pop()!;
          if (node.kind === "restore") note(node.tape, loops);
          stack.push(...children(node));
        }
      }
      for (const inner of childLists(s)) visit(inner, s.kind === "if" ? loops : loops + 1);
    }
  };
  visit(fn.body, 0);
  return { kinds: [...kinds], inLoop: inLoop && !headCalls, headCalls };
}

/** Room to reserve: a number of pushes, or as many per iteration of a counted loop. */
export type Room = number | { perIteration: number; loop: ForStmt };

type ForStmt = Extract<Stmt, { kind: "for" }>;

/**
 * One check for room per run of pushes: at the first push of each tape in a stretch of
 * straight-line code (up to a branch, a loop, a return or a call that may use the tapes),
 * room for all of that stretch's pushes of it; and before a counted loop whose every
 * iteration pushes at most a fixed number (`pushesPerIteration`), room for all of them,
 * so its body checks nothing (`covered`).
 */
export function reservations(list: readonly Stmt[], callsOut: (s: Stmt) => boolean): { room: Map<Stmt, [TapeKind, Room][]>; covered: Set<Stmt> } {
  const room = new Map<Stmt, [TapeKind, Room][]>();
  const covered = new Set<Stmt>();
  let first = new Map<TapeKind, { at: Stmt; count: number }>();
  const close = () => {
    for (const [kind, { at, count }] of first) room.set(at, [...(room.get(at) ?? []), [kind, count]]);
    first = new Map();
  };
  for (const s of list) {
    if (s.kind === "if" || s.kind === "for" || s.kind === "loop" || s.kind === "return" || callsOut(s)) {
      close();
      const perIteration = s.kind === "for" && [s.start, s.end].every(repeatable) ? pushesPerIteration(s.body, callsOut) : undefined;
      if (s.kind === "for" && perIteration?.size) {
        room.set(s, [...perIteration].map(([kind, count]) => [kind, { perIteration: count, loop: s }]));
        covered.add(s);
      }
    } else if (s.kind === "save") {
      const run = first.get(s.tape);
      if (run) run.count++;
      else first.set(s.tape, { at: s, count: 1 });
    }
  }
  close();
  return { room, covered };
}

/**
 * The most pushes of each tape one run of `body` makes, when that is bounded: straight-line
 * pushes, the larger branch of each `if`; undefined when it pushes in an inner loop, calls
 * code that may push, or returns.
 */
function pushesPerIteration(body: readonly Stmt[], callsOut: (s: Stmt) => boolean): Map<TapeKind, number> | undefined {
  const counts = new Map<TapeKind, number>();
  for (const s of body) {
    if (s.kind === "return" || callsOut(s)) return undefined;
    if (s.kind === "save") counts.set(s.tape, (counts.get(s.tape) ?? 0) + 1);
    if (s.kind === "for" || s.kind === "loop") {
      if ([...walk([s])].some((inner) => inner.kind === "save" || inner.kind === "return" || callsOut(inner))) return undefined;
    }
    if (s.kind === "if") {
      const [then, otherwise] = [pushesPerIteration(s.then, callsOut), pushesPerIteration(s.else, callsOut)];
      if (!then || !otherwise) return undefined;
      for (const kind of new Set([...then.keys(), ...otherwise.keys()])) counts.set(kind, (counts.get(kind) ?? 0) + Math.max(then.get(kind) ?? 0, otherwise.get(kind) ?? 0));
    }
  }
  return counts;
}

/** A loop bound that may be evaluated once more before the loop: names, constants, lengths and arithmetic. */
function repeatable(e: Expr): boolean {
  switch (e.kind) {
    case "var":
      return true;
    case "lit":
      return !e.volatile;
    case "length":
      return e.object.kind === "var";
    case "op":
      return e.args.every(repeatable);
    case "call":
      return e.callee.kind === "rule" && /^Math\.(ceil|floor)$/.test(e.callee.text) && e.args.every(repeatable);
    default:
      return false;
  }
}

/** At least the number of iterations of a counted loop (its end need not be an integer). */
export function tripsBound(loop: ForStmt): Expr {
  // a − b + shift, with a constant b folded in
  const minus = (a: Expr, b: Expr, shift = 0): Expr => {
    const constant = numberValue(b);
    if (constant === undefined) return shift === 0 ? op("-", a, b) : op("+", op("-", a, b), lit(String(shift)));
    const offset = shift - constant;
    return offset === 0 ? a : offset > 0 ? op("+", a, lit(String(offset))) : op("-", a, lit(String(-offset)));
  };
  if (loop.step === -1) return minus(loop.start, loop.end, 1);
  const span = minus(loop.end, loop.start);
  return loop.integralEnd ? span : ceiling(span);
}
