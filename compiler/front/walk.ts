/**
 * Walks of the user's syntax that cost no stack and no time beyond the nodes visited:
 * TypeScript nests a long expression as deep as it is long, and ts-morph's descendant
 * iterators recurse (and re-enter every level for each node), so lowering uses these.
 */
import { Node, type ReturnStatement } from "ts-morph";

/** Every node under `root`, `root` included, not entering nested functions. */
export function* descendants(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    if (node !== root && Node.isFunctionLikeDeclaration(node)) continue;
    const children: Node[] = [];
    node.forEachChild((child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** Every node under `root`, nested functions included. */
export function* descendantsAll(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    yield node;
    node.forEachChild((child) => {
      stack.push(child);
    });
  }
}

/** The `return` statements of a function body: statements only, never into expressions. */
export function returnsOf(body: Node): ReturnStatement[] {
  const found: ReturnStatement[] = [];
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (Node.isReturnStatement(node)) {
      found.push(node);
      continue;
    }
    if (Node.isExpression(node) || Node.isFunctionLikeDeclaration(node) || Node.isClassDeclaration(node)) continue;
    node.forEachChild((child) => {
      if (Node.isStatement(child) || Node.isCaseBlock(child) || Node.isCaseClause(child) || Node.isDefaultClause(child) || Node.isBlock(child)) stack.push(child);
    });
  }
  return found.sort((a, b) => a.getStart() - b.getStart());
}
