/**
 * Derivative rules as templates.
 *
 * Input: `defineDerivative(fn, { reverse, forward })` calls — adgen's own in
 * `runtime/rules/`, and users' in their source. Output: rules that render, for one call
 * with its argument, result and cotangent texts substituted, the adjoint contribution to
 * each argument. Invariant: the compiler knows no primitive by heart; every derivative it
 * emits comes from a rule read here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Node, Project, SyntaxKind, type ArrowFunction, type CallExpression, type Expression } from "ts-morph";
import { CompileError, codes } from "./diagnostics";

/** One adjoint contribution: `negated` means emit `x̄ -= text` rather than `x̄ += text`. */
export interface Contribution {
  text: string;
  negated: boolean;
}

export interface Rule {
  /** `Math.sin`, an operator's rule name (`mul`), or a user function's key */
  key: string;
  /** the file the rule is written in */
  file: string;
  /** contributions to each argument (null where the derivative is identically 0) */
  reverse(args: readonly string[], result: string, cotangent: string): (Contribution | null)[];
  /** identifiers the templates use besides their own parameters (must be in scope) */
  freeNames: string[];
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

/** The globals a template may use wherever it is inlined. */
const globalNames = new Set(["Math", "Number", "Infinity", "NaN", "undefined"]);

/** Reads one `defineDerivative(fn, { reverse, forward })` call into a rule. */
export function ruleFromCall(call: CallExpression, key: string): Rule {
  const [, rulesArg] = call.getArguments();
  const reverse = Node.isObjectLiteralExpression(rulesArg)
    ? rulesArg.getProperty("reverse")
    : undefined;
  const fn = Node.isPropertyAssignment(reverse) ? reverse.getInitializer() : undefined;
  if (!Node.isArrowFunction(fn)) {
    throw new CompileError(
      codes.ruleShape,
      "a derivative rule must be written `defineDerivative(fn, { reverse: (args, result, cotangent) => [...], forward: ... })` with arrow functions",
      call,
    );
  }
  return { key, file: call.getSourceFile().getFilePath(), ...reverseTemplate(fn) };
}

function reverseTemplate(fn: ArrowFunction): Pick<Rule, "reverse" | "freeNames"> {
  const [argsParam, resultParam, seedParam] = fn.getParameters();
  const body = fn.getBody();
  const resultName = resultParam?.getName();
  const seedName = seedParam?.getName();
  const bad = (why: string) =>
    new CompileError(codes.ruleShape, `derivative rule: ${why}`, fn);
  const argNames = argsParam?.getNameNode();
  const fixedNames = Node.isArrayBindingPattern(argNames)
    ? argNames.getElements().map((e) => (Node.isBindingElement(e) ? e.getName() : undefined))
    : [];
  const restName = Node.isIdentifier(argNames) ? argNames.getText() : undefined;
  const own = new Set([...fixedNames, restName, resultName, seedName].filter((n): n is string => !!n));

  if (Node.isArrayLiteralExpression(body)) {
    const elements = body.getElements();
    const freeNames = elements.flatMap((e) => freeIdentifiers(e, own));
    return {
      freeNames,
      reverse(args, result, cotangent) {
        const subst = new Map<string, string>();
        fixedNames.forEach((name, i) => name && subst.set(name, args[i]));
        if (resultName) subst.set(resultName, result);
        if (seedName) subst.set(seedName, cotangent);
        return elements.map((e) => contribution(e, subst));
      },
    };
  }
  // Variadic: `xs.map((x, i) => expr)`, unrolled over the call's arguments.
  if (Node.isCallExpression(body) && restName) {
    const callee = body.getExpression();
    const mapper = body.getArguments()[0];
    if (
      Node.isPropertyAccessExpression(callee) &&
      callee.getExpression().getText() === restName &&
      callee.getName() === "map" &&
      Node.isArrowFunction(mapper) &&
      Node.isExpression(mapper.getBody())
    ) {
      const [itemParam, indexParam] = mapper.getParameters().map((p) => p.getName());
      const each = mapper.getBody() as Expression;
      const freeNames = freeIdentifiers(each, new Set([...own, itemParam, indexParam].filter(Boolean)));
      return {
        freeNames,
        reverse(args, result, cotangent) {
          return args.map((arg, i) => {
            const subst = new Map<string, string>();
            if (itemParam) subst.set(itemParam, arg);
            if (indexParam) subst.set(indexParam, String(i));
            if (resultName) subst.set(resultName, result);
            if (seedName) subst.set(seedName, cotangent);
            return contribution(each, subst, { name: restName, items: args });
          });
        },
      };
    }
  }
  throw bad("`reverse` must return an array literal with one cotangent per argument, or `args.map((x, i) => …)` for a function of any number of arguments");
}

interface Rest {
  name: string;
  items: readonly string[];
}

function contribution(expr: Expression, subst: Map<string, string>, rest?: Rest): Contribution | null {
  if (Node.isNumericLiteral(expr) && Number(expr.getLiteralValue()) === 0) return null;
  const minus = leadingMinus(expr);
  const text = render(expr, subst, rest, minus);
  return { text, negated: minus !== undefined };
}

/** The `-` that negates a whole product (`-a * b / c`), so `x̄ += -…` can read `x̄ -= …`. */
function leadingMinus(expr: Node): Node | undefined {
  let node: Node = expr;
  for (;;) {
    if (Node.isParenthesizedExpression(node)) node = node.getExpression();
    else if (
      Node.isBinaryExpression(node) &&
      [SyntaxKind.AsteriskToken, SyntaxKind.SlashToken].includes(node.getOperatorToken().getKind())
    )
      node = node.getLeft();
    else break;
  }
  return Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken
    ? node
    : undefined;
}

/** The template's text with parameters replaced; `negation` is a `-x` to render as `x`. */
function render(expr: Node, subst: Map<string, string>, rest?: Rest, negation?: Node): string {
  const base = expr.getStart();
  const spans: { start: number; end: number; text: string }[] = [];
  const visit = (node: Node): void => {
    if (node === negation && Node.isPrefixUnaryExpression(node)) {
      spans.push({ start: node.getStart(), end: node.getEnd(), text: render(node.getOperand(), subst, rest) });
      return;
    }
    if (Node.isIdentifier(node) && subst.has(node.getText()) && !isPropertyName(node)) {
      spans.push({ start: node.getStart(), end: node.getEnd(), text: wrap(subst.get(node.getText())!) });
      return;
    }
    if (rest) {
      const replaced = restForm(node, subst, rest);
      if (replaced !== undefined) {
        spans.push({ start: node.getStart(), end: node.getEnd(), text: replaced });
        return;
      }
    }
    node.forEachChild(visit);
  };
  visit(expr);
  let text = expr.getText();
  for (const span of spans.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, span.start - base) + span.text + text.slice(span.end - base);
  }
  return text;
}

/** `xs.length` and `xs.indexOf(e)` over a rest parameter, unrolled without an array. */
function restForm(node: Node, subst: Map<string, string>, rest: Rest): string | undefined {
  if (Node.isPropertyAccessExpression(node) && node.getExpression().getText() === rest.name) {
    if (node.getName() === "length") return String(rest.items.length);
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression();
    if (
      Node.isPropertyAccessExpression(callee) &&
      callee.getExpression().getText() === rest.name &&
      callee.getName() === "indexOf"
    ) {
      const target = render(node.getArguments()[0], subst, rest);
      const chain = rest.items.map((item, i) => `${wrap(item)} === ${wrap(target)} ? ${i} : `).join("");
      return `(${chain}-1)`;
    }
  }
  if (Node.isIdentifier(node) && node.getText() === rest.name && !isPropertyName(node)) {
    return `[${rest.items.join(", ")}]`;
  }
  return undefined;
}

function isPropertyName(node: Node): boolean {
  const parent = node.getParent();
  return Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node;
}

/** Parenthesize a substituted text unless it is a name, a number or a member access. */
function wrap(text: string): string {
  return /^[\w$.]+$/.test(text) ? text : `(${text})`;
}

function freeIdentifiers(expr: Node, own: Set<string | undefined>): string[] {
  const free = new Set<string>();
  const visit = (node: Node) => {
    if (Node.isIdentifier(node) && !isPropertyName(node)) {
      const name = node.getText();
      if (!own.has(name) && !globalNames.has(name)) free.add(name);
    }
    node.forEachChild(visit);
  };
  visit(expr);
  return [...free];
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
