// Values a function adgen cannot see into changes while the differentiated function runs:
// a module `let`, a module array's contents, a local array handed to such a function. The
// reads were taken as constants — moved out of loops, merged with an earlier read, read
// again in the reverse sweep after the change — so gradients came from the wrong values.
// Found looking for what else could change under a loop the way its bounds did
// (loop-bounds-changed.ts).

let scale = 1;
function bump(): void {
  scale *= 2;
}
function reset(): void {
  scale = 1;
}
const table: number[] = [1, 2, 3];
function resetTable(): void {
  table[0] = 1;
  table[1] = 2;
  table[2] = 3;
}
function rotate(): void {
  table.push(table.shift()!);
}
function double(buf: number[]): void {
  buf[0] *= 2;
}

/** @differentiable */
export function readInLoop(y: number): number {
  reset();
  let s = 0;
  for (let i = 0; i < 3; i++) {
    s += Math.sin(y * scale);
    bump();
  }
  return s;
}

/** @differentiable */
export function readTwice(y: number): number {
  reset();
  const a = Math.sin(y * scale);
  bump();
  const b = Math.sin(y * scale);
  return a * b;
}

/** @differentiable */
export function readBeforeChange(y: number): number {
  reset();
  const a = y * scale;
  const b = Math.exp(a);
  bump();
  return b * b + a;
}

/** @differentiable */
export function moduleArrayChanged(y: number): number {
  resetTable();
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const w = table[0];
    s += Math.sin(y * w) * w;
    rotate();
  }
  return s;
}

/** @differentiable */
export function localArrayHandedAway(y: number): number {
  const buf: number[] = [1, 2];
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const w = buf[0];
    s += Math.sin(y * w);
    double(buf);
  }
  return s;
}

/** @differentiable */
export function localArrayReadInLoop(y: number): number {
  const buf: number[] = [1, 2];
  let s = 0;
  for (let i = 0; i < 3; i++) {
    s += Math.sin(y * buf[1]) * buf[0];
    double(buf);
  }
  return s;
}

/** @differentiable */
function scaled(y: number): number {
  bump();
  return y * 2;
}

/** @differentiable */
export function changedByDifferentiableCallee(y: number): number {
  reset();
  const a = Math.sin(y * scale);
  const b = scaled(y);
  return a * Math.cos(y * scale) + b;
}

export const points = {
  readInLoop: [[0.3]],
  readTwice: [[0.3]],
  readBeforeChange: [[0.3]],
  moduleArrayChanged: [[0.3]],
  localArrayHandedAway: [[0.3]],
  localArrayReadInLoop: [[0.3]],
  changedByDifferentiableCallee: [[0.3]],
};

export const withEffects = Object.keys(points);
