/**
 * Derivative rules as IR templates.
 *
 * Input: `defineDerivative(fn, { reverse, forward })` calls — adgen's own in
 * `runtime/rules/`, and users' in their source. Output: rules whose templates are IR
 * expression trees over placeholders (the arguments, the result, the cotangent or the
 * tangents); instantiating one substitutes the call's own expressions, so derivatives are
 * built as structure and printed once, at the end. Invariant: the compiler knows no
 * primitive by heart; every derivative it emits comes from a rule read here.
 *
 * Forms read: `reverse: ([a, b], y, dy) => [ā, b̄]` (one cotangent per argument, `0` for
 * none) or, for a function of any number of arguments, `(xs, y, dy) => xs.map((x, i) => …)`;
 * `forward: ([a, b], [da, db], y) => ẏ`, or over a rest parameter `xs.reduce(…, 0)` /
 * `dxs[xs.indexOf(y)]`. Inside, `xs.length` and `xs.indexOf(e)` refer to the arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Node, Project, SyntaxKind, type ArrowFunction, type CallExpression, type Expression, type ParameterDeclaration } from "ts-morph";
import { CompileError, codes, messages } from "../diagnostics";
import { lit, op, v, type Expr } from "../ir/ir";
import { mapChildren } from "../ir/traverse";
import { binaryOperators, prefixOperators } from "./operators";

/** Placeholders in rule templates; instantiation replaces them. */
const P = {
  arg: (i: number) => `$arg${i}`,
  tangent: (i: number) => `$tan${i}`,
  result: "$result",
  seed: "$seed",
  item: "$item",
  itemTangent: "$itemTan",
  index: "$index",
  /** the argument list itself (a rest parameter): its `length` and `indexOf` */
  rest: "$rest",
  restTangents: "$restTan",
} as const;

export interface Rule {
  /** `Math.sin`, an operator's rule name (`mul`), or a user function's key */
  key: string;
  /** the file the rule is written in */
  file: string;
  /** identifiers the templates use besides their own parameters (must be in scope) */
  freeNames: string[];
  /** per argument, its cotangent (null where identically 0); `each` for variadic rules; `called` at run time */
  reverse: { kind: "fixed"; parts: (Expr | null)[] } | { kind: "each"; part: Expr } | { kind: "called" };
  /** the result's tangent; `sum` of a term per argument, or `pick` one argument's tangent; `called` at run time */
  forward?: { kind: "fixed"; tangent: Expr } | { kind: "sum"; term: Expr } | { kind: "pick"; index: Expr } | { kind: "called" };
}

/** What a template's placeholders stand for at one call. */
export interface RuleCall {
  args: Expr[];
  result: Expr;
  /** the result's cotangent (reverse) */
  seed?: Expr;
  /** the arguments' tangents (forward) */
  tangents?: Expr[];
  /** for a spread call (`Math.max(...z)`): the array whose elements are the arguments */
  spread?: Expr;
}

/** Replaces placeholders; `each` binds the per-item placeholders of a variadic template. */
export function instantiate(template: Expr, call: RuleCall, each?: { item: Expr; index: Expr; tangent?: Expr }): Expr {
  const subst = (e: Expr): Expr => {
    if (e.kind === "var" && e.name.startsWith("$")) return placeholder(e.name, call, each);
    if (e.kind === "op" && e.op === "restLength") return call.spread ? { kind: "length", object: call.spread } : lit(String(call.args.length));
    if (e.kind === "op" && e.op === "restIndexOf") return restIndexOf(subst(e.args[0]), call);
    if (e.kind === "get" && e.object.kind === "var" && e.object.name === P.restTangents && e.key.kind === "index") {
      // `dxs[i]` in a per-item term is the item's own tangent
      const own = e.key.index.kind === "var" && e.key.index.name === P.index && each?.tangent;
      if (own) return own;
      // `dxs[xs.indexOf(t)]` over listed arguments: the tangent of the first argument equal to t
      const index = e.key.index;
      if (!call.spread && index.kind === "op" && index.op === "restIndexOf") {
        const target = subst(index.args[0]);
        return call.args.reduceRight<Expr>((rest, arg, i) => op("?:", op("===", arg, target), call.tangents?.[i] ?? lit("0"), rest), lit("NaN"));
      }
      return pickTangent(subst(index), call);
    }
    return mapChildren(e, subst);
  };
  return subst(template);
}

/** A `pick` forward rule instantiated: `dxs[index]`, the tangent of the argument `index` names. */
export const instantiatePick = (index: Expr, call: RuleCall): Expr => instantiate({ kind: "get", object: v(P.restTangents), key: { kind: "index", index } }, call);

function placeholder(name: string, call: RuleCall, each?: { item: Expr; index: Expr; tangent?: Expr }): Expr {
  if (name === P.result) return call.result;
  if (name === P.seed && call.seed) return call.seed;
  if (name === P.item && each) return each.item;
  if (name === P.index && each) return each.index;
  if (name === P.itemTangent && each?.tangent) return each.tangent;
  const arg = /^\$arg(\d+)$/.exec(name);
  if (arg && call.args[Number(arg[1])]) return call.args[Number(arg[1])];
  const tangent = /^\$tan(\d+)$/.exec(name);
  if (tangent && call.tangents?.[Number(tangent[1])]) return call.tangents[Number(tangent[1])];
  throw new Error(`rule template placeholder ${name} has no value here`);
}

/** `xs.indexOf(e)` over the arguments: a call on a spread array, or a chain of tests. */
function restIndexOf(target: Expr, call: RuleCall): Expr {
  if (call.spread) return { kind: "call", callee: { kind: "opaque", fn: call.spread, method: "indexOf", pure: true }, args: [target] };
  return call.args.reduceRight<Expr>((rest, arg, i) => op("?:", op("===", arg, target), lit(String(i)), rest), lit("-1"));
}

/** `dxs[k]` over the arguments' tangents. */
function pickTangent(index: Expr, call: RuleCall): Expr {
  if (call.spread) throw new Error("pickTangent on a spread call is lowered by the caller");
  const tangents = call.tangents ?? [];
  return tangents.reduceRight<Expr>((rest, t, i) => op("?:", op("===", index, lit(String(i))), t, rest), lit("NaN"));
}

/** Operator tokens and the runtime rule that differentiates each. */
export const operatorRules: Readonly<Record<string, string>> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "**": "pow",
  "unary -": "neg",
  "unary +": "pos",
};

/** The rule key of an operator applied to `arity` operands, if it has one. */
export const operatorRuleKey = (token: string, arity: number): string | undefined => operatorRules[arity === 1 ? `unary ${token}` : token];

/** The globals a template may use wherever it is inlined. */
const globalNames = new Set(["Math", "Number", "Infinity", "NaN", "undefined"]);

/** Reads one `defineDerivative(fn, { reverse, forward })` call into a rule. */
export function ruleFromCall(call: CallExpression, key: string): Rule {
  const [, rulesArg] = call.getArguments();
  // a rule written as one expression is a template, inlined; any other function (a block
  // body, a function declared elsewhere) is called at run time through the registry
  const property = (name: string): ArrowFunction | "called" | undefined => {
    const p = Node.isObjectLiteralExpression(rulesArg) ? rulesArg.getProperty(name) : undefined;
    if (Node.isMethodDeclaration(p)) return "called";
    const init = Node.isPropertyAssignment(p) ? p.getInitializer() : Node.isShorthandPropertyAssignment(p) ? p.getNameNode() : undefined;
    if (!init) return undefined;
    return Node.isArrowFunction(init) && !Node.isBlock(init.getBody()) ? init : "called";
  };
  const reverse = property("reverse");
  if (!reverse) {
    throw new CompileError(
      codes.ruleShape,
      messages.ruleForm(),
      call,
    );
  }
  const freeNames = new Set<string>();
  const rule: Rule = { key, file: call.getSourceFile().getFilePath(), freeNames: [], reverse: reverse === "called" ? { kind: "called" } : reverseTemplate(reverse, freeNames) };
  const forward = property("forward");
  if (forward) rule.forward = forward === "called" ? { kind: "called" } : forwardTemplate(forward, freeNames);
  rule.freeNames = [...freeNames];
  return rule;
}

/** The names the parameters of a rule's arrow bind, each to its placeholder. */
interface Bindings {
  names: Map<string, string>;
  /** the rest parameter's name, and its tangents' */
  rest?: string;
  restTangents?: string;
}

function bind(param: ParameterDeclaration | undefined, placeholders: (i: number) => string, into: Bindings, restKey: "rest" | "restTangents"): void {
  const pattern = param?.getNameNode();
  if (Node.isArrayBindingPattern(pattern)) {
    pattern.getElements().forEach((element, i) => {
      if (Node.isBindingElement(element)) into.names.set(element.getName(), placeholders(i));
    });
  } else if (Node.isIdentifier(pattern)) {
    into[restKey] = pattern.getText();
  }
}

function reverseTemplate(fn: ArrowFunction, free: Set<string>): Rule["reverse"] {
  const [argsParam, resultParam, seedParam] = fn.getParameters();
  const bindings: Bindings = { names: new Map() };
  bind(argsParam, P.arg, bindings, "rest");
  if (resultParam) bindings.names.set(resultParam.getName(), P.result);
  if (seedParam) bindings.names.set(seedParam.getName(), P.seed);
  const body = fn.getBody();
  if (Node.isArrayLiteralExpression(body)) {
    return { kind: "fixed", parts: body.getElements().map((e) => (isZero(e) ? null : template(e as Expression, bindings, free))) };
  }
  const each = restMethod(body, bindings, "map");
  if (each) return { kind: "each", part: each.template(free) };
  throw new CompileError(
    codes.ruleShape,
    messages.ruleReverse(),
    fn,
  );
}

function forwardTemplate(fn: ArrowFunction, free: Set<string>): Rule["forward"] {
  const [argsParam, tangentsParam, resultParam] = fn.getParameters();
  const bindings: Bindings = { names: new Map() };
  bind(argsParam, P.arg, bindings, "rest");
  bind(tangentsParam, P.tangent, bindings, "restTangents");
  if (resultParam) bindings.names.set(resultParam.getName(), P.result);
  const body = fn.getBody();
  const sum = restMethod(body, bindings, "reduce");
  if (sum) return { kind: "sum", term: sum.template(free) };
  if (Node.isElementAccessExpression(body) && bindings.restTangents && body.getExpression().getText() === bindings.restTangents) {
    return { kind: "pick", index: template(body.getArgumentExpressionOrThrow(), bindings, free) };
  }
  if (Node.isExpression(body)) return { kind: "fixed", tangent: template(body, bindings, free) };
  throw new CompileError(codes.ruleShape, messages.ruleForward(), fn);
}

/**
 * `xs.map((x, i) => e)` or `xs.reduce((s, x, i) => s + e, 0)` over the rest parameter: the
 * per-argument template `e`.
 */
function restMethod(body: Node | undefined, bindings: Bindings, method: "map" | "reduce") {
  if (!Node.isCallExpression(body) || !bindings.rest) return undefined;
  const callee = body.getExpression();
  const mapper = body.getArguments()[0];
  if (!Node.isPropertyAccessExpression(callee) || callee.getExpression().getText() !== bindings.rest || callee.getName() !== method) return undefined;
  if (!Node.isArrowFunction(mapper) || !Node.isExpression(mapper.getBody())) return undefined;
  const names = mapper.getParameters().map((p) => p.getName());
  const inner: Bindings = { ...bindings, names: new Map(bindings.names) };
  let term = mapper.getBody() as Expression;
  if (method === "reduce") {
    // `(s, x, i) => s + term`: the accumulator is dropped, the term kept
    const [acc, item, index] = names;
    if (!Node.isBinaryExpression(term) || term.getOperatorToken().getKind() !== SyntaxKind.PlusToken || term.getLeft().getText() !== acc) return undefined;
    term = term.getRight();
    if (item) inner.names.set(item, P.item);
    if (index) inner.names.set(index, P.index);
  } else {
    const [item, index] = names;
    if (item) inner.names.set(item, P.item);
    if (index) inner.names.set(index, P.index);
  }
  return { template: (free: Set<string>) => template(term, inner, free) };
}

const isZero = (e: Node) => Node.isNumericLiteral(e) && Number(e.getLiteralValue()) === 0;

/** A template expression as an IR tree, parameters replaced by placeholders. */
function template(expr: Expression, bindings: Bindings, free: Set<string>): Expr {
  const t = (e: Node): Expr => template(e as Expression, bindings, free);
  if (Node.isParenthesizedExpression(expr)) return t(expr.getExpression());
  if (Node.isNumericLiteral(expr)) return lit(expr.getText());
  if (Node.isIdentifier(expr)) {
    const name = expr.getText();
    const placeholder = bindings.names.get(name);
    if (placeholder) return v(placeholder);
    if (!globalNames.has(name)) free.add(name);
    return lit(name);
  }
  if (Node.isPropertyAccessExpression(expr)) {
    if (bindings.rest && expr.getExpression().getText() === bindings.rest && expr.getName() === "length") return op("restLength");
    if (expr.getExpression().getText() === "Math") return lit(expr.getText());
  }
  if (Node.isElementAccessExpression(expr) && bindings.restTangents && expr.getExpression().getText() === bindings.restTangents) {
    return { kind: "get", object: v(P.restTangents), key: { kind: "index", index: t(expr.getArgumentExpressionOrThrow()) } };
  }
  if (Node.isPrefixUnaryExpression(expr)) {
    const token = prefixOperators[expr.getOperatorToken()];
    if (token) return op(token, t(expr.getOperand()));
  }
  if (Node.isBinaryExpression(expr)) {
    const token = binaryOperators[expr.getOperatorToken().getKind()] ?? logicalToken(expr.getOperatorToken().getKind());
    if (token) return op(token, t(expr.getLeft()), t(expr.getRight()));
  }
  if (Node.isConditionalExpression(expr)) return op("?:", t(expr.getCondition()), t(expr.getWhenTrue()), t(expr.getWhenFalse()));
  if (Node.isCallExpression(expr)) {
    const callee = expr.getExpression();
    const args = expr.getArguments().map(t);
    if (Node.isPropertyAccessExpression(callee) && bindings.rest && callee.getExpression().getText() === bindings.rest && callee.getName() === "indexOf") {
      return op("restIndexOf", args[0]);
    }
    const text = callee.getText();
    if (Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === "Math") {
      return { kind: "call", callee: { kind: "rule", text, rule: text }, args };
    }
    if (Node.isIdentifier(callee) && !bindings.names.has(text)) {
      free.add(text);
      return { kind: "call", callee: { kind: "opaque", fn: lit(text), pure: false }, args };
    }
  }
  throw new CompileError(codes.ruleShape, messages.ruleExpression(expr.getText()), expr);
}

function logicalToken(kind: SyntaxKind): string | undefined {
  return kind === SyntaxKind.AmpersandAmpersandToken ? "&&" : kind === SyntaxKind.BarBarToken ? "||" : undefined;
}

/** Where adgen's own rule templates are: `runtime/rules/` at the package root (as sources). */
function runtimeRulesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("adgen: runtime/rules not found");
    dir = parent;
  }
  return path.join(dir, "runtime", "rules");
}

let builtins: Map<string, Rule> | undefined;

/** adgen's own rules, keyed `Math.sin`, `mul`, …; read once per process. */
export function builtinRules(): Map<string, Rule> {
  if (builtins) return builtins;
  const project = new Project({ useInMemoryFileSystem: false, skipAddingFilesFromTsConfig: true });
  const dir = runtimeRulesDir();
  const rules = new Map<string, Rule>();
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort()) {
    const file = project.addSourceFileAtPath(path.join(dir, name));
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      if (call.getExpression().getText() !== "defineDerivative") continue;
      const key = call.getArguments()[0].getText();
      rules.set(key, ruleFromCall(call, key));
    }
  }
  builtins = rules;
  return rules;
}
