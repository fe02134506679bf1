/**
 * The two halves a call uses, cut from one generated function at the sweeps' boundary.
 *
 *   f_forward(params, w̄…)        the forward sweep; then pushes the locals the reverse sweep
 *                                reads ("what the reverse half reads"); returns the value
 *                                (and the result's shadow, `[r, r̄]`, for an array result)
 *   f_reverse(params, w̄…, ȳ)     pops them back and runs the reverse sweep; returns the
 *                                cotangent of its active number parameter (a tuple for
 *                                several, nothing for none); arrays' cotangents went into w̄
 *
 * Input: the joint function, already simplified, whose final return lists the value, the
 * result's shadow and the number cotangents (so simplification kept them). Output: the two
 * halves. The caller's own pushes and pops between the two calls balance, so the tapes line
 * up; what crosses is exactly what the simplified reverse sweep still reads.
 */
import { simplify } from "../emit/simplify";
import { v, walk, type Expr, type IrVar, type OutFunction, type Stmt, type TapeKind } from "../ir/ir";
import type { ReverseContext } from "./context";
import type { ReverseRequest } from "./index";
import { readsOf } from "./plan";

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
  const crossing = [...new Set(readsOf(reversePart))].filter((name) => assigned.has(name));

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
  return [simplify(forward, cx.callees.purity), simplify(reverse, cx.callees.purity)];
}
