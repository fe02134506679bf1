/**
 * A half that calls itself once, as two loops: deep linear recursion differentiated without
 * a host stack frame per level.
 *
 * Input: a forward or reverse half (or a tangent function) before simplification whose body
 * makes exactly one call of itself (a method's on `this`), reached through `if`s only (no loop
 * around it, no `return` but the last), as an assignment's or effect's value or an operand of
 * arithmetic in it. Output: the same half written as
 *
 *   while (true) { descends = false; the part before the call (its arguments into `_next`
 *                  temporaries, descends = true); push what the part after it reads on
 *                  per-variable `_levels` stacks; if (!descends) break; depth++; parameters = `_next` }
 *   for (level = depth; level >= 0; level--) { pop them; the part after the call, its result
 *                  being `below`; below = the half's result }
 *   return below
 *
 * The part before the call is the body up to it, each `if` on the way run in full when the
 * branch taken leads away from the call; the part after is the rest: the branches on the
 * way to the call, and what follows each `if`. Invariant: the statements run in exactly the
 * order the recursive half runs them (level 0's part before its call, level 1's, …, the
 * deepest level's whole body, …, level 0's part after its call), and each level's part
 * after the call sees the values its part before the call left and the initial values of
 * the rest, so the tapes, the shadows and the result are those of the recursive form. Any
 * other shape, or a variable whose initial value this cannot restate, leaves the half as it
 * is (recursive, and right).
 */
import { lit, op, v, varName, type Expr, type OutFunction, type Stmt } from "../ir/ir";
import { assigned, assignedNames, children, stmtExprs, stmtReads, walk, walkExpr, writtenObject } from "../ir/traverse";
import { arithmetic } from "./recompute";
import { declarations, initialValue } from "../emit/declare";
import { levelStacks, type LoopContext } from "./levels";

type Call = Extract<Expr, { kind: "call" }>;

/** The operands of an operator or of an arithmetic rule (`+`, `*`): pure on numbers. */
const operands = (e: Expr): Expr[] | undefined => (arithmetic(e) !== undefined && (e.kind === "op" || e.kind === "call") ? e.args : undefined);

/** Whether `e` calls `half` itself: a generated half by its name, or a tangent function (standalone) by its own. */
const callsItself = (half: OutFunction, e: Expr): e is Call =>
  e.kind === "call" && (e.callee.kind === "generated" || (e.callee.kind === "differentiable" && e.callee.standalone === true)) && e.callee.text === half.name;

/** Whether a call of the half keeps its `this`: a function's call, or a method's on `this` itself (the same at every level). */
const sameThis = (half: OutFunction, call: Call): boolean => {
  const receiver = (call.callee as { receiver?: Expr }).receiver;
  return half.self ? receiver?.kind === "var" && receiver.name === "this" : !receiver;
};

/**
 * Whether the loop forms may take a half: each call of itself on the same `this`, passing every parameter, a defaulted
 * one a value that is surely not `undefined` (the loops assign the parameters, where a call would apply the default).
 */
export function loopable(half: OutFunction): boolean {
  const calls: Call[] = [];
  for (const s of walk(half.body)) for (const e of stmtExprs(s).flatMap((root) => [...walkExpr(root)])) if (callsItself(half, e)) calls.push(e);
  const defined = (arg: Expr): boolean => {
    if (arg.kind === "lit") return arg.text !== "undefined";
    if (arg.kind !== "var") return arithmetic(arg) !== undefined;
    const param = half.params.find((p) => p.name === arg.name);
    const typeText = param?.typeText ?? half.vars.get(arg.name)?.typeText;
    return typeText !== undefined && !/\bundefined\b/.test(typeText) && !(param?.optional && !param.initText);
  };
  const passes = (call: Call) => call.args.length === half.params.length && half.params.every((p, k) => !p.initText || defined(call.args[k]));
  return calls.every((call) => sameThis(half, call) && !call.spread && passes(call));
}

/** The half's call of itself in an assignment's or effect's value, where the rest of the value is arithmetic on names and literals. */
export function selfCall(half: OutFunction, s: Stmt): Call | undefined {
  if (s.kind !== "assign" && s.kind !== "effect") return undefined;
  const find = (e: Expr): Call | undefined => {
    if (callsItself(half, e) && sameThis(half, e)) return e;
    const args = operands(e);
    const found = args?.map(find).filter((c) => c !== undefined);
    return found?.length === 1 && args!.every((a) => find(a) || pure(a)) ? found[0] : undefined;
  };
  return find(s.value);
}

/** Whether an expression is arithmetic on names and literals: evaluated after the call rather than before, it gives the same. */
function pure(e: Expr): boolean {
  return e.kind === "var" || e.kind === "lit" || (operands(e)?.every(pure) ?? false);
}

/** The expression with the call replaced by `by`. */
export function replaceCall(e: Expr, call: Call, by: Expr): Expr {
  if (e === call) return by;
  return operands(e) ? { ...(e as Call), args: operands(e)!.map((a) => replaceCall(a, call, by)) } : e;
}

/** How many calls of the half the body makes, wherever in its expressions. */
export function selfCallCount(half: OutFunction): number {
  let count = 0;
  const stack: Expr[] = [];
  for (const s of walk(half.body)) stack.push(...stmtExprs(s));
  while (stack.length) {
    const e = stack.pop()!;
    if (callsItself(half, e)) count++;
    stack.push(...children(e));
  }
  return count;
}

/** The variables statements read or assign, nested ones included. */
export function mentions(list: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  for (const s of walk(list)) {
    stmtReads(s).forEach((name) => names.add(name));
    const target = assigned(s) ?? (s.kind === "for" ? s.index : undefined);
    if (target) names.add(target);
  }
  return names;
}

/** The variables statements read, nested ones included (an array written into, or a number added to, is read). */
export function readsIn(list: readonly Stmt[]): Set<string> {
  const names = new Set<string>();
  for (const s of walk(list)) {
    stmtReads(s).forEach((name) => names.add(name));
    const object = writtenObject(s) ?? (s.kind === "assign" && s.accumulate ? s.target : undefined);
    if (object) names.add(object);
  }
  return names;
}

/** The path to the self call: per level the index in the list and, for an `if`, the branch taken. */
type Step = { index: number; branch?: "then" | "else" };

function pathTo(list: readonly Stmt[], half: OutFunction): Step[] | undefined {
  for (let index = 0; index < list.length; index++) {
    const s = list[index];
    if (selfCall(half, s)) return [{ index }];
    if (s.kind !== "if") continue;
    for (const branch of ["then", "else"] as const) {
      const rest = pathTo(s[branch], half);
      if (rest) return [{ index, branch }, ...rest];
    }
  }
  return undefined;
}

function stmtAt(list: readonly Stmt[], path: readonly Step[]): Stmt {
  let current = list;
  let s!: Stmt;
  for (const step of path) {
    s = current[step.index];
    if (step.branch) current = (s as Extract<Stmt, { kind: "if" }>)[step.branch];
  }
  return s;
}

/**
 * The value a variable of this type holds where the recursive form declares it: `0`, `false`, or for one declared
 * without a value (`let r!: number[]`) `undefined!`, which restates it and type-checks.
 */
export const restatable = (typeText: string | undefined): string | undefined => typeText && (initialValue(typeText) ?? "undefined!");

export function selfRecursionAsLoops(cx: LoopContext, half: OutFunction): OutFunction {
  if (!loopable(half) || selfCallCount(half) !== 1) return half;
  const last = half.body.at(-1);
  const returns = [...walk(half.body)].filter((s) => s.kind === "return");
  if (returns.length > 1 || (returns.length === 1 && returns[0] !== last)) return half;
  const body = last?.kind === "return" ? half.body.slice(0, -1) : half.body;
  const path = pathTo(body, half);
  if (!path) return half;

  // what the recursive form declares with an initial value each call gets again at each level
  const hoisted = [...declarations(half).hoisted.values()].flat();
  const initial = (name: string) => restatable(half.vars.get(name)?.typeText);

  const descends = cx.fresh("descends", "inactive", "boolean");
  const depth = cx.fresh("depth", "inactive", "number");
  const below = half.returnTypeText === "void" ? undefined : cx.fresh("below", "inactive", half.returnTypeText);
  // a parameter passed down as it is (an array's shadow, say) needs no copy per level
  const call = selfCall(half, stmtAt(body, path))!;
  const passed = half.params.map((p, k) => varName(call.args[k]) === p.name);
  const next = half.params.map((p, k) => (passed[k] ? p.name : cx.fresh(`${p.name}_next`, "inactive", p.typeText)));

  /** The body up to the call: branches leading away from it in full, the call replaced by its arguments. */
  const before = (list: readonly Stmt[], steps: Step[]): Stmt[] => {
    const [step, ...rest] = steps;
    const s = list[step.index];
    const head = list.slice(0, step.index);
    if (!step.branch) {
      return [...head, ...call.args.flatMap((a, k): Stmt[] => (passed[k] ? [] : [{ kind: "assign", target: next[k], value: a, origin: -1 }])), { kind: "assign", target: descends, value: lit("true"), origin: -1 }];
    }
    const branching = s as Extract<Stmt, { kind: "if" }>;
    return [...head, { ...branching, [step.branch]: before(branching[step.branch], rest) }];
  };
  /** The rest after the call: the branches on the way to it, and what follows each `if`. */
  const after = (list: readonly Stmt[], steps: Step[]): Stmt[] => {
    const [step, ...rest] = steps;
    const s = list[step.index];
    const tail = list.slice(step.index + 1);
    if (!step.branch) {
      const call = selfCall(half, s)!;
      const result: Stmt[] = s.kind === "assign" && below ? [{ ...s, value: replaceCall(s.value, call, v(below)) }] : [];
      return [...result, ...tail];
    }
    const branching = s as Extract<Stmt, { kind: "if" }>;
    const other = step.branch === "then" ? "else" : "then";
    return [{ ...branching, [step.branch]: after(branching[step.branch], rest), [other]: [] }, ...tail];
  };
  const beforePart = before(body, path);
  const afterPart = [...after(body, path), ...(below && last?.kind === "return" ? [{ kind: "assign", target: below, value: last.value, origin: -1 } as Stmt] : [])];

  // A level's part after the call sees what its part before the call assigned (and its parameters): kept per level on
  // a stack of its own where it reads it. What it reads of the rest holds the value the recursive form declares it with.
  const mentionedAfter = mentions(afterPart);
  const readAfter = readsIn(afterPart);
  const assignedBefore = assignedNames(beforePart);
  const assignedAnywhere = assignedNames(body);
  const isParam = (name: string) => half.params.some((p, k) => p.name === name && !(passed[k] && !assignedAnywhere.has(name)));
  const keptNames = [...readAfter].filter((name) => name !== below && (isParam(name) || assignedBefore.has(name)));
  const typeOf = (name: string) => half.params.find((p) => p.name === name)?.typeText ?? cx.vars.get(name)?.typeText;
  if (keptNames.some((name) => !typeOf(name))) return half;
  const levels = levelStacks(cx, keptNames.map((name) => ({ value: v(name), target: name, typeText: typeOf(name)! })));
  const mentionedBefore = mentions(beforePart);
  const resetBefore = hoisted.filter((name) => mentionedBefore.has(name));
  const resetAfter = hoisted.filter((name) => mentionedAfter.has(name) && !keptNames.includes(name));
  if ([...resetBefore, ...resetAfter].some((name) => !initial(name))) return half;
  const reset = (names: string[]) => names.map((name): Stmt => ({ kind: "assign", target: name, value: lit(initial(name)!), origin: -1 }));

  const loop: Stmt = {
    kind: "loop",
    test: [
      { kind: "assign", target: descends, value: lit("false"), origin: -1 },
      ...reset(resetBefore),
      ...beforePart,
      ...levels.push,
    ],
    cond: v(descends),
    body: [
      { kind: "assign", target: depth, value: op("+", v(depth), lit("1")), origin: -1 },
      ...half.params.flatMap((p, k): Stmt[] => (passed[k] ? [] : [{ kind: "assign", target: p.name, value: v(next[k]), origin: -1 }])),
    ],
    origin: -1,
  };
  const level = cx.fresh("level", "inactive", "number");
  const ascent: Stmt = {
    kind: "for",
    index: level,
    start: v(depth),
    end: lit("0"),
    step: -1,
    integralEnd: true,
    body: [
      ...levels.pop,
      ...reset(resetAfter),
      ...afterPart,
    ],
    origin: -1,
  };
  const newBody: Stmt[] = [
    ...levels.setup,
    { kind: "assign", target: depth, value: lit("0"), origin: -1 },
    loop,
    ascent,
    ...(below ? [{ kind: "return", value: v(below), origin: -1 } as Stmt] : []),
  ];
  return { ...half, vars: new Map([...half.vars, ...cx.vars]), body: newBody };
}
