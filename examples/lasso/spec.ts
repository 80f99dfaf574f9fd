// Sparse regression with a dense random matrix (docs/design.md §7, reference problem 3):
//   E(x) = ½‖A x − y‖² + λ‖x‖₁,   A: rows × cols Gaussian, columns of unit expected norm,
// y = A x_true + noise with x_true k-sparse.
import { defineFlow, normal, readFlowParams, rngKey, split, uniform } from "@cflow/core";

export const PARAMS = {
  rows: { type: "integer", description: "measurements m (rows of A)", default: 1000, min: 2 },
  cols: { type: "integer", description: "unknowns n (columns of A)", default: 5000, min: 2 },
  k: { type: "integer", description: "non-zeros of the true x", default: 10, min: 1 },
  noise: { type: "number", description: "noise standard deviation", default: 0.01, min: 0 },
  lambda: { type: "number", description: "initial λ", default: 0.05, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of A, x_true and the noise", default: 7, min: 0 },
} as const;

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const { rows: m, cols: n } = p;
  const [keyA, keyX, keyNoise] = split(rngKey(p.dataSeed), 3);
  const A = normal(keyA, m * n, dtype);
  for (let i = 0; i < A.length; i++) A[i] /= Math.sqrt(m);
  // k distinct support indices, signs ±, magnitudes in [1, 2)
  const truth = new Float64Array(n);
  const draws = uniform(keyX, 4 * p.k + 8, "float64");
  for (let j = 0, d = 0; j < Math.min(p.k, n) && d + 1 < draws.length; d += 2) {
    const i = Math.floor(draws[d] * n);
    if (truth[i] !== 0) continue;
    truth[i] = (draws[d + 1] < 0.5 ? -1 : 1) * (1 + draws[d + 1]);
    j++;
  }
  const y = dtype === "float64" ? new Float64Array(m) : new Float32Array(m);
  const e = normal(keyNoise, m, "float64");
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) if (truth[c] !== 0) s += A[r * n + c] * truth[c];
    y[r] = s + p.noise * e[r];
  }
  return {
    name: "lasso",
    description: `Lasso: ${m}×${n} Gaussian matrix, ${p.k}-sparse truth, noise ${p.noise}.`,
    dtype,
    seed,
    state: { x: { shape: [n] } },
    data: { A, y },
    // y are random measurements, not a smooth signal: a wavelet-band estimate of their noise level
    // would read the signal as noise, so the spec states σ (the tuner's discrepancy target uses it)
    ...(p.noise > 0 ? { noise: { y: { sigma: p.noise } } } : {}),
    ops: { A: { type: "dense", matrix: "A", rows: m, cols: n } },
    terms: [
      { kind: "data", atom: "leastSquares", op: "A", target: "y" },
      { kind: "regularizer", atom: "l1", weight: p.lambda },
    ],
    policies: { flow: { family: "accelerated", restart: "function" }, budgets: { maxIters: 500 } },
  };
});
