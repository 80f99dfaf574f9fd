import { normal, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import type { SymmetricOperator } from "@cflow/core/linalg";
import { estimateLipschitz, lanczos } from "../src/index.js";
import { axpy, dot, norm2, scale } from "../src/vector.js";
import { tridiagonalEigen } from "@cflow/core/linalg";
import { denseLApply, jacobiEigenvalues, type Mat, withSpectrum } from "./helpers.js";
import { expectScalarClose, logspace, mulberry32 } from "@cflow/test-kit";

function op(m: Mat): SymmetricOperator {
  return {
    size: m.rows,
    apply(v, out) {
      for (let i = 0; i < m.rows; i++) {
        let s = 0;
        for (let j = 0; j < m.cols; j++) s += m.a[i * m.cols + j] * v[j];
        out[i] = s;
      }
    },
  };
}

describe("lanczos (full reorthogonalisation)", () => {
  it.each([
    ["well-conditioned SPD", logspace(0.1, 10, 90)],
    ["near-singular SPD (λ_min = 1e-6 λ_max)", logspace(1e-6, 1, 90)],
    // Relative accuracy 1e-8 of λ_min needs λ_min/λ_max ≳ 1e-6: matvecs in float64 carry ~ε‖A‖ absolute error.
    ["near-singular with a cluster at the bottom", Float64Array.from({ length: 90 }, (_, i) => (i < 10 ? 1e-6 * (1 + i * 1e-3) : 0.01 + i / 90))],
    ["indefinite", Float64Array.from({ length: 90 }, (_, i) => -1 + (2 * i) / 89 + 0.013)],
  ])("finds λ_min and λ_max of a %s operator within 1e-8 relative", (_, eigs) => {
    const m = withSpectrum(eigs, mulberry32(eigs.length + Math.round(eigs[0] * 1e9)));
    const truth = jacobiEigenvalues(m);
    const r = lanczos(op(m), { key: rngKey(3) });
    expect(r.converged).toBe(true);
    expectScalarClose(r.min, truth[0], 1e-8);
    expectScalarClose(r.max, truth[truth.length - 1], 1e-8);
    expect(r.iterations).toBeLessThanOrEqual(90);
    expect(r.applications).toBe(r.iterations);
  });

  it("Ritz values bound the spectrum from inside at every stage (θ_min ≥ λ_min, θ_max ≤ λ_max)", () => {
    const eigs = logspace(1e-3, 1, 200);
    const m = withSpectrum(eigs, mulberry32(5));
    for (const k of [2, 5, 10, 20]) {
      const r = lanczos(op(m), { key: rngKey(k), maxIter: k });
      expect(r.iterations).toBe(k);
      expect(r.converged).toBe(false);
      expect(r.min).toBeGreaterThanOrEqual(1e-3 * (1 - 1e-12));
      expect(r.max).toBeLessThanOrEqual(1 + 1e-12);
      // the residual bound holds: some eigenvalue lies within it
      const nearest = Math.min(...Array.from(eigs, (e) => Math.abs(e - r.min)));
      expect(nearest).toBeLessThanOrEqual(r.minResidual * (1 + 1e-9));
    }
  });

  it("stops as soon as the gate λ_min ≥ g is decided, either way", () => {
    const m = withSpectrum(logspace(1e-9, 1, 120), mulberry32(9));
    const below = lanczos(op(m), { key: rngKey(1), gate: 1e-2 });
    expect(below.decided).toBe("below");
    expect(below.min).toBeLessThan(1e-2);
    expect(below.min).toBeGreaterThanOrEqual(1e-9 * (1 - 1e-9));
    expect(below.iterations).toBeLessThan(120);
    const spread = withSpectrum(logspace(0.05, 1, 300), mulberry32(10));
    const above = lanczos(op(spread), { key: rngKey(1), gate: 1e-3 });
    expect(above.decided).toBe("above");
    expect(above.converged).toBe(false);
    expect(above.lowerBound).toBeGreaterThanOrEqual(1e-3);
    expect(above.lowerBound).toBeLessThanOrEqual(0.05);
    // at every stage the probabilistic bound stays below λ_min = 0.05, while θ_min − residual
    // does not (before convergence the eigenvalue within the residual need not be the smallest)
    let residualMisses = 0;
    for (const k of [1, 2, 4, 8, 16, 32, 64]) {
      const r = lanczos(op(spread), { key: rngKey(1), maxIter: k });
      expect(r.lowerBound).toBeLessThanOrEqual(0.05);
      if (r.min - r.minResidual > 0.05) residualMisses++;
    }
    expect(residualMisses).toBeGreaterThan(0);
    expect(lanczos(op(spread), { key: rngKey(1) }).iterations).toBeGreaterThan(above.iterations);
  });

  it("caps the Krylov dimension by the basis memory budget and says why when none fits", () => {
    const m = withSpectrum(logspace(0.5, 1, 50), mulberry32(2));
    const r = lanczos(op(m), { key: rngKey(1), basisBudgetBytes: 8 * 50 * 7 });
    expect(() => lanczos(op(m), { key: rngKey(1), confidence: 1 })).toThrow(/confidence must lie in \(0, 1\), found 1/);
    expect(r.maxIterAllowed).toBe(7);
    expect(r.iterations).toBeLessThanOrEqual(7);
    expect(() => lanczos(op(m), { key: rngKey(1), basisBudgetBytes: 100 })).toThrow(/cannot hold one vector of 50 float64/);
  });

  it("is deterministic in the key", () => {
    const m = withSpectrum(logspace(0.01, 1, 60), mulberry32(4));
    const a = lanczos(op(m), { key: rngKey(8), maxIter: 12 });
    const b = lanczos(op(m), { key: rngKey(8), maxIter: 12 });
    expect(a.min).toBe(b.min);
    expect(lanczos(op(m), { key: rngKey(9), maxIter: 12 }).min).not.toBe(a.min);
  });
});

describe("estimateLipschitz", () => {
  it.each(["float64", "float32"] as const)("estimateLipschitz gives β of an x-space L_apply (%s)", (dtype) => {
    const eigs = logspace(1e-3, 2, 60);
    eigs[59] = 4;
    const m = withSpectrum(eigs, mulberry32(13));
    const r = estimateLipschitz(denseLApply(m), { n: 60, dtype, key: rngKey(2), tol: dtype === "float64" ? 1e-10 : 1e-5, maxIter: 500 });
    expect(r.converged).toBe(true);
    expectScalarClose(r.beta, 4, dtype === "float64" ? 1e-12 : 1e-5);
  });
});

describe("lanczos's reorthogonalisation in the kernel", () => {
  // the loop the kernel's gramSchmidtPass replaces (packages/core/assembly/krylov.ts), with the whole
  // iteration around it: its Ritz values must come out with the same bits
  function reference(o: SymmetricOperator, q0: Float64Array, steps: number): { alpha: number[]; beta: number[] } {
    const n = o.size;
    const basis = [q0];
    const alpha: number[] = [];
    const beta: number[] = [];
    const w = new Float64Array(n);
    for (let j = 0; j < steps; j++) {
      o.apply(basis[j], w);
      let a = dot(n, basis[j], w);
      axpy(n, -a, basis[j], w);
      if (j > 0) axpy(n, -beta[j - 1], basis[j - 1], w);
      let before = norm2(n, w);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i <= j; i++) {
          const c = dot(n, basis[i], w);
          axpy(n, -c, basis[i], w);
          if (i === j) a += c;
        }
        const after = norm2(n, w);
        if (after > 0.7 * before) break;
        before = after;
      }
      alpha.push(a);
      const b = norm2(n, w);
      basis.push(Float64Array.from(w, (x) => x / b));
      beta.push(b);
    }
    return { alpha, beta };
  }

  it.each([[7, 7], [50, 20], [203, 30]])("n = %i, %i steps: the extreme Ritz values of the plain JS loop, bit for bit", (n, steps) => {
    const m = withSpectrum(logspace(1e-4, 1, n), mulberry32(n));
    const key = rngKey(9);
    const q0 = Float64Array.from(normal(key, n, "float64"));
    scale(n, 1 / norm2(n, q0), q0);
    const { alpha, beta } = reference(op(m), q0, steps);
    // the extreme eigenvalues of T_steps from the reference coefficients (stopping rules off: tol 0, no gate)
    const d = Float64Array.from(alpha);
    const e = new Float64Array(steps);
    for (let i = 0; i < steps - 1; i++) e[i] = beta[i];
    tridiagonalEigen(d, e, new Float64Array(steps));
    const r = lanczos(op(m), { key, maxIter: steps, tol: 0, absTol: 0 });
    expect(r.iterations).toBe(steps);
    expect(r.min).toBe(Math.min(...d));
    expect(r.max).toBe(Math.max(...d));
  });
});
