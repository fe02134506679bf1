/**
 * All generated names come from here: adjoints after their primal (`x` → `x_bar`),
 * temporaries `t1, t2, …`, functions after their source (`loss_grad`). Counters are
 * deterministic, so output is byte-stable, and a name is never one the user's file uses.
 */
export class Names {
  private readonly taken: Set<string>;

  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }

  /** `base` if free, else `base_2`, `base_3`, …; the result is reserved. */
  fresh(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  /** The next free `prefix<n>` (`t1`, `t2`, …). */
  numbered(prefix: string): string {
    let n = 1;
    while (this.taken.has(`${prefix}${n}`)) n++;
    const name = `${prefix}${n}`;
    this.taken.add(name);
    return name;
  }

  reserve(name: string): void {
    this.taken.add(name);
  }

  /** A snapshot of the names taken so far, to seed a nested scope's Names. */
  reservedNames(): Set<string> {
    return new Set(this.taken);
  }
}

export const adjointName = (names: Names, primal: string): string => names.fresh(`${primal}_bar`);
