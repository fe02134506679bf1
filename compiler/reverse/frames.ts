/**
 * A half that calls itself from anywhere (in a loop, from two places, twice per level), as
 * one loop over a stack of frames: recursion differentiated without a host stack frame per
 * call, where descent.ts's two loops do not apply.
 *
 * Input: a forward or reverse half (or a tangent function) before simplification that calls
 * itself (a method: on `this`), each call the value (or an arithmetic operand of the value) of
 * an assignment or effect, with one final `return` at most. Output: the same half as a machine
 *
 *   pc = entry; while (pc >= 0) { if (pc === 7) { block 7 } if (pc === 6) { block 6 } … }
 *
 * whose blocks are the body cut at each call and at each branch or loop holding one, in
 * program order (a block runs on into the next when that follows it). A block ends by naming
 * the next (`pc = k`), by a call (push the frame: the variables a block reached after the
 * call returns may read, and the block to resume at; then the parameters take the arguments,
 * what the recursive form declares with a value gets it again, `pc = entry`), or by the
 * return (`below` takes the value; pop the frame and resume, or stop at the bottom). The block resumed after a call starts with the
 * call's statement, the call replaced by `below`. Invariant: the machine runs the statements
 * of the recursive half in the same order with the same values (each frame's variables are
 * restored as the call left them, the callee's start as a call's would), so the tapes, the
 * shadows and the result are those of the recursive form. Any other shape leaves the half
 * as it is (recursive, and right).
 */
import { lit, op, v, varName, type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { exprReads, stmtReads, walk, writtenObject } from "../ir/traverse";
import { declarations } from "../emit/declare";
import { loopable, mentions, replaceCall, restatable, selfCall, selfCallCount } from "./descent";
import { levelStacks, type LoopContext } from "./levels";

type Exit =
  | { kind: "goto"; to: number }
  | { kind: "branch"; cond: Expr; then: number; else: number }
  | { kind: "call"; args: Expr[]; resume: number }
  | { kind: "return"; value?: Expr };

interface Block {
  stmts: Stmt[];
  exit: Exit;
}

export function selfRecursionAsFrames(cx: LoopContext, half: OutFunction): OutFunction {
  const calls = selfCallCount(half);
  if (!loopable(half) || calls === 0) return half;
  const last = half.body.at(-1);
  const returns = [...walk(half.body)].filter((s) => s.kind === "return");
  if (returns.length > 1 || (returns.length === 1 && returns[0] !== last)) return half;
  if ([...walk(half.body)].filter((s) => selfCall(half, s)).length !== calls) return half;
  const body = last?.kind === "return" ? half.body.slice(0, -1) : half.body;

  const below = half.returnTypeText === "void" ? undefined : cx.fresh("below", "inactive", half.returnTypeText);
  const blocks: Block[] = [];
  const block = (stmts: Stmt[], exit: Exit): number => blocks.push({ stmts, exit }) - 1;
  const hasCall = (s: Stmt) => [...walk([s])].some((t) => selfCall(half, t));
  const loopIndices: string[] = [];
  const loopEnds: string[] = [];

  /** The statements as blocks, the last going on to block `next`; returns the first block. */
  const flatten = (list: readonly Stmt[], next: number): number => {
    let current: Block = { stmts: [], exit: { kind: "goto", to: next } };
    let id = blocks.push(current) - 1;
    for (let k = list.length - 1; k >= 0; k--) {
      const s = list[k];
      if (!hasCall(s)) {
        current.stmts.unshift(s);
        continue;
      }
      const call = selfCall(half, s);
      if (call) {
        if (s.kind === "assign" && below) current.stmts.unshift({ ...s, value: replaceCall(s.value, call, v(below)) });
        id = block([], { kind: "call", args: call.args, resume: id });
      } else if (s.kind === "if") {
        id = block([], { kind: "branch", cond: s.cond, then: flatten(s.then, id), else: flatten(s.else, id) });
      } else if (s.kind === "loop") {
        const head = block([], { kind: "goto", to: -1 });
        const test = flatten(s.test, block([], { kind: "branch", cond: s.cond, then: flatten(s.body, head), else: id }));
        blocks[head].exit = { kind: "goto", to: test };
        // the statements before the loop run once: not in its head, which each turn comes back to
        id = block([], { kind: "goto", to: head });
      } else if (s.kind === "for") {
        const end = cx.temp("inactive", "number");
        loopEnds.push(end);
        const head = block([], { kind: "goto", to: -1 });
        const step = block([{ kind: "assign", target: s.index, value: op(s.step === 1 ? "+" : "-", v(s.index), lit("1")), origin: -1 }], { kind: "goto", to: head });
        blocks[head].exit = { kind: "branch", cond: op(s.step === 1 ? "<" : ">=", v(s.index), v(end)), then: flatten(s.body, step), else: id };
        loopIndices.push(s.index);
        id = block([{ kind: "assign", target: s.index, value: s.start, origin: s.origin }, { kind: "assign", target: end, value: s.end, origin: s.origin }], { kind: "goto", to: head });
      } else {
        return -1;
      }
      current = blocks[id];
    }
    return id;
  };
  const done = block([], { kind: "return", value: last?.kind === "return" ? last.value : undefined });
  const entry = flatten(body, done);
  if (blocks.some((b) => (b.exit.kind === "goto" && b.exit.to < 0) || (b.exit.kind === "branch" && (b.exit.then < 0 || b.exit.else < 0)))) return half;
  if (entry < 0) return half;

  // a block that only goes on to another is skipped: whatever leads to it leads there
  const target = (id: number): number => {
    for (let hops = 0; blocks[id].stmts.length === 0 && blocks[id].exit.kind === "goto" && hops < blocks.length; hops++) id = (blocks[id].exit as { to: number }).to;
    return id;
  };
  for (const b of blocks) {
    if (b.exit.kind === "goto") b.exit.to = target(b.exit.to);
    if (b.exit.kind === "branch") Object.assign(b.exit, { then: target(b.exit.then), else: target(b.exit.else) });
    if (b.exit.kind === "call") b.exit.resume = target(b.exit.resume);
  }
  const start = target(entry);
  const reached = new Set([start]);
  for (const work = [start]; work.length; ) {
    const exit = blocks[work.pop()!].exit;
    for (const id of exit.kind === "call" ? [start, ...successorsOf(exit)] : successorsOf(exit)) if (!reached.has(id)) reached.add(id) && work.push(id);
  }

  const vars = new Map([...half.vars, ...cx.vars]);
  for (const index of loopIndices) vars.set(index, { name: index, type: "inactive", typeText: "number", shape: { kind: "inactive" }, role: "generated" });
  // a counted loop left whole runs within one block: its index lives there only
  const ownIndices = new Set([...walk(body)].flatMap((s) => (s.kind === "for" && !loopIndices.includes(s.index) ? [s.index] : [])));
  const typeOf = (name: string) => half.params.find((p) => p.name === name)?.typeText ?? vars.get(name)?.typeText;
  // a parameter every call passes on as it is (an array's shadow) is never set, nor kept per frame
  const allCalls = blocks.flatMap((b) => (b.exit.kind === "call" ? [b.exit] : []));
  const assignedNames = new Set([...walk(body)].flatMap((s) => (s.kind === "assign" ? [s.target] : s.kind === "for" ? [s.index] : [])));
  const passed = half.params.map((p, k) => !assignedNames.has(p.name) && allCalls.every((c) => varName(c.args[k]) === p.name));
  const mentioned = [...mentions(body), ...loopEnds];
  const locals = mentioned.filter((name) => !half.params.some((p) => p.name === name) && name !== "this" && name !== below && !ownIndices.has(name));
  // a frame keeps what is live where a call returns: read there, or further on, before it is written
  const uses = blocks.map(blockUse);
  const liveIn = blocks.map(() => new Set<string>());
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of reached) {
      const live = new Set(uses[id].gen);
      for (const next of successorsOf(blocks[id].exit)) for (const name of liveIn[next]) if (!uses[id].kill.has(name)) live.add(name);
      if (live.size > liveIn[id].size) {
        liveIn[id] = live;
        changed = true;
      }
    }
  }
  const readAfter = new Set(allCalls.flatMap((c) => [...liveIn[c.resume]]));
  const kept = [...half.params.filter((_, k) => !passed[k]).map((p) => p.name), ...locals].filter((name) => readAfter.has(name));
  if (kept.some((name) => !typeOf(name)) || locals.some((name) => !restatable(typeOf(name)))) return half;

  // what the recursive form declares with a value each call gets it again at each call; the rest is assigned before read
  const hoisted = new Set([...declarations(half).hoisted.values()].flat());
  const reset = locals.filter((name) => hoisted.has(name));
  const pc = cx.fresh("pc", "inactive", "number");
  const depth = cx.fresh("depth", "inactive", "number");
  // the frame: the variables kept, then the block to resume at
  const frame = levelStacks(cx, [...kept.map((name) => ({ value: v(name), target: name, typeText: typeOf(name)! })), { value: lit("0"), target: pc, typeText: "number" }]);
  const pushFrame = (resume: number): Stmt[] => frame.push.map((s, i) => (i === kept.length && s.kind === "push" ? { ...s, value: lit(String(resume)) } : s));
  const next = half.params.map((p, k) => (passed[k] ? p.name : cx.fresh(`${p.name}_next`, "inactive", p.typeText)));
  const assign = (target: string, value: Expr): Stmt => ({ kind: "assign", target, value, origin: -1 });
  const goto = (to: number) => assign(pc, lit(String(to)));

  const exitCode = (exit: Exit): Stmt[] => {
    switch (exit.kind) {
      case "goto":
        return [goto(exit.to)];
      case "branch":
        return [{ kind: "if", cond: exit.cond, then: [goto(exit.then)], else: [goto(exit.else)], origin: -1 }];
      case "call":
        return [
          ...half.params.flatMap((p, k) => (passed[k] ? [] : [assign(next[k], exit.args[k])])),
          ...pushFrame(exit.resume),
          assign(depth, op("+", v(depth), lit("1"))),
          ...half.params.flatMap((p, k) => (passed[k] ? [] : [assign(p.name, v(next[k]))])),
          ...reset.map((name) => assign(name, lit(restatable(typeOf(name))!))),
          goto(start),
        ];
      case "return":
        return [
          ...(below && exit.value ? [assign(below, exit.value)] : []),
          {
            kind: "if",
            cond: op("===", v(depth), lit("0")),
            then: [goto(-1)],
            else: [
              assign(depth, op("-", v(depth), lit("1"))),
              ...frame.pop,
            ],
            origin: -1,
          },
        ];
    }
  };
  // one `if (pc === k)` per block, in program order (the first built last): a block whose successor follows it runs on
  // into it in the same turn; the others wait for the next turn
  const order = blocks.map((_, id) => id).reverse().filter((id) => reached.has(id));
  const dispatch = order.map((id): Stmt => ({ kind: "if", cond: op("===", v(pc), lit(String(id))), then: [...blocks[id].stmts, ...exitCode(blocks[id].exit)], else: [], origin: -1 }));
  const newBody: Stmt[] = [
    ...frame.setup,
    // every local declared before the loop (its turns share them), with its value at the start of a call
    ...locals.map((name) => assign(name, lit(restatable(typeOf(name))!))),
    assign(depth, lit("0")),
    assign(pc, lit(String(start))),
    { kind: "loop", test: [], cond: op(">=", v(pc), lit("0")), body: dispatch, origin: -1 },
    ...(below ? [{ kind: "return", value: v(below), origin: -1 } as Stmt] : []),
  ];
  return { ...half, vars: new Map([...vars, ...cx.vars]), body: newBody };
}

/** The blocks that run after a block's exit in the same frame (a call's callee starts at the entry). */
function successorsOf(exit: Exit): number[] {
  return exit.kind === "goto" ? [exit.to] : exit.kind === "branch" ? [exit.then, exit.else] : exit.kind === "call" ? [exit.resume] : [];
}

/** What a block reads before it surely writes it (arrays written into count as read), and what it surely writes. */
function blockUse(b: Block): { gen: Set<string>; kill: Set<string> } {
  const gen = new Set<string>();
  const kill = new Set<string>();
  const read = (name: string) => kill.has(name) || gen.add(name);
  for (const s of b.stmts) {
    for (const t of walk([s])) {
      stmtReads(t).forEach(read);
      const object = writtenObject(t);
      if (object) read(object);
      if (t.kind === "assign" && t.accumulate) read(t.target);
    }
    if (s.kind === "assign" && !s.accumulate) kill.add(s.target);
  }
  const exprs = b.exit.kind === "branch" ? [b.exit.cond] : b.exit.kind === "call" ? b.exit.args : b.exit.kind === "return" && b.exit.value ? [b.exit.value] : [];
  for (const e of exprs) exprReads(e).forEach(read);
  return { gen, kill };
}
