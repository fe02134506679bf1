/**
 * The two halves a call uses, cut from one generated function at the sweeps' boundary.
 *
 *   f_forward(params, w̄…)        the forward sweep; then pushes the locals the reverse sweep
 *                                reads ("what the reverse half reads"); returns the value
 *                                (and the result's shadow, `[r, r̄]`, for an array result)
 *   f_reverse(params, w̄…, ȳ)     pops them back (computes again the temporaries that are
 *                                arithmetic or a comparison on its parameters and on what it
 *                                popped) and runs the reverse sweep; returns the
 *                                cotangent of its active number parameter (a tuple for
 *                                several, nothing for none); arrays' cotangents went into w̄
 *
 * Input: the joint function, already simplified, whose final return lists the value, the
 * result's shadow and the number cotangents (so simplification kept them). Output: the two
 * halves. The caller's own pushes and pops between the two calls balance, so the tapes line
 * up; what crosses is exactly what the simplified reverse sweep still reads.
 */
import { simplify } from "../emit/simplify";
import { v, type Expr, type IrVar, type OutFunction, type Stmt, type TapeKind } from "../ir/ir";
import { walk } from "../ir/traverse";
import type { ReverseContext } from "./context";
import type { ReverseRequest } from "./index";
import { selfRecursionAsLoops } from "./descent";
import { selfRecursionAsFrames } from "./frames";
import { readsOf } from "./plan";
import { arithmetic } from "./recompute";

interface SplitInfo {
  request: ReverseRequest;
  shadowParams: string[];
  seedName?: string;
  resultIsReference: boolean;
  /** how many number cotangents the reverse half returns */
  numbers: number;
}

function tapeOf(variable: IrVar | undefined): TapeKind {
  if (!variable || variable.typeText === "number") return "number";
  return variable.typeText === "boolean" ? "boolean" : "reference";
}

export function splitHalves(cx: ReverseContext, joint: OutFunction, info: SplitInfo): OutFunction[] {
  const { request, shadowParams, seedName } = info;
  const cut = joint.body.findIndex((s) => s.kind === "comment" && s.text === "reverse sweep");
  const last = joint.body.at(-1);
  if (cut < 0 || last?.kind !== "return" || last.value.kind !== "literal") throw new Error("split: the joint function lost its shape");
  const forwardPart = joint.body.slice(0, cut);
  const reversePart = joint.body.slice(cut + 1, -1);
  const [value, ...rest] = last.value.items.map((i) => i.value);
  const shadow = info.resultIsReference ? rest.shift()! : undefined;
  const cotangents = rest;

  const params = joint.params.filter((p) => p.name !== seedName);
  const halfParams = params.filter((p) => !shadowParams.includes(p.name));
  const shadowParamList = shadowParams.map((name) => ({ name, typeText: cx.vars.get(name)!.typeText }));
  const assigned = new Set<string>();
  for (const s of walk(forwardPart)) if (s.kind === "assign") assigned.add(s.target);
  const redo = recomputable(cx, forwardPart, halfParams.map((p) => p.name).filter((name) => !assigned.has(name)));
  // what the reverse half must have: what its sweep reads, and what it recomputes that from
  const needed = new Set<string>();
  const need = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    const def = redo.get(name);
    if (def) readsOf([def]).forEach(need);
  };
  readsOf(reversePart).forEach(need);
  const crossing = [...needed].filter((name) => assigned.has(name) && !redo.has(name));
  const redoStmts = [...redo].filter(([name]) => needed.has(name)).map(([, def]): Stmt => ({ ...def, origin: -1 }));

  const pairs = new Map(crossing.map((name) => [name, cx.pair()]));
  const forwardReturn: Expr = shadow ? { kind: "literal", shape: "array", items: [{ key: "0", value }, { key: "1", value: shadow }] } : value;
  const forwardBody: Stmt[] = [
    ...forwardPart,
    ...(crossing.length ? [{ kind: "comment", text: "what the reverse half reads", origin: -1 } as Stmt] : []),
    ...crossing.map((name): Stmt => ({ kind: "save", tape: tapeOf(cx.vars.get(name)), value: v(name), origin: -1, pair: pairs.get(name) })),
    { kind: "return", value: forwardReturn, origin: -1 },
  ];
  const resultText = cx.fn.result.typeText;
  const shadowText = cx.fn.result.tangentText;
  const forward: OutFunction = {
    ...joint,
    name: request.name,
    doc: `Forward half of \`${cx.fn.name}\` for its callers: its value${shadow ? " and the result's shadow" : ""}, with what \`${request.reverseName}\` needs left on the tapes.`,
    params: [...halfParams, ...shadowParamList],
    returnTypeText: shadow ? `[${resultText}, ${shadowText}]` : resultText,
    body: forwardBody,
    guarded: false,
  };
  const reverseReturn: Stmt[] =
    cotangents.length === 0 ? [] : [{ kind: "return", value: cotangents.length === 1 ? cotangents[0] : { kind: "literal", shape: "array", items: cotangents.map((c, k) => ({ key: String(k), value: c })) }, origin: -1 }];
  const reverseBody: Stmt[] = [
    ...[...crossing].reverse().map((name): Stmt => {
      const variable = cx.vars.get(name);
      const tape = tapeOf(variable);
      return { kind: "assign", target: name, value: { kind: "restore", tape, pair: pairs.get(name), ...(tape === "reference" && variable ? { typeText: variable.typeText } : {}) }, origin: -1 };
    }),
    ...redoStmts,
    joint.body[cut],
    ...reversePart,
    ...reverseReturn,
  ];
  const reverse: OutFunction = {
    ...joint,
    name: request.reverseName!,
    doc: `Reverse half of \`${cx.fn.name}\`: ${cotangents.length ? "the cotangents of its number parameters, and " : ""}the adjoints of its array parameters added into their shadows, after \`${request.name}\` ran with the same arguments.`,
    params: [...halfParams, ...shadowParamList, ...(seedName ? [{ name: seedName, typeText: cx.fn.result.tangentText }] : [])],
    returnTypeText: cotangents.length === 0 ? "void" : cotangents.length === 1 ? "number" : `[${cotangents.map(() => "number").join(", ")}]`,
    body: reverseBody,
    guarded: false,
  };
  return [forward, reverse].map((half) => {
    const looped = selfRecursionAsLoops(cx, half);
    return simplify(looped !== half ? looped : selfRecursionAsFrames(cx, half), cx.callees.purity);
  });
}

/**
 * Temporaries the reverse half computes again rather than receives on the tape, with their
 * definitions in program order: defined once, outside loops, by arithmetic or a comparison
 * on parameters the forward half never assigns, literals, other such temporaries and
 * variables assigned once before, outside loops (those the reverse half receives instead).
 * A temporary belongs to the statement it came from, so the reverse half reads it only
 * where (in the branch where) the forward half defined it; elsewhere its operands may hold
 * their initial values, and arithmetic or a comparison on them is harmless.
 */
function recomputable(cx: ReverseContext, forwardPart: readonly Stmt[], params: readonly string[]): Map<string, Stmt> {
  const counts = new Map<string, number>();
  for (const s of walk(forwardPart)) if (s.kind === "assign") counts.set(s.target, (counts.get(s.target) ?? 0) + 1);
  const found = new Map<string, Stmt>();
  const once = new Set<string>();
  // a volatile literal (module state a call may change meanwhile) is read where the forward half read it, never again
  const free = (e: Expr): boolean => (e.kind === "lit" && !e.volatile) || (e.kind === "var" && (params.includes(e.name) || found.has(e.name) || once.has(e.name)));
  const visit = (list: readonly Stmt[]) => {
    for (const s of list) {
      if (s.kind === "if") {
        visit(s.then);
        visit(s.else);
      }
      if (s.kind !== "assign" || s.accumulate || counts.get(s.target) !== 1) continue;
      if (cx.vars.get(s.target)?.role === "temp" && redoable(cx.vars.get(s.target)!, s.value) && (s.value as { args: Expr[] }).args.every(free)) found.set(s.target, s);
      else if (cx.vars.get(s.target)?.type !== "reference") once.add(s.target);
    }
  };
  visit(forwardPart);
  return found;
}

const comparisons = ["<", "<=", ">", ">=", "===", "!=="];

/** Whether a value is cheaper to compute again than to save: number arithmetic, or a comparison. */
function redoable(target: IrVar, value: Expr): boolean {
  const op = arithmetic(value) ?? "";
  if (target.type === "number") return ["+", "-", "*", "/"].includes(op);
  return target.typeText === "boolean" && value.kind === "op" && comparisons.includes(op);
}
