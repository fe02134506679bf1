/**
 * Growable typed stacks for generated reverse sweeps.
 *
 * The forward sweep pushes the values (and branch/loop choices) the reverse sweep needs,
 * and the reverse sweep pops them in the opposite order. Storing them in one typed array
 * with a top index means no allocation per value and no boxing; the buffer doubles when
 * full and is kept across `reset()` so a reused stack stops allocating after warm-up.
 * One float64 stack serves every kind of value: a JS number (an index, a count, a
 * branch taken as 0/1) is stored exactly.
 */
import { AdgenError } from "./errors";

const initialCapacity = 256;

function underflow(): AdgenError {
  return new AdgenError("Float64Stack.pop() on an empty stack: a reverse sweep popped more than it pushed.");
}

/** A stack of float64 values (primal values saved for the reverse sweep). */
export class Float64Stack {
  private data: Float64Array;
  private top = 0;

  constructor(capacity = initialCapacity) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  push(value: number): void {
    if (this.top === this.data.length) this.grow();
    this.data[this.top++] = value;
  }

  pop(): number {
    if (this.top === 0) throw underflow();
    return this.data[--this.top]!;
  }

  /** The number of values stored. */
  get length(): number {
    return this.top;
  }

  /** The bytes occupied by the values stored (not the capacity), for memory measurements. */
  get bytes(): number {
    return this.top * Float64Array.BYTES_PER_ELEMENT;
  }

  /** Empties the stack, keeping its buffer for reuse. */
  reset(): void {
    this.top = 0;
  }

  // Kept out of push so the hot path stays small enough to inline.
  private grow(): void {
    const next = new Float64Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
}
