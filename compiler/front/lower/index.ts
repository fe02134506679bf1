/**
 * Lower: a `@differentiable` function's body to the IR.
 *
 * Input: the function's ts-morph node and how to resolve what it calls. Output: an
 * IrFunction in A-normal form: each assignment does one operation on atoms; user variables
 * keep their names (renamed only where one shadows another); nested subexpressions go to
 * temporaries `t1, t2, …`. Invariants: every name is unique in the function, no
 * assignment reads its own target, an `if` never assigns its own condition, the body ends
 * with its one `return`, the function writes only into storage it created (ownership.ts),
 * and anything this pass cannot lower is a CompileError at the construct (the fence pass
 * has already rejected most of those with their own messages).
 */
import { Node, SyntaxKind } from "ts-morph";
import { CompileError, codes, sourcePos } from "../../diagnostics";
import type { DiffFunction } from "../../discover";
import { v, type IrFunction, type IrParam } from "../../ir/ir";
import { describeType } from "../types";
import type { Names } from "../../naming";
import { LowerContext, type Resolver } from "./context";
import { atom, typeTextAt } from "./expressions";
import { checkOwnership } from "./ownership";
import { destructure } from "./patterns";
import { lowerBlock, lowerFunctionBody } from "./statements";
import { unsupported } from "./unsupported";
import { returnsOf } from "../walk";

export type { Resolver } from "./context";

export function lower(target: DiffFunction, resolver: Resolver, fileNames: Names): IrFunction {
  const cx = new LowerContext(target, resolver, fileNames);
  const { fn, name } = target;
  cx.scopes.push(new Map());
  if (target.self) cx.vars.set("this", { name: "this", role: "param", type: "inactive", typeText: target.self, shape: { kind: "inactive" } });

  const params: (IrParam & { pattern: Node })[] = fn.getParameters().map((param, i) => {
    if (param.isRestParameter()) throw unsupported(param, "a rest parameter", "take an array instead");
    const info = describeType(param.getType(), param);
    const typeText = param.getTypeNode()?.getText() ?? typeTextAt(param, info);
    const nameNode = param.getNameNode();
    const paramName = Node.isIdentifier(nameNode) ? nameNode.getText() : cx.names.fresh(`arg${i}`);
    const declared = cx.declare(paramName, "param", info, typeText);
    const init = param.getInitializer()?.getText();
    return {
      name: declared,
      typeText,
      type: info.type,
      tangentText: info.tangent,
      shape: info.shape,
      ...(init ? { initText: init } : {}),
      ...(param.hasQuestionToken() ? { optional: true } : {}),
      pattern: nameNode,
    };
  });
  const returnType = fn.getReturnType();
  const resultNode = fn.getReturnTypeNode() ?? fn;
  if (returnType.isVoid() || returnType.isUndefined()) {
    throw new CompileError(codes.nonNumberResult, `${name} returns nothing; a @differentiable function returns the value it computes`, fn);
  }
  const resultInfo = describeType(returnType, resultNode);
  const resultTypeText = fn.getReturnTypeNode()?.getText() ?? (resultInfo.type === "number" ? "number" : returnType.getText(fn));

  const body = fn.getBody();
  cx.scoped(() => {
    for (const p of params) {
      if (!Node.isIdentifier(p.pattern)) {
        cx.startOrigin(p.pattern.getParentOrThrow());
        destructure(cx, p.pattern, v(p.name), p.pattern, "declare");
      }
    }
    if (Node.isBlock(body)) {
      const statements = body.getStatements();
      const last = statements.at(-1);
      const returns = returnsOf(body);
      if (returns.length === 1 && returns[0] === last && Node.isReturnStatement(last) && last.getExpression()) {
        cx.returns.push({ value: "", early: false });
        lowerBlock(cx, statements.slice(0, -1));
        cx.startOrigin(last);
        cx.emit({ kind: "return", value: atom(cx, last.getExpressionOrThrow()), origin: cx.origin });
      } else {
        const result = cx.hidden("result", resultInfo, resultTypeText);
        lowerFunctionBody(cx, body, result, fn);
        cx.origin = cx.origins.push({ text: `(${name} returns what a \`return\` above set)`, pos: sourcePos(fn) }) - 1;
        cx.emit({ kind: "return", value: v(result), origin: cx.origin });
      }
    } else if (body && Node.isExpression(body)) {
      cx.startOrigin(body);
      cx.emit({ kind: "return", value: atom(cx, body), origin: cx.origin });
    }
  });
  if (cx.out.at(-1)?.kind !== "return") {
    throw new CompileError(codes.unsupportedSyntax, `${name} must end with a \`return\` of its result`, fn);
  }
  const ir: IrFunction = {
    name,
    base: target.base,
    key: resolver.keyOf(target),
    callText: target.callText,
    self: target.self,
    params: params.map(({ pattern: _, ...p }) => p),
    result: { type: resultInfo.type, typeText: resultTypeText, tangentText: resultInfo.tangent, shape: resultInfo.shape },
    vars: cx.vars,
    body: cx.out,
    origins: cx.origins,
  };
  checkOwnership(ir, cx.writes);
  return ir;
}

