/**
 * The gradient of the ADBench GMM objective (`gmmObjective`, fixtures/functions/gmm.ts) with
 * respect to alphas, means and icf, written by hand in reverse mode from the math.
 *
 * Input: the objective's arguments. Output: [∂/∂alphas, ∂/∂means, ∂/∂icf], new arrays.
 * Invariant: no tape; what the reverse pass of a point needs (Q_k(x_i − μ_k) for every
 * component, and the components' softmax weights) is kept in scratch arrays of size k·d,
 * reused from point to point, so memory does not grow with n.
 *
 * The math, per point i and component k, with x_c = x_i − μ_k, y = Q_k x_c,
 * Q_k = diag(e^q_k) + L_k (strictly lower) and w_ik = softmax_k(main_i·):
 *   main_ik = α_k + Σ_j q_kj − ½‖y‖²,   ∂err/∂main_ik = w_ik,   ∂main_ik/∂y = −y,
 *   so ∂/∂(e^q_kj) += −w y_j x_cj,  ∂/∂L_k,ji += −w y_j x_ci,  ∂/∂μ_k += w Q_kᵀ y.
 * Then −n·logsumexp(α) gives −n·softmax(α), and the Wishart prior ½γ²‖Q_k‖²_F − m Σ_j q_kj
 * gives γ² e^q_kj (w.r.t. the diagonal), γ² L_k,ji, and −m per log-diagonal entry.
 */
export function gmmObjectiveHand(
  alphas: Float64Array,
  means: Float64Array,
  icf: Float64Array,
  x: Float64Array,
  wishartGamma: number,
  wishartM: number,
): [Float64Array, Float64Array, Float64Array] {
  const k = alphas.length;
  const d = means.length / k;
  const n = x.length / d;
  const icfSize = (d * (d + 1)) / 2;
  const dAlphas = new Float64Array(k);
  const dMeans = new Float64Array(k * d);
  // The diagonal slots of dIcf first gather ∂/∂(e^q), and are turned into ∂/∂q at the end.
  const dIcf = new Float64Array(k * icfSize);

  const qDiags = new Float64Array(k * d);
  const sumQs = new Float64Array(k);
  for (let ik = 0; ik < k; ik++) {
    let sum = 0;
    for (let id = 0; id < d; id++) {
      const q = icf[ik * icfSize + id];
      sum += q;
      qDiags[ik * d + id] = Math.exp(q);
    }
    sumQs[ik] = sum;
  }

  const y = new Float64Array(k * d); // Q_k(x_i − μ_k) of the current point, per component
  const weights = new Float64Array(k); // its main terms, then their softmax
  for (let ix = 0; ix < n; ix++) {
    const xi = ix * d;
    let largest = -Infinity;
    for (let ik = 0; ik < k; ik++) {
      const row = ik * d;
      for (let id = 0; id < d; id++) y[row + id] = qDiags[row + id] * (x[xi + id] - means[row + id]);
      // The strictly lower part, column by column; y_i is complete when column i begins.
      let sqnorm = 0;
      let l = ik * icfSize + d;
      for (let i = 0; i < d; i++) {
        const xc = x[xi + i] - means[row + i];
        for (let j = i + 1; j < d; j++) y[row + j] += icf[l++] * xc;
        sqnorm += y[row + i] * y[row + i];
      }
      const term = alphas[ik] + sumQs[ik] - 0.5 * sqnorm;
      weights[ik] = term;
      if (term > largest) largest = term;
    }
    let sum = 0;
    for (let ik = 0; ik < k; ik++) {
      const e = Math.exp(weights[ik] - largest);
      weights[ik] = e;
      sum += e;
    }

    for (let ik = 0; ik < k; ik++) {
      const w = weights[ik] / sum;
      dAlphas[ik] += w; // also ∂/∂(Σ_j q_kj), added to each log-diagonal entry at the end
      const row = ik * d;
      const diag = ik * icfSize;
      let l = diag + d;
      for (let i = 0; i < d; i++) {
        const wxc = w * (x[xi + i] - means[row + i]);
        // (Q_kᵀ y)_i, accumulated while the same column of L_k is read
        let qty = qDiags[row + i] * y[row + i];
        dIcf[diag + i] -= y[row + i] * wxc;
        for (let j = i + 1; j < d; j++) {
          dIcf[l] -= y[row + j] * wxc;
          qty += icf[l] * y[row + j];
          l++;
        }
        dMeans[row + i] += w * qty;
      }
    }
  }

  // −n·logsumexp(α)
  let largestAlpha = -Infinity;
  for (let ik = 0; ik < k; ik++) largestAlpha = Math.max(largestAlpha, alphas[ik]);
  let sumAlpha = 0;
  for (let ik = 0; ik < k; ik++) sumAlpha += Math.exp(alphas[ik] - largestAlpha);

  const gamma2 = wishartGamma * wishartGamma;
  for (let ik = 0; ik < k; ik++) {
    const dSumQ = dAlphas[ik] - wishartM;
    dAlphas[ik] -= (n * Math.exp(alphas[ik] - largestAlpha)) / sumAlpha;
    const diag = ik * icfSize;
    for (let id = 0; id < d; id++) {
      const e = qDiags[ik * d + id];
      dIcf[diag + id] = (dIcf[diag + id] + gamma2 * e) * e + dSumQ;
    }
    for (let i = diag + d; i < diag + icfSize; i++) dIcf[i] += gamma2 * icf[i];
  }
  return [dAlphas, dMeans, dIcf];
}
