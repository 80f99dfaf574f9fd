// The leading eigenvector of a symmetric matrix as Rayleigh-quotient minimisation on the sphere
// (docs/design.md §7, reference problem 4):
//   E(x) = ½ xᵀ(cI − A)x on S^{n−1} = { x : ‖x‖ = 1 },   c ≥ λ_max(A),
// whose minimiser is A's leading eigenvector. A = D + S: a spectrum D with a gap at the top and a
// small symmetric coupling S (a sample covariance with one dominant direction).
import { defineFlow, normal, readFlowParams, rngKey } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "dimension n", default: 200, min: 3 },
  gap: { type: "number", description: "gap between A's two largest diagonal entries", default: 0.5, min: 0, exclusiveMin: true },
  coupling: { type: "number", description: "size of the off-diagonal coupling", default: 0.02, min: 0 },
  dataSeed: { type: "integer", description: "seed of the coupling", default: 3, min: 0 },
} as const;

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const g = normal(rngKey(p.dataSeed), n * n, "float64");
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    A[i * n + i] = i === n - 1 ? 1 + p.gap : i / n;
    for (let j = 0; j < i; j++) {
      const v = (p.coupling / Math.sqrt(n)) * g[i * n + j];
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  // c = 1 + gap + the coupling's Gershgorin radius bounds λ_max(A): Q = cI − A is PSD
  const c = 1 + p.gap + p.coupling * Math.sqrt(n) * 4;
  const Q = dtype === "float64" ? new Float64Array(n * n) : new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) Q[i] = -A[i];
  for (let i = 0; i < n; i++) Q[i * n + i] += c;
  return {
    name: "sphere-eigen",
    description: `Leading eigenvector of a ${n}×${n} symmetric matrix (top gap ${p.gap}) by Riemannian gradient descent on the sphere.`,
    dtype,
    seed,
    state: { x: { shape: [n], manifold: "sphere", init: "random" } },
    data: { Q },
    ops: { Q: { type: "dense", matrix: "Q", rows: n, cols: n } },
    terms: [{ kind: "data", atom: "quadraticForm", op: "Q" }],
    policies: { flow: { family: "gradient" }, control: { validationIters: 50 }, budgets: { maxIters: 1000 } },
  };
});
