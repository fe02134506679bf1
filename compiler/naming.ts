/**
 * Naming: every name generated code introduces, from one place.
 *
 * Input: the identifiers of a user's file. Output: fresh names for generated functions
 * (file scope) and for the locals of each generated function (one nested scope per
 * function). Invariant: a generated name is never one the user's file uses, never one a
 * lowering temporary or another generated name in reach already has, and a file-scope
 * name never equals a local of any function of the file, so no local shadows a function
 * it calls. Counters are deterministic, so output is byte-stable. `nameOf` holds the
 * conventions: adjoints after their primal (`x` → `x_bar`), temporaries `t1, t2, …`,
 * generated functions after their source (`loss_grad`, `loss_forward`).
 */
export class Names {
  private readonly taken = new Set<string>();
  /** names taken in nested scopes: this scope gives out none of them */
  private readonly inner = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(
    reserved: Iterable<string> = [],
    private readonly parent?: Names,
  ) {
    for (const name of reserved) this.take(name);
  }

  /**
   * Names for a nested scope (one function's locals): free there, here and in every scope
   * around; two nested scopes of one parent may give out the same name.
   */
  child(reserved: Iterable<string> = []): Names {
    return new Names(reserved, this);
  }

  /** Whether `name` is taken here, around, or in a scope nested here. */
  has(name: string): boolean {
    return this.inner.has(name) || this.takenAround(name);
  }

  private takenAround(name: string): boolean {
    return this.taken.has(name) || (this.parent?.takenAround(name) ?? false);
  }

  /** `base` if free, else `base_2`, `base_3`, …; the result is reserved. */
  fresh(base: string): string {
    let name = base;
    if (this.has(name)) {
      let n = this.next.get(base) ?? 2;
      while (this.has(`${base}_${n}`)) n++;
      this.next.set(base, n + 1);
      name = `${base}_${n}`;
    }
    this.take(name);
    return name;
  }

  /** The next free `prefix<n>` (`t1`, `t2`, …). */
  numbered(prefix: string): string {
    let n = this.next.get(`${prefix}#`) ?? 1;
    while (this.has(`${prefix}${n}`)) n++;
    this.next.set(`${prefix}#`, n + 1);
    const name = `${prefix}${n}`;
    this.take(name);
    return name;
  }

  reserve(name: string): void {
    this.take(name);
  }

  private take(name: string): void {
    this.taken.add(name);
    for (let scope = this.parent; scope; scope = scope.parent) scope.inner.add(name);
  }
}

/**
 * The conventions, in one place: the base of each generated name, which `Names.fresh` (or
 * `numbered`, for temporaries) then makes unique in its scope.
 */
export const nameOf = {
  /** the adjoint of a number, or the shadow of an array or object */
  adjoint: (primal: string) => `${primal}_bar`,
  tangent: (primal: string) => `${primal}_dot`,
  /** a value saved before an overwrite */
  saved: (primal: string) => `${primal}_old`,
  /** a pullback's snapshot of an array argument */
  kept: (param: string) => `${param}_kept`,
  /** a parameter the body never reads (`noUnusedParameters` skips names starting with `_`) */
  unused: (param: string) => `_${param}`,
  /** a parameter without a name of its own (a destructuring pattern) */
  argument: (index: number) => `arg${index}`,
  /** one of the runtime's shared tapes, read into a local */
  tape: (kind: string) => `${kind}Tape`,
  /** a tape's buffer and top kept in locals by a function that pushes or pops in a loop */
  tapeLocals: { number: ["tape", "top"], boolean: ["flags", "flagTop"], reference: undefined } as Record<string, readonly [string, string] | undefined>,
  /** a level stack's buffer and top, as locals (reverse/levels.ts): numbers', booleans' */
  levelLocals: { number: ["levels", "levelTop"], boolean: ["levelFlagBits", "levelFlagTop"] } as const,
  /** a local function inlined at its call: its result */
  inlinedResult: (fn: string) => `${fn}_result`,
  /** `t1, t2, …`: the prefix of numbered temporaries */
  temporary: "t",
  /** the cotangent of the result, a pullback's or a reverse half's parameter */
  seed: "result_bar",
  /** a primal's value, as a pullback or a valueAndGrad returns it */
  value: "value",
  /** how many times a loop ran, when the reverse sweep cannot count it again */
  tripCounter: "trips",
  /** an adjoint summed over the iterations of a loop reversed in place (`alphas_bar_ix`) */
  perLoop: (adjoint: string, index: string) => `${adjoint}_${index}`,
  /** the tapes' lengths on entry, restored if the code throws */
  tapeMark: "tapes",
  caught: "error",
  /** the namespace import of adgen's runtime */
  runtime: "adgen",
  /** the index of a loop lowering introduces (`for…of`, an element-wise copy) */
  loopIndex: "index",
  elementIndex: "k",
  accumulator: "acc",
  result: "result",
  /** the case a `switch` enters at */
  entry: "entry",
  /** flags that carry a jump to the end of its statement */
  broke: "broke",
  skipped: "skipped",
  returned: "returned",
  running: "running",
  /** `loss_grad`, `loss_vjp`, … with `_wrt_1_0` when the parameters are not the default */
  transform: (fn: string, kind: string, wrt?: readonly number[]) => `${fn}_${kind}${wrt ? wrtSuffix(wrt) : ""}`,
  adjointFunction: (fn: string) => `${fn}_adjoint`,
  /** a function's halves for its callers; `wrt` when not all its active parameters */
  forwardHalf: (fn: string, wrt?: readonly number[]) => `${fn}_forward${wrt ? wrtSuffix(wrt) : ""}`,
  reverseHalf: (fn: string, wrt?: readonly number[]) => `${fn}_reverse${wrt ? wrtSuffix(wrt) : ""}`,
  /** a function's tangent function (`f_tangent`) or directional derivative (`f_directional`), for `wrt` when not all */
  derived: (fn: string, kind: "tangent" | "directional", wrt?: readonly number[]) => `${fn}_${kind}${wrt ? wrtSuffix(wrt) : ""}`,
  /** the direction of a directional derivative, a Hessian's column */
  direction: "v",
  /** jvp's parameters, and a rule's or an adjoint's result */
  primals: "primals",
  tangents: "tangents",
  cotangents: "cotangents",
  /** a Jacobian's column tangent and row cotangent */
  column: "t",
  row: "ct",
};

const wrtSuffix = (wrt: readonly number[]) => `_wrt_${wrt.join("_") || "none"}`;
