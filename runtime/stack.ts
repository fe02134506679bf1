/**
 * Growable typed stacks for generated reverse sweeps.
 *
 * The forward sweep pushes the values (and branch/loop choices) the reverse sweep needs,
 * and the reverse sweep pops them in the opposite order. Storing them in one typed array
 * with a top index means no allocation per value and no boxing; the buffer doubles when
 * full and is kept across `reset()` so a reused stack stops allocating after warm-up.
 * Generated code reads `data` and `top` into locals and pushes and pops on those (a method
 * call per value is more than V8 inlines in a long gradient), writing `top` back before
 * anything else may use the stack (a call, a return) and reading both again after it:
 * `data` and `top` are the stack's state, public for that protocol.
 * Numbers (values, indices, trip counts) go on a Float64Stack, booleans (branch flags) on
 * a BooleanStack of one byte each, and arrays or objects a loop rebinds on a
 * ReferenceStack (the reference only; their elements are restored one by one).
 */
import { AdgenError } from "./errors.js";

const initialCapacity = 256;

function underflow(kind: string): AdgenError {
  return new AdgenError(`${kind}.pop() on an empty stack: a reverse sweep popped more than it pushed.`);
}

/** What the two typed stacks share: a buffer that doubles when full, and its top. */
abstract class TypedStack<A extends Float64Array | Uint8Array> {
  /** The number of values stored; `data[top - 1]` is the last pushed. */
  top = 0;

  constructor(
    /** The buffer: values below `top`, free space above. */
    public data: A,
    private readonly make: (length: number) => A,
  ) {}

  /** The number of values stored. */
  get length(): number {
    return this.top;
  }

  /** The bytes occupied by the values stored (not the capacity), for memory measurements. */
  get bytes(): number {
    return this.top * this.data.BYTES_PER_ELEMENT;
  }

  /** Empties the stack, keeping its buffer for reuse. */
  reset(): void {
    this.top = 0;
  }

  /** Drops everything above `length` (what was pushed after it was the length). */
  truncate(length: number): void {
    if (length < this.top) this.top = length;
  }

  /**
   * Doubles the buffer until it holds `size` values, keeping every value in it (those
   * pushed through locals too, not yet counted in `top`); returns the new buffer.
   */
  grow(size = this.data.length + 1): A {
    let length = this.data.length * 2;
    while (length < size) length *= 2;
    const next = this.make(length);
    next.set(this.data);
    this.data = next;
    return next;
  }
}

/** A stack of float64 values (primal values saved for the reverse sweep). */
export class Float64Stack extends TypedStack<Float64Array> {
  constructor(capacity = initialCapacity) {
    super(new Float64Array(Math.max(1, capacity)), (n) => new Float64Array(n));
  }

  push(value: number): void {
    if (this.top === this.data.length) this.grow();
    this.data[this.top++] = value;
  }

  pop(): number {
    if (this.top === 0) throw underflow("Float64Stack");
    return this.data[--this.top]!;
  }
}

/** A stack of booleans, one byte each (branch flags saved for the reverse sweep). */
export class BooleanStack extends TypedStack<Uint8Array> {
  constructor(capacity = initialCapacity) {
    super(new Uint8Array(Math.max(1, capacity)), (n) => new Uint8Array(n));
  }

  push(value: boolean): void {
    if (this.top === this.data.length) this.grow();
    this.data[this.top++] = value ? 1 : 0;
  }

  pop(): boolean {
    if (this.top === 0) throw underflow("BooleanStack");
    return this.data[--this.top] === 1;
  }
}

/** A stack of references (arrays or objects a loop rebinds), for the reverse sweep. */
export class ReferenceStack {
  private readonly data: unknown[] = [];

  push(value: unknown): void {
    this.data.push(value);
  }

  pop(): unknown {
    if (this.data.length === 0) throw underflow("ReferenceStack");
    return this.data.pop();
  }

  get length(): number {
    return this.data.length;
  }

  /** Bytes of the references themselves (8 each), not of what they point to. */
  get bytes(): number {
    return this.data.length * 8;
  }

  reset(): void {
    this.data.length = 0;
  }

  /** Drops everything above `length`. */
  truncate(length: number): void {
    if (length < this.data.length) this.data.length = length;
  }
}

/**
 * The tapes generated code uses, shared by every generated function. Each call pops
 * exactly what it pushed, in reverse order, so calls may nest (an adjoint calling another,
 * recursion) on the same tapes; sharing them means buffers grow once and are reused.
 */
export const numberTape = new Float64Stack();
export const booleanTape = new BooleanStack();
export const referenceTape = new ReferenceStack();

/**
 * The stacks a half whose recursion runs as loops keeps each level's numbers and booleans
 * on (its own frames, apart from the tapes its levels push and pop in between).
 */
export const levelTape = new Float64Stack();
export const levelFlags = new BooleanStack();

/** The level stacks, as generated code takes them (a call's result: storage the compiler knows is shared). */
export const levelStack = (): Float64Stack => levelTape;
export const levelFlagStack = (): BooleanStack => levelFlags;

/** How full the tapes were: taken when a gradient starts, to put them back if it throws. */
export interface TapeMark {
  numbers: number;
  booleans: number;
  references: number;
  levels: number;
  levelFlags: number;
}

export function tapeMark(): TapeMark {
  return { numbers: numberTape.length, booleans: booleanTape.length, references: referenceTape.length, levels: levelTape.length, levelFlags: levelFlags.length };
}

/** Puts the tapes back as they were at `mark`: a gradient that throws leaves nothing behind. */
export function tapeRewind(mark: TapeMark): void {
  numberTape.truncate(mark.numbers);
  booleanTape.truncate(mark.booleans);
  referenceTape.truncate(mark.references);
  levelTape.truncate(mark.levels);
  levelFlags.truncate(mark.levelFlags);
}
