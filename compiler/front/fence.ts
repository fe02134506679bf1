/**
 * Fence: every construct adgen does not accept, rejected up front with its own message.
 *
 * Input: a `@differentiable` function's ts-morph node. Output: nothing, or a CompileError at
 * the first construct that adgen cannot differentiate correctly — exceptions (ADG1005),
 * declarations hiding a global the generated code uses (ADG2008),
 * generators and `async` (ADG1006), local functions that cannot be inlined (ADG1004:
 * recursive, or used as values), assignments to variables declared outside (ADG1008), and
 * syntax outside the supported language (ADG1001). Lowering may then assume supported
 * input. The walk uses a work list, so deep nesting costs no stack.
 */
import { Node, SyntaxKind } from "ts-morph";
import { CompileError, codes, constructs, messages, type Construct } from "../diagnostics";
import type { FunctionLike } from "../discover";

/** Kinds rejected wherever they appear, each with its fix. */
export const rejectedKinds: Partial<Record<SyntaxKind, Construct>> = {
  [SyntaxKind.ForInStatement]: constructs.forIn,
  [SyntaxKind.ClassDeclaration]: constructs.classDeclaration,
  [SyntaxKind.ClassExpression]: constructs.classExpression,
  [SyntaxKind.WithStatement]: constructs.with,
  [SyntaxKind.DebuggerStatement]: constructs.debugger,
  [SyntaxKind.DeleteExpression]: constructs.delete,
  [SyntaxKind.TaggedTemplateExpression]: constructs.taggedTemplate,
  [SyntaxKind.SuperKeyword]: constructs.super,
  [SyntaxKind.SpreadAssignment]: constructs.objectSpread,
  [SyntaxKind.GetAccessor]: constructs.getter,
  [SyntaxKind.SetAccessor]: constructs.setter,
  [SyntaxKind.MetaProperty]: constructs.metaProperty,
};

/**
 * The globals generated code names (`Math.cos`, `new Float64Array`, `NaN`): declared in the file or the function,
 * one would capture what the generated code means by it.
 */
const generatedGlobals = new Set(["Math", "Float64Array", "Float32Array", "Array", "Number", "NaN", "Infinity", "undefined"]);

export function fence(fn: FunctionLike): void {
  for (const local of fn.getSourceFile().getLocals()) {
    if (generatedGlobals.has(local.getName())) throw new CompileError(codes.hiddenGlobal, messages.hiddenGlobal(local.getName()), local.getDeclarations()[0] ?? fn);
  }
  if ((Node.isFunctionDeclaration(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn)) && fn.isGenerator()) {
    throw new CompileError(codes.generator, messages.suspends("a generator function"), fn);
  }
  if (fn.isAsync()) throw new CompileError(codes.generator, messages.suspends("an `async` function"), fn);
  const stack: Node[] = [fn];
  while (stack.length) {
    const node = stack.pop()!;
    check(node, fn);
    node.forEachChild((child) => {
      stack.push(child);
    });
  }
}

function check(node: Node, root: FunctionLike): void {
  const kind = node.getKind();
  if (Node.isTryStatement(node)) throw new CompileError(codes.exceptions, messages.exception("`try`"), node);
  if (Node.isThrowStatement(node)) throw new CompileError(codes.exceptions, messages.exception("`throw`"), node);
  if (Node.isYieldExpression(node)) throw new CompileError(codes.generator, messages.suspends("`yield`"), node);
  if (Node.isAwaitExpression(node)) throw new CompileError(codes.generator, messages.suspends("`await`"), node);
  if (node !== root && (Node.isFunctionDeclaration(node) || Node.isFunctionExpression(node) || Node.isArrowFunction(node))) {
    if ((Node.isFunctionDeclaration(node) || Node.isFunctionExpression(node)) && node.isGenerator()) throw new CompileError(codes.generator, messages.suspends("a generator function"), node);
    if (node.isAsync()) throw new CompileError(codes.generator, messages.suspends("an `async` function"), node);
    localFunction(node);
  }
  if (Node.isIdentifier(node) && generatedGlobals.has(node.getText()) && declaredName(node)) {
    throw new CompileError(codes.hiddenGlobal, messages.hiddenGlobal(node.getText()), node);
  }
  const reason = rejectedKinds[kind];
  if (reason) throw new CompileError(codes.unsupportedSyntax, messages.unsupported(...reason), node);
  if (Node.isVariableDeclarationList(node) && node.getDeclarationKind() === "var") {
    throw new CompileError(codes.unsupportedSyntax, messages.unsupported(...constructs.var), node);
  }
  if (Node.isIdentifier(node) && node.getText() === "arguments" && !node.getSymbol()?.getDeclarations().some((d) => d.getSourceFile() === node.getSourceFile())) {
    throw new CompileError(codes.unsupportedSyntax, messages.unsupported(...constructs.arguments), node);
  }
  if (Node.isCallExpression(node) && node.hasQuestionDotToken()) {
    throw new CompileError(codes.unsupportedSyntax, messages.unsupported(...constructs.optionalCall), node);
  }
  if (Node.isIdentifier(node) && isWritten(node)) {
    const decl = node.getSymbol()?.getDeclarations()[0];
    if (decl && !isInside(decl, root)) throw new CompileError(codes.moduleWrite, messages.moduleWrite(node.getText()), node);
  }
}

/** Whether an identifier is the name a declaration gives (a variable, parameter, function or destructured binding). */
function declaredName(node: Node): boolean {
  const parent = node.getParent();
  const named = Node.isVariableDeclaration(parent) || Node.isParameterDeclaration(parent) || Node.isFunctionDeclaration(parent) || Node.isBindingElement(parent);
  return named && parent.getNameNode() === node;
}

/** A local function is inlined where it is called: it may not call itself or escape. */
function localFunction(node: Node): void {
  const holder = node.getParent();
  const nameNode = Node.isFunctionDeclaration(node) ? node.getNameNode() : Node.isVariableDeclaration(holder) && holder.getInitializer() === node ? holder.getNameNode() : undefined;
  if (!nameNode || !Node.isIdentifier(nameNode)) return;
  const name = nameNode.getText();
  for (const use of nameNode.findReferencesAsNodes()) {
    if (use === nameNode || use.getSourceFile() !== node.getSourceFile()) continue;
    if (use.getFirstAncestor((a) => a === node)) throw new CompileError(codes.closure, messages.recursiveLocal(name), use);
    const parent = use.getParent();
    const called = Node.isCallExpression(parent) && parent.getExpression() === use;
    const callback = Node.isCallExpression(parent) && parent.getArguments()[0] === use && /\.(map|reduce|forEach)$/.test(parent.getExpression().getText());
    if (!called && !callback) throw new CompileError(codes.closure, messages.localAsValue(name), use);
  }
}

/** Whether an identifier is the target of an assignment, `++`/`--`, or a destructuring assignment. */
function isWritten(node: Node): boolean {
  const parent = node.getParent();
  if ((Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(parent.getOperatorToken())) return true;
  for (let n: Node | undefined = node; n; n = n.getParent()) {
    const p = n.getParent();
    if (Node.isBinaryExpression(p) && p.getLeft() === n && p.getOperatorToken().getKind() >= SyntaxKind.FirstAssignment && p.getOperatorToken().getKind() <= SyntaxKind.LastAssignment) return true;
    if (!(Node.isParenthesizedExpression(p) || Node.isArrayLiteralExpression(p) || Node.isShorthandPropertyAssignment(p) || (Node.isPropertyAssignment(p) && p.getInitializer() === n) || Node.isObjectLiteralExpression(p))) return false;
  }
  return false;
}

function isInside(decl: Node, root: Node): boolean {
  for (let n: Node | undefined = decl; n; n = n.getParent()) if (n === root) return true;
  return false;
}
