/**
 * Maps and sets that roll back: the working state of a dataflow pass over structured code.
 *
 * Input: changes (`set`, `add`, `delete`). Output: the state now; `mark()` a point in time,
 * `changedSince(mark)` the keys changed since then with what they held at the mark, and
 * `undo(mark)` back to it. Invariant: after `undo(m)` the state is exactly the state at `m`,
 * and each of these costs the number of changes since the mark, never the size of the state:
 * a pass tries a branch or a loop body and joins the results by looking only at what that
 * code changed, so its cost grows with the code and not with (code × live facts).
 */
export class UndoableMap<K, V> {
  private readonly values = new Map<K, V>();
  /** each change: the key and what it held before */
  private readonly log: [K, V | undefined][] = [];

  has(key: K): boolean {
    return this.values.has(key);
  }

  get(key: K): V | undefined {
    return this.values.get(key);
  }

  keys(): IterableIterator<K> {
    return this.values.keys();
  }

  /** `key` holds `value` from now on; undefined removes it. */
  set(key: K, value: V | undefined): void {
    const old = this.values.get(key);
    if (old === value) return;
    this.log.push([key, old]);
    this.replace(key, old, value);
  }

  mark(): number {
    return this.log.length;
  }

  /** The keys changed since `mark`, each with what it held at the mark. */
  changedSince(mark: number): Map<K, V | undefined> {
    const changed = new Map<K, V | undefined>();
    for (let k = mark; k < this.log.length; k++) if (!changed.has(this.log[k][0])) changed.set(this.log[k][0], this.log[k][1]);
    return changed;
  }

  /** The keys changed since `mark`, each with what it holds now. */
  nowChangedSince(mark: number): Map<K, V | undefined> {
    return new Map([...this.changedSince(mark).keys()].map((key) => [key, this.values.get(key)]));
  }

  undo(mark: number): void {
    while (this.log.length > mark) {
      const [key, old] = this.log.pop()!;
      this.replace(key, this.values.get(key), old);
    }
  }

  /** The one place values change (a subclass keeps its indexes here, in step with undo). */
  protected replace(key: K, _old: V | undefined, value: V | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

export class UndoableSet<K> {
  private readonly members = new UndoableMap<K, true>();

  has(key: K): boolean {
    return this.members.has(key);
  }

  add(key: K): void {
    this.members.set(key, true);
  }

  delete(key: K): void {
    this.members.set(key, undefined);
  }

  clear(): void {
    for (const key of [...this.members.keys()]) this.delete(key);
  }

  mark(): number {
    return this.members.mark();
  }

  undo(mark: number): void {
    this.members.undo(mark);
  }

  /** The keys changed since `mark`, each with whether it was in the set then. */
  changedSince(mark: number): Map<K, boolean> {
    return new Map([...this.members.changedSince(mark)].map(([key, was]) => [key, was === true]));
  }

  /** Runs `first` and `second` each from the set now, and leaves their union. */
  union(first: () => void, second: () => void): void {
    const mark = this.mark();
    first();
    const inFirst = new Map([...this.members.nowChangedSince(mark)].map(([key, now]) => [key, now === true]));
    this.undo(mark);
    second();
    for (const [key, was] of this.changedSince(mark)) if (was && !inFirst.has(key)) this.add(key);
    for (const [key, present] of inFirst) if (present) this.add(key);
  }

  /**
   * The keys `run`, started from the set now, has in the set at its end or at any `capture()`
   * it calls, that the set does not have now; the set is left as it was.
   */
  gains(run: (capture: () => void) => void): K[] {
    const mark = this.mark();
    const gained = new Set<K>();
    const capture = () => {
      for (const [key, was] of this.changedSince(mark)) if (!was && this.has(key)) gained.add(key);
    };
    run(capture);
    capture();
    this.undo(mark);
    return [...gained];
  }
}
