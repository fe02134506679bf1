import { workspace } from "./workspace";

/**
 * The gradient of the ADBench LSTM objective (`lstmObjective`, fixtures/functions/lstm.ts) with
 * respect to mainParams and extraParams, written by hand in reverse mode from the math.
 *
 * Input: the objective's arguments. Output: [∂/∂mainParams, ∂/∂extraParams], new arrays.
 * Invariant: the forward pass records, per step, the state after it, each layer's four
 * gates and tanh of its new cell, and the output's softmax — nothing is recomputed in
 * reverse — in a workspace kept across calls (./workspace.ts), so a call
 * allocates only its results and a few arrays of size layers·b.
 *
 * With diagonal weights every hidden unit is independent within a layer, so one loop over
 * the units does all of a layer's work, forward and backward:
 *   f = σ(x w_f + b_f), i = σ(h w_i + b_i), o = σ(x w_o + b_o), g = tanh(h w_g + b_g),
 *   c' = c f + i g,  h' = o tanh(c'),
 *   c̄' += h̄' o (1 − tanh² c'),  ō = h̄' tanh c',  f̄ = c̄' c,  ī = c̄' g,  ḡ = c̄' i,  c̄ = c̄' f,
 * and each gate's pre-activation adjoint (σ' = σ(1 − σ), tanh' = 1 − tanh²) goes to its
 * weight, its bias, and to x (the layer's input) or h (its previous hidden state).
 * The loss −Σ_t Σ_i gold_ti (y_ti − log(Σ_j e^y_tj + 2)) / count gives
 *   ∂/∂y_ti = (Σ_j gold_tj · softmax_ti − gold_ti) / count, softmax_ti = e^y_ti / (Σ_j e^y_tj + 2).
 */
export function lstmObjectiveHand(
  mainParams: Float64Array,
  extraParams: Float64Array,
  state: Float64Array,
  sequence: Float64Array,
): [Float64Array, Float64Array] {
  const b = extraParams.length / 3;
  const layers = state.length / (2 * b);
  const steps = sequence.length / b - 1;
  const stateSize = 2 * layers * b;
  // The initial state, then per step: each layer's f, i, o, g and tanh(c'), the softmax, and
  // the state after the step. The state before step t begins at t·stepSize.
  const gatesSize = 5 * layers * b;
  const stepSize = gatesSize + b + stateSize;
  const record = workspace(stateSize + steps * stepSize);
  record.set(state, 0);
  const input = new Float64Array(b);

  for (let t = 0; t < steps; t++) {
    const before = t * stepSize;
    const gates = before + stateSize;
    const softmax = gates + gatesSize;
    const after = before + stepSize;
    for (let i = 0; i < b; i++) input[i] = sequence[t * b + i] * extraParams[i];
    for (let layer = 0; layer < layers; layer++) {
      const w = layer * 8 * b;
      const h = layer * 2 * b;
      const g = gates + layer * 5 * b;
      for (let i = 0; i < b; i++) {
        const x = input[i];
        const hidden = record[before + h + i];
        const f = sigmoid(x * mainParams[w + i] + mainParams[w + 4 * b + i]);
        const ig = sigmoid(hidden * mainParams[w + b + i] + mainParams[w + 5 * b + i]);
        const o = sigmoid(x * mainParams[w + 2 * b + i] + mainParams[w + 6 * b + i]);
        const change = Math.tanh(hidden * mainParams[w + 3 * b + i] + mainParams[w + 7 * b + i]);
        const cell = record[before + h + b + i] * f + ig * change;
        const tanhCell = Math.tanh(cell);
        record[after + h + i] = o * tanhCell;
        record[after + h + b + i] = cell;
        record[g + i] = f;
        record[g + b + i] = ig;
        record[g + 2 * b + i] = o;
        record[g + 3 * b + i] = change;
        record[g + 4 * b + i] = tanhCell;
        input[i] = o * tanhCell;
      }
    }
    let sum = 2;
    for (let i = 0; i < b; i++) {
      const e = Math.exp(input[i] * extraParams[b + i] + extraParams[2 * b + i]);
      record[softmax + i] = e;
      sum += e;
    }
    for (let i = 0; i < b; i++) record[softmax + i] /= sum;
  }

  const dMain = new Float64Array(mainParams.length);
  const dExtra = new Float64Array(extraParams.length);
  const dHidden = new Float64Array(layers * b); // adjoints of the state, hidden then cell, per layer
  const dCell = new Float64Array(layers * b);
  const count = steps * b;
  const top = (layers - 1) * 2 * b; // the last layer's hidden state
  for (let t = steps - 1; t >= 0; t--) {
    const before = t * stepSize;
    const gates = before + stateSize;
    const softmax = gates + gatesSize;
    const after = before + stepSize;
    const gold = (t + 1) * b;
    let goldSum = 0;
    for (let i = 0; i < b; i++) goldSum += sequence[gold + i];
    for (let i = 0; i < b; i++) {
      const dy = (goldSum * record[softmax + i] - sequence[gold + i]) / count;
      dExtra[b + i] += dy * record[after + top + i];
      dExtra[2 * b + i] += dy;
      dHidden[(layers - 1) * b + i] += dy * extraParams[b + i];
    }
    for (let layer = layers - 1; layer >= 0; layer--) {
      const w = layer * 8 * b;
      const h = layer * 2 * b;
      const g = gates + layer * 5 * b;
      const below = (layer - 1) * 2 * b; // the layer below's hidden state, this layer's input
      for (let i = 0; i < b; i++) {
        const f = record[g + i];
        const ig = record[g + b + i];
        const o = record[g + 2 * b + i];
        const change = record[g + 3 * b + i];
        const tanhCell = record[g + 4 * b + i];
        const hidden = record[before + h + i];
        const x = layer > 0 ? record[after + below + i] : sequence[t * b + i] * extraParams[i];
        const dh = dHidden[layer * b + i];
        const dc = dCell[layer * b + i] + dh * o * (1 - tanhCell * tanhCell);
        const zf = dc * record[before + h + b + i] * f * (1 - f);
        const zi = dc * change * ig * (1 - ig);
        const zo = dh * tanhCell * o * (1 - o);
        const zg = dc * ig * (1 - change * change);
        dMain[w + i] += zf * x;
        dMain[w + b + i] += zi * hidden;
        dMain[w + 2 * b + i] += zo * x;
        dMain[w + 3 * b + i] += zg * hidden;
        dMain[w + 4 * b + i] += zf;
        dMain[w + 5 * b + i] += zi;
        dMain[w + 6 * b + i] += zo;
        dMain[w + 7 * b + i] += zg;
        dCell[layer * b + i] = dc * f;
        dHidden[layer * b + i] = zi * mainParams[w + b + i] + zg * mainParams[w + 3 * b + i];
        const dx = zf * mainParams[w + i] + zo * mainParams[w + 2 * b + i];
        if (layer > 0) dHidden[(layer - 1) * b + i] += dx;
        else dExtra[i] += dx * sequence[t * b + i];
      }
    }
  }
  return [dMain, dExtra];
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
