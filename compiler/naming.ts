/**
 * All generated names come from here: adjoints after their primal (`x` → `x_bar`),
 * tangents (`x` → `x_dot`), saved values (`x_old`), temporaries `t1, t2, …`, functions after
 * their source (`loss_grad`). Counters are deterministic, so output is byte-stable, and a
 * name is never one the user's file uses: every identifier of the file is reserved, and a
 * function's local names are taken from a child of its file's Names, so they also avoid
 * every name the file's generated code uses.
 */
export class Names {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(
    reserved: Iterable<string> = [],
    private readonly parent?: Names,
  ) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Names for a nested scope: free here and in this scope, allocated there only. */
  child(): Names {
    return new Names([], this);
  }

  has(name: string): boolean {
    return this.taken.has(name) || (this.parent?.has(name) ?? false);
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
    this.taken.add(name);
    return name;
  }

  /** The next free `prefix<n>` (`t1`, `t2`, …). */
  numbered(prefix: string): string {
    let n = this.next.get(`${prefix}#`) ?? 1;
    while (this.has(`${prefix}${n}`)) n++;
    this.next.set(`${prefix}#`, n + 1);
    const name = `${prefix}${n}`;
    this.taken.add(name);
    return name;
  }

  reserve(name: string): void {
    this.taken.add(name);
  }
}

/** The conventions, in one place. */
export const nameOf = {
  adjoint: (primal: string) => `${primal}_bar`,
  tangent: (primal: string) => `${primal}_dot`,
  saved: (primal: string) => `${primal}_old`,
};
