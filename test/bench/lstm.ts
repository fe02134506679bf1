// The ADBench LSTM objective (microsoft/ADBench src/cpp/shared/lstm.h): a character model of
// stacked LSTM layers with diagonal weights, written as a TypeScript user would — plain loops
// over Float64Array, helpers for the sigmoid and the log-sum-exp, scratch arrays for the
// gates, and the state copied once and then overwritten step by step, as the reference does.

/**
 * The logistic function 1 / (1 + e^−x).
 * @differentiable
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * log(Σ exp(yᵢ) + 2): the reference's `logsumexp` for this model, unshifted, with its + 2.
 * @differentiable
 */
export function lstmLogsumexp(y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.exp(y[i]);
  return Math.log(sum + 2);
}

/**
 * The mean negative log-likelihood of each next character of `sequence` under the model.
 *
 * Sizes: hidden size b = extraParams.length / 3, layers = state.length / 2b, c characters
 * (sequence: c one-hot rows of b). mainParams holds, per layer, the diagonal weights of the
 * forget, input, output and change gates (4b), then their biases (4b); extraParams the
 * input weights, output weights and output biases (b each); state, per layer, the hidden
 * state (b) then the cell state (b).
 * @differentiable
 */
export function lstmObjective(
  mainParams: Float64Array,
  extraParams: Float64Array,
  state: Float64Array,
  sequence: Float64Array,
): number {
  const b = extraParams.length / 3;
  const layers = state.length / (2 * b);
  const c = sequence.length / b;
  const s = new Float64Array(state);
  const input = new Float64Array(b);
  const forget = new Float64Array(b);
  const ingate = new Float64Array(b);
  const outgate = new Float64Array(b);
  const change = new Float64Array(b);
  const ypred = new Float64Array(b);
  let total = 0;
  let count = 0;
  for (let t = 0; t < c - 1; t++) {
    // lstm_predict: the character, weighted, goes through the layers in turn
    for (let i = 0; i < b; i++) input[i] = sequence[t * b + i] * extraParams[i];
    for (let layer = 0; layer < layers; layer++) {
      const w = layer * 8 * b; // the layer's weights; its biases follow at w + 4b
      const h = layer * 2 * b; // its hidden state in s; its cell state follows at h + b
      for (let i = 0; i < b; i++) {
        forget[i] = sigmoid(input[i] * mainParams[w + i] + mainParams[w + 4 * b + i]);
        ingate[i] = sigmoid(s[h + i] * mainParams[w + b + i] + mainParams[w + 5 * b + i]);
        outgate[i] = sigmoid(input[i] * mainParams[w + 2 * b + i] + mainParams[w + 6 * b + i]);
        change[i] = Math.tanh(s[h + i] * mainParams[w + 3 * b + i] + mainParams[w + 7 * b + i]);
      }
      for (let i = 0; i < b; i++) s[h + b + i] = s[h + b + i] * forget[i] + ingate[i] * change[i];
      for (let i = 0; i < b; i++) s[h + i] = outgate[i] * Math.tanh(s[h + b + i]);
      // the next layer reads this layer's new hidden state
      for (let i = 0; i < b; i++) input[i] = s[h + i];
    }
    for (let i = 0; i < b; i++) ypred[i] = input[i] * extraParams[b + i] + extraParams[2 * b + i];
    const lse = lstmLogsumexp(ypred);
    for (let i = 0; i < b; i++) total += sequence[(t + 1) * b + i] * (ypred[i] - lse);
    count += b;
  }
  return -total / count;
}

/** Argument lists at which the gradients are checked (one layer of hidden size 2, 3 characters). */
export const points = {
  sigmoid: [[0.4], [-2.5]],
  lstmLogsumexp: [[new Float64Array([0.3, -1.2, 2.1])]],
  lstmObjective: [
    [
      new Float64Array([0.5, -0.3, 0.8, 0.1, -0.6, 0.4, 0.2, -0.9, 0.1, 0.3, -0.2, 0.5, -0.4, 0.7, 0.05, -0.1]),
      new Float64Array([0.9, -0.7, 0.6, 0.4, -0.2, 0.3]),
      new Float64Array([0.2, -0.5, 0.1, 0.6]),
      new Float64Array([1, 0, 0, 1, 1, 0]),
    ],
  ],
};
