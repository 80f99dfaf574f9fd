// Manifold flows are certified on the Riemannian Hessian in intrinsic tangent coordinates: for the
// Rayleigh quotient f(x) = −½xᵀSx on S^{n−1} the Hessian at the top eigenvector v₁ is
// (λ₁I − S) restricted to v₁^⊥, whose eigenvalues are λ₁ − λ_k (k ≥ 2): γ must be the top gap.
import { DTYPES, type Dtype, compileFlow, defaultRegistry, defineFlow, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { manifoldsPlugin } from "@cflow/manifolds";
import { describe, expect, it } from "vitest";

/** S = Σ λ_k e_k e_kᵀ in a rotated basis (a Householder reflection of the identity). */
function spectrumMatrix(lambdas: number[]): Float64Array {
  const n = lambdas.length;
  const u = Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + 0.2));
  const nu = Math.hypot(...u);
  const H = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / (nu * nu);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) S[i * n + j] += H(i, k) * lambdas[k] * H(j, k);
  return S;
}

describe.each(DTYPES)("certificates of a manifold flow (%s)", (dtype: Dtype) => {
  it("the sphere's Rayleigh quotient certifies on the n − 1 tangent coordinates with a proven γ ≤ λ₁ − λ₂ within 10% of it", async () => {
    const n = 12;
    // a dominant, well-separated top eigenvalue and a diagonally dominant tangent Hessian
    const lambdas = Array.from({ length: n }, (_, k) => (k === 0 ? 10 : 1 + 0.1 * k));
    const S = spectrumMatrix(lambdas);
    const registry = defaultRegistry();
    registry.use(manifoldsPlugin);
    const spec = defineFlow(({ dtype: dt }) => ({
      dtype: dt,
      state: { x: { shape: [n], manifold: "sphere", init: Array.from({ length: n }, (_, i) => 1 + 0.1 * i) } },
      data: { Q: dt === "float64" ? S.map((v) => -v) : Float32Array.from(S, (v) => -v) },
      ops: { Q: { type: "dense", matrix: "Q", rows: n, cols: n } },
      terms: [{ kind: "data" as const, atom: "quadraticForm", op: "Q" }],
      policies: { flow: { family: "gradient" }, budgets: { maxIters: 400, tol: 0, rtol: 0 }, certification: { every: 100 } },
    }));
    const { compiled } = compileFlow(spec, { dtype, registry });
    const r = await runCertified(compiled, { certify: fda() });
    expect(r.phase).toBe("GREEN");
    expect(r.status).toBe("FINISHED");
    const last = r.certificates[r.certificates.length - 1].certificate;
    expect(last.size).toBe(n - 1);
    // γ is a proven lower bound of the tangent Hessian's λ_min = λ₁ − λ₂ from the first route that
    // decides the gate (here Gershgorin on the 11 × 11 matrix, within 10%): never above the gap
    // (the converged state's chart Hessian; float32: up to its convergence), and far from the
    // ambient Hessian's 0 along x
    const gap = lambdas[0] - Math.max(...lambdas.slice(1));
    expect(last.gamma).toBeLessThanOrEqual(gap * (1 + (dtype === "float64" ? 1e-9 : 2e-2)));
    expect(last.gamma).toBeGreaterThan(0.9 * gap);
    expect(last.failureProbability).toBe(0);
    compiled.dispose();
  });
});
