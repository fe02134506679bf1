/**
 * The catalogue of adgen diagnostics.
 *
 * Input: nothing. Output: the `ADG` codes with their message templates, the typed
 * error that compiler passes throw at a node, and the tsc-style text front ends print.
 * Invariant: every user-facing failure has a code listed here; internal code never
 * surfaces a bare stack trace.
 */
import * as path from "node:path";
import { ts, type Node, type SourceFile } from "ts-morph";

export const codes = {
  // ADG1xxx — syntax adgen does not handle (yet)
  unsupportedSyntax: 1001,
  typeScriptSyntax: 1002,
  writeToInput: 1003,
  closure: 1004,
  exceptions: 1005,
  generator: 1006,
  // 1007 is retired: storing a parameter's array into another is supported
  moduleWrite: 1008,
  tooDeep: 1009,
  // ADG2xxx — resolution
  notDifferentiableCallee: 2001,
  transformTarget: 2002,
  outsideInputs: 2003,
  ruleShape: 2004,
  transformReference: 2005,
  effectsRerun: 2006,
  noForwardRule: 2007,
  hiddenGlobal: 2008,
  // ADG3xxx — types
  nonNumberResult: 3001,
  unsupportedType: 3002,
  typeScriptType: 3003,
  // ADG4xxx — command line and files
  usage: 4001,
  missingInput: 4002,
  outDirOverlap: 4003,
  outDirNotOwned: 4004,
  unreadable: 4005,
  unwritable: 4006,
  badEncoding: 4007,
  /** a library the compiler needs is not installed (reported before the compiler loads) */
  missingLibrary: 4008,
  // ADG9xxx — internal
  internal: 9001,
} as const;

export type Code = (typeof codes)[keyof typeof codes];

/** A diagnostic as data: front ends turn it into text or into a ts.Diagnostic. */
export interface AdgDiagnostic {
  code: Code;
  message: string;
  /** absent for command-line errors that belong to no file */
  file?: string;
  /** 1-based, as tsc prints them */
  line?: number;
  column?: number;
  /** 0-based offset and length in the file, for editors and tsc diagnostics */
  start?: number;
  length?: number;
}

/** A stack overflow: a limit of nesting, not a bug, reported as ADG1009. */
export const isStackOverflow = (error: unknown): boolean => error instanceof RangeError && /call stack/i.test(error.message);

/** Thrown by a pass at the node it cannot handle; the pipeline turns it into a diagnostic. */
export class CompileError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly at?: Node | SourcePos,
  ) {
    super(message);
  }
}

/** A place in a source file, kept as plain data so the IR needs no AST. */
export interface SourcePos {
  file: string;
  start: number;
  length: number;
  line: number;
  column: number;
}

export function sourcePos(node: Node): SourcePos {
  return positionIn(node.getSourceFile(), node.getStart(), node.getWidth());
}

/**
 * A position by offset. Lines as the compiler counts them (CR, LF and CRLF all end a line),
 * found by binary search in its table of line starts: ts-morph's own lookup counts only LF
 * and rescans the text up to the offset on every call.
 */
export function positionIn(file: SourceFile, start: number, length: number): SourcePos {
  const { line, character } = ts.getLineAndCharacterOfPosition(file.compilerNode, start);
  return { file: file.getFilePath(), start, length, line: line + 1, column: character + 1 };
}

export function diagnosticAt(at: Node | SourcePos, code: Code, message: string): AdgDiagnostic {
  const pos = "getSourceFile" in at ? sourcePos(at) : at;
  return { code, message, ...pos };
}

/** `path:line:col - error ADG1234: message` (the tsc format, so editors and CI link it). */
export function formatDiagnostic(d: AdgDiagnostic, cwd = process.cwd()): string {
  const where = d.file
    ? `${relativeTo(cwd, d.file)}${d.line !== undefined ? `:${d.line}:${d.column}` : ""} - `
    : "";
  return `${where}error ADG${d.code}: ${d.message}`;
}

/** A path as tsc prints it: relative to `cwd` when beneath it, `.` for `cwd` itself. */
function relativeTo(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === "") return ".";
  return rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

/** A construct adgen does not accept: what it is, and the fix that applies to it (if one does). */
export type Construct = readonly [what: string, advice?: string];

/**
 * The constructs adgen rejects (ADG1001), each with its own fix: the fence rejects those it
 * sees up front by kind, lowering the rest where it meets them. Passes throw
 * `messages.unsupported(...constructs.x)`.
 */
export const constructs = {
  forIn: ["a `for…in` loop", "loop over an array of the keys you need"],
  classDeclaration: ["a class declaration", "declare the class outside the function"],
  classExpression: ["a class expression", "declare the class outside the function"],
  with: ["`with`", "name the object's fields in full"],
  debugger: ["`debugger`", "remove it"],
  delete: ["`delete`", "build a new object without the field"],
  taggedTemplate: ["a tagged template", "call the tag function outside the function and pass its result in"],
  super: ["`super`", "call the method on an object passed in, or copy its arithmetic into this method"],
  objectSpread: ["spreading an object into an object literal", "write the fields out"],
  getter: ["a getter in an object literal", "store the value in a plain field"],
  setter: ["a setter in an object literal", "assign the field directly"],
  metaProperty: ["`new.target` or `import.meta`", "read it outside the function and pass the value in"],
  var: ["`var`", "declare it with `let` or `const`"],
  arguments: ["`arguments`", "name the parameters"],
  optionalCall: ["an optional call `f?.()`", "test the function first: `f ? f() : fallback`"],
  regularExpression: ["a regular expression", "match outside the function and pass the numbers in"],
  void: ["`void`", "write the expression as its own statement"],
  comma: ["the comma operator", "write each expression as its own statement"],
  stopGradientArity: ["`stopGradient` without exactly one argument", "pass it the one value to hold constant"],
  spreadNotLast: ["a spread argument before other arguments", "put the spread last, or pass the elements one by one"],
  spreadFixedArity: ["a spread argument to a function of fixed arity", "pass the elements one by one"],
  spreadToDifferentiable: ["a spread argument to a @differentiable function", "pass the arguments one by one"],
  spreadToLocal: ["a spread argument to a local function", "pass the arguments one by one"],
  methodWithoutObject: (name: string): Construct => [`calling the method \`${name}\` without its object`, `call it on its object: \`obj.${name}(…)\``],
  calleeExpression: ["calling the result of an expression", "call a function by its name (write `c ? f(x) : g(x)` rather than `(c ? f : g)(x)`)"],
  newObject: (text: string): Construct => [`\`${text}\``, "create arrays with `new Float64Array(n)`, `new Array(n).fill(0)`, a literal or a copy; build other objects outside the function and pass them in"],
  restParameter: ["a rest parameter", "take an array instead"],
  restParameterOfLocal: ["a rest parameter in a local function", "take an array instead"],
  jumpTarget: (jump: string): Construct => [`this \`${jump}\``, "jump only out of an enclosing loop or `switch` (a labelled block is not a target)"],
  loop: ["this loop", "write it as a `for` loop over indices"],
  forOfNonArray: ["`for…of` over something other than an array", "loop over an array, or over indices with a counted `for`"],
  forOfWithoutDeclaration: ["a `for…of` without a declaration", "declare the loop variable in its head: `for (const x of xs)`"],
  entriesPattern: ["`entries()` without `[index, value]`", "write `for (const [i, x] of xs.entries())`"],
  returnOutside: ["this `return`", "return only from the function itself or a local function it calls"],
  destructuringWithoutValue: ["destructuring without an initializer", "give the pattern a value: `const [a, b] = pair`"],
  pushSpread: ["`push(...items)`", "push the items one by one in a loop"],
  lengthAssignment: ["assigning to `.length`", "build a new array of the length you need"],
  assignmentTarget: (text: string): Construct => [`assigning to \`${text}\``, "assign to a local variable, or to an element or field of an array or object the function created"],
  objectRest: ["a rest element in object destructuring", "read the fields you need by name"],
  computedKeyPattern: ["a computed key in destructuring", "name the field in the pattern: `const { x } = point`"],
  bindingPattern: ["this binding pattern", "bind the names one by one"],
  restAssignment: ["a rest element in a destructuring assignment", "assign the elements one by one"],
  destructuringAssignment: ["this destructuring assignment", "assign the fields one by one"],
  nestedDestructuringAssignment: ["a nested destructuring assignment", "destructure in two steps"],
  incrementInExpression: ["`++`/`--` inside an expression", "write it as its own statement (`i++;`) before or after"],
  computedKeyLiteral: ["a computed key in an object literal", "name the field in the literal: `{ x: value }`"],
  methodInLiteral: ["a method or accessor in an object literal", "compute the value first and store it in a field"],
  thisOutsideMethod: ["`this` outside an instance method", "pass the object in as a parameter"],
  operator: (op: string): Construct => [`\`${op}\` inside an expression`, "compute the value outside the function and pass it in"],
  arrayHole: ["a hole in an array literal", "write the element out, e.g. `0`"],
  enclosingRead: (name: string): Construct => [`reading \`${name}\` from an enclosing function`, `pass \`${name}\` in as a parameter`],
  destructuredParameterWithoutArgument: ["a destructured parameter without an argument", "pass the argument"],
  unmarkedCallback: (name: string): Construct => [
    `passing \`${name}\`, which is not marked /** @differentiable */, as a callback`,
    `mark \`${name}\` /** @differentiable */, or pass an arrow function that computes the value`,
  ],
  callback: (text: string): Construct => ["this callback", `pass an arrow function that calls it: \`(x) => ${text}(x)\``],
} as const;

/**
 * The messages, one sentence each: what the construct is, and the fix that applies to it.
 * Passes throw `new CompileError(code, messages.x(…), node)`.
 */
export const messages = {
  unsupported: (what: string, advice?: string) => `${what} is not supported in a @differentiable function${advice ? `; ${advice}` : ""}`,
  /** a kind of node lowering has no rule for: its name, and no advice it could stand behind */
  unknownConstruct: (kind: string) => `\`${kind}\` is not supported in a @differentiable function`,
  exception: (what: string) =>
    `${what} is not supported in a @differentiable function: the reverse sweep cannot follow an exception. Check the condition before the call instead, or keep the guarded code outside the function`,
  suspends: (what: string) =>
    `${what} is not supported in a @differentiable function: it must run to completion in one call. Compute the values first and pass them in`,
  recursiveLocal: (name: string) =>
    `the local function \`${name}\` calls itself, so it cannot be inlined; make it a top-level /** @differentiable */ function and call that`,
  localAsValue: (name: string) =>
    `the local function \`${name}\` is used as a value; call it, or pass it to map, reduce or forEach, where it is inlined (or make it a top-level /** @differentiable */ function)`,
  hiddenGlobal: (name: string) =>
    `\`${name}\` is declared here and hides the global \`${name}\`, which the code adgen generates for this file uses; rename the declaration`,
  moduleWrite: (name: string) =>
    `\`${name}\` is declared outside the function, and a @differentiable function may only read such values; keep the value in a local variable, or return it`,
  tooDeep: () =>
    "this code nests deeper, or chains more operations, than the compiler's stack can follow here (TypeScript's own limit is about 1,000 levels); split it into smaller functions, or build it with the `adgen` CLI, which runs with a deeper stack",
  transformCalled: (name: string, transform: string) =>
    `\`${name}\` is generated by ${transform}, and a @differentiable function cannot call generated derivatives (adgen does not differentiate its own output); ` +
    `for second derivatives use hvp, hessian or jacobian of the function itself`,
  stoppedArrayWritten: (name: string) =>
    `\`stopGradient(${name})\` is the same array as \`${name}\`, and one of them is written in this function, so a value with a derivative could reach it; stop the gradient of a copy instead: \`stopGradient(${name}.slice())\``,
  noForwardRule: (name: string) =>
    `forward mode (jvp, hvp, hessian, jacobian) needs the tangent of \`${name}\`, and its defineDerivative gives only \`reverse\`; add \`forward: (args, tangents, result) => …\` to it`,
  calledRuleArray: (name: string, array: string) =>
    `the derivative rule of \`${name}\` is called at run time (its \`reverse\` is not one expression), and such a rule takes numbers only, but it receives the array \`${array}\`; pass the numbers it needs, or mark \`${name}\` /** @differentiable */`,
  calledForwardRule: (name: string) =>
    `hvp and hessian differentiate the forward rule of \`${name}\` again, and its \`forward\` is called as a function (it is not one expression); write it as one expression`,
  spreadForwardRule: (name: string) =>
    `\`${name}\` is called with a spread argument, so its forward rule must be written over the argument list (\`xs.reduce((s, x, i) => s + …, 0)\` or \`dxs[…]\`)`,
  /** `reruns`: how the transform runs the function more than once ("again in its pullback") */
  effectsRerun: (call: string, name: string, reruns: string, effect: { text: string; pos: { file: string; line: number } }) =>
    `${call} runs \`${name}\` ${reruns}, and \`${name}\` has effects that would run again or give other values ` +
    `(\`${effect.text}\`, ${path.basename(effect.pos.file)}:${effect.pos.line}). Pass such values in as arguments, or use grad or valueAndGrad, which run it once`,
  /** `target`: what the write writes into, as written (`W`, `this.weights`); `resizes`: `push` and the like */
  writeToInput: (code: string, target = "xs", resizes = false) =>
    `\`${code}\` writes into \`${target}\`, an array or object this function did not create (a parameter's, or a module's); a @differentiable function must leave its inputs unchanged. ` +
    `Copy it into a local array first and write into the copy (e.g. \`const copy = ${resizes ? `[...${target}]` : `Float64Array.from(${target})`}\`)`,
  inspectWrt: (fn: string, index: number, params: readonly string[], active: readonly number[]) =>
    index >= params.length
      ? `--wrt ${index}: \`${fn}\` has ${params.length} parameter${params.length === 1 ? "" : "s"} (indices from 0)`
      : `--wrt ${index}: \`${fn}\`'s parameter \`${params[index]}\` is not differentiable; the ones that are: ${active.map((i) => `${i} (\`${params[i]}\`)`).join(", ") || "none"}`,
  returnsNothing: (fn: string) => `${fn} returns nothing; a @differentiable function returns the value it computes: end it with \`return\` of that value`,
  noFinalReturn: (fn: string) => `${fn} must end with a \`return\` of its result; add one after the last statement`,
  unsupportedType: (type: string) =>
    `a value of type \`${type}\` is not supported in a @differentiable function (supported: number, boolean, string, number[], Float64Array, Float32Array, nested arrays, tuples and plain objects of these); convert it to one of these outside the function and pass that in`,
  ruleForm: () =>
    "a derivative rule must be written `defineDerivative(fn, { reverse: (args, result, cotangent) => [...], forward: (args, tangents, result) => ... })`, the rules as an object literal",
  ruleReverse: () =>
    "derivative rule: `reverse` must return an array literal with one cotangent per argument, or `args.map((x, i) => …)` for a function of any number of arguments",
  ruleForward: () => "derivative rule: `forward` must return the result's tangent as one expression",
  ruleExpression: (text: string) => `derivative rule: \`${text}\` is not in the form adgen inlines (arithmetic, \`?:\`, Math functions and the rule's parameters)`,
  ruleTarget: () => "defineDerivative: the first argument must name a function (a function declaration or a const arrow function)",
  opaqueArrayArgument: (callee: string, array: string, statement: string) =>
    `\`${callee}\` receives the array \`${array}\`, which depends on the inputs, and adgen cannot see whether it changes it (in \`${statement}\`). Mark the function /** @differentiable */, give it a rule with defineDerivative, or pass it a copy`,
  noDerivative: (callee: string, statement: string) =>
    `\`${callee}\` has no derivative, but it receives a value that depends on the inputs (in \`${statement}\`). Mark it /** @differentiable */, give it a rule with defineDerivative, or pass it only values that do not depend on the inputs (stopGradient(x) says so explicitly)`,
  namespaceAsValue: (text: string) =>
    `adgen's namespace \`${text}\` is used here as a value: adgen compiles only direct calls of its transforms, and any other use would throw when it runs; call them through it, as in \`${text}.grad(f)\``,
  transformAsValue: (text: string) =>
    `\`${text}\` is used here other than in a direct call such as \`${text}(f)\`: adgen compiles only direct calls of its transforms, and any other use would throw when it runs`,
  transformWithoutTarget: (kind: string) => `${kind}() needs the function to differentiate, as in \`${kind}(f)\``,
  transformTarget: (kind: string, arg: string) =>
    `${kind}(${arg}): the argument must name a function marked /** @differentiable */ (a function declaration, a const arrow function or a method, in this file or imported)`,
  transformOptions: (kind: string, why: string) => `${kind} options: ${why}`,
  numberResultNeeded: (kind: string, fn: string, type: string) => `${kind} needs a function with a number result, but \`${fn}\` returns \`${type}\`; use vjp, jvp or jacobian for other results`,
  arrayResultNeeded: (fn: string) => `jacobian needs a function with an array, tuple or object result, but \`${fn}\` returns a number; use grad`,
  notAnInput: (fn: string, file: string) =>
    `\`${fn}\` is defined in ${file}, which is not among the files being built; add it to the inputs so its derivative code is generated`,
  ruleFreeNames: (callee: string, names: readonly string[]) =>
    `the derivative rule of \`${callee}\` uses ${names.map((n) => `\`${n}\``).join(", ")}, which this file cannot see; write the rule with its parameters and Math only, or in this file`,
  indirectImport: (fn: string, file: string) =>
    `\`${fn}\` reaches this file other than by an import of ${file}, where it is declared (a re-export, say), and its derivative code can only be imported from there; import \`${fn}\` from ${file}`,
} as const;
