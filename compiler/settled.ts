/**
 * Settled code: generated declarations that prettier would print exactly as they are, so
 * formatting can pass them by.
 *
 * Input: one top-level chunk of generated code (a function with its doc comment, or the
 * header comments). Output: whether prettier, with format.ts's options, returns that text
 * unchanged. Invariant: the answer is never a wrong "yes". Each line is read against a
 * small grammar — the statements and expressions adgen prints, each line at its block's
 * indentation and within the print width — and printed again the way prettier prints it
 * flat (its parentheses, its spacing); the chunk is settled only when every line comes back
 * the same. Anything the grammar does not know (a line too wide, a literal prettier would
 * respell, a construct prettier may break even when it fits) makes the chunk unsettled,
 * and prettier formats it. test/settled.test.ts holds this against prettier itself.
 */
import { Tokens, Unsettled, assignments, closing, expression, fail, parameters, print, type, unary } from "./flat";

/** prettier's print width (format.ts sets it): a line of code this wide or less is printed flat. */
export const printWidth = 100;

/** A value assigned, declared or returned, with a type assertion after a primary or call (`pop() as number[]`). */
function value(t: Tokens): string {
  const node = expression(t);
  if (!t.eat("as")) return print(node);
  return node.k === "leaf" || node.k === "postfix" ? `${print(node)} as ${type(t)}` : fail();
}

/** A statement that is not a block: `let`/`const`, an assignment, a call, `return`, `throw`, `break`, `continue`. */
function simpleStatement(t: Tokens): string {
  const first = t.peek();
  if (first === "break" || first === "continue") return `${t.next()}${closing(t, ";")}`;
  if (first === "return" || first === "throw") {
    t.next();
    if (first === "return" && t.eat(";")) return "return;";
    return `${first} ${value(t)}${closing(t, ";")}`;
  }
  if (first === "let" || first === "const") {
    t.next();
    const name = t.name();
    // `let x!: T;` has a type and no value; `const` has a value
    const definite = first === "let" && t.eat("!") ? "!" : "";
    const annotation = t.eat(":") ? `: ${type(t)}` : definite ? fail() : "";
    const initial = !definite && t.eat("=") ? ` = ${value(t)}` : first === "const" ? fail() : "";
    return `${first} ${name}${definite}${annotation}${initial}${closing(t, ";")}`;
  }
  // none starts with what prettier guards against the line before (`(`, `[`, `` ` ``) or reads as a directive
  if (first === "(" || first === "[" || first === "{" || first?.startsWith('"')) fail();
  const target = unary(t);
  const op = t.peek() ?? fail();
  if (!assignments.has(op)) return `${print(target)}${closing(t, ";")}`;
  t.next();
  if (target.k !== "leaf" && target.k !== "postfix") fail();
  return `${print(target)} ${op} ${value(t)}${closing(t, ";")}`;
}

/** `if (…) {`, `if (…) statement;`, `for (…) {`, `while (…) {`, `try {`, `[export] function name(…): T {`. */
function blockHead(t: Tokens): string {
  const keyword = t.next();
  if (keyword === "try") return `try ${closing(t, "{")}`;
  if (keyword === "export" || keyword === "function") {
    if (keyword === "export") t.expect("function");
    const name = t.name();
    t.expect("(");
    const params = parameters(t);
    t.expect(":");
    return `${keyword === "export" ? "export " : ""}function ${name}(${params}): ${type(t)} ${closing(t, "{")}`;
  }
  t.expect("(");
  if (keyword === "while") return `while (${print(expression(t))}${closing(t, ")")} ${closing(t, "{")}`;
  if (keyword === "for") {
    const init = t.eat(";") ? ";" : `${closing(t, "let")} ${t.name()} ${closing(t, "=")} ${print(expression(t))}${closing(t, ";")}`;
    const test = print(expression(t));
    t.expect(";");
    const update = unary(t);
    const step = update.k === "update" ? update.text : assignments.has(t.peek() ?? "") ? `${print(update)} ${t.next()} ${print(expression(t))}` : fail();
    return `for (${init} ${test}; ${step}${closing(t, ")")} ${closing(t, "{")}`;
  }
  if (keyword !== "if") fail();
  const test = `if (${print(expression(t))}${closing(t, ")")}`;
  return t.peek() === "{" ? `${test} ${closing(t, "{")}` : `${test} ${simpleStatement(t)}`;
}

/** What a line holds, read and printed again: its printed text, and whether it opens or closes a block. */
function readLine(content: string): { printed: string; opens: boolean; closes: boolean } {
  if (content.startsWith("//")) return { printed: content.trimEnd(), opens: false, closes: false };
  // a source-map marker, alone or before a comment, and a one-line doc comment
  if (/^\/\*@adgen:\d+\*\/(?: \/\/.*)?$|^\/\*\*(?:(?!\*\/).)*\*\/$/.test(content)) return { printed: content.trimEnd(), opens: false, closes: false };
  const t = new Tokens(content);
  let printed: string;
  if (t.eat("}")) {
    if (t.done) return { printed: "}", opens: false, closes: true };
    if (t.eat("else")) printed = t.peek() === "if" ? `} else ${blockHead(t)}` : `} else ${closing(t, "{")}`;
    else if (t.eat("catch")) printed = `} catch (${t.eat("(") ? t.name() : fail()}${closing(t, ")")} ${closing(t, "{")}`;
    else printed = `} ${closing(t, "finally")} ${closing(t, "{")}`;
    if (!printed.endsWith("{")) fail();
    return { printed: t.done ? printed : fail(), opens: true, closes: true };
  }
  const head = ["if", "for", "while", "try", "function", "export"].includes(t.peek()!);
  printed = head ? blockHead(t) : simpleStatement(t);
  return { printed: t.done ? printed : fail(), opens: printed.endsWith("{"), closes: false };
}

/** A line's code and its trailing `// comment`, if any (prettier sets one space before it and leaves it out of the width). */
function splitComment(content: string): { code: string; comment: string } {
  let quoted = false;
  for (let i = 0; i < content.length - 1; i++) {
    if (content[i] === '"') quoted = !quoted;
    else if (!quoted && content[i] === "/" && content[i + 1] === "/" && i > 0) return { code: content.slice(0, i - 1), comment: content.slice(i - 1) };
  }
  return { code: content, comment: "" };
}

/**
 * Whether prettier prints `chunk` — one or more whole top-level declarations or comments,
 * without a final newline — exactly as it is.
 */
export function isSettled(chunk: string): boolean {
  if (/[\r\t\u2028\u2029]/.test(chunk)) return false;
  let depth = 0;
  // what the line before was: blank lines stand only between statements, never at a block's ends
  // a block comment is followed by code (alone in a block, prettier moves a comment after it to a line of its own)
  let previous: "start" | "opens" | "blank" | "comment" | "block comment" | "code" = "start";
  try {
    const lines = chunk.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === "void [" && depth === 0) {
        // `void [a, b, …];` too wide for a line, as prettier breaks it: a name a line
        const end = lines.findIndex((closing, k) => k > i && closing.startsWith("]"));
        const names = lines.slice(i + 1, end).map((item) => /^ {2}([A-Za-z_$][\w$]*),$/.exec(item)?.[1] ?? "");
        if (end < 0 || !/^\];(?: \/\/.*\S)?$/.test(lines[end]!) || names.includes("")) return false;
        if (`void [${names.join(", ")}];`.length <= printWidth) return false;
        i = end;
        previous = "code";
        continue;
      }
      if (line === "") {
        if (previous !== "code" && previous !== "comment") return false;
        previous = "blank";
        continue;
      }
      const content = line.trimStart();
      if (previous === "block comment" && (content.startsWith("/") || content.startsWith("}"))) return false;
      const { code, comment } = content.startsWith("/") ? { code: content, comment: "" } : splitComment(content);
      // the width first: a line read is short, however deep its expressions nest
      if (!content.startsWith("/") && line.length - content.length + code.length > printWidth) return false;
      const read = readLine(code);
      if (comment !== "" && (read.opens || read.closes || code.startsWith("if") || !/^ \/\/.*\S$/.test(comment))) return false;
      if (read.printed !== code) return false;
      if (read.closes && (depth === 0 || previous === "opens" || previous === "blank")) return false;
      if (read.closes) depth--;
      if (line.length - content.length !== 2 * depth) return false;
      if (read.opens) depth++;
      previous = read.opens ? "opens" : content.startsWith("/*") ? "block comment" : content.startsWith("/") ? "comment" : "code";
    }
  } catch (error) {
    if (error instanceof Unsettled) return false;
    throw error;
  }
  return depth === 0 && (previous === "code" || previous === "comment");
}
