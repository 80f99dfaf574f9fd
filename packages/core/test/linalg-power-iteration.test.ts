// Power iteration (linalg/power-iteration.ts) against prescribed spectra: λ_max approached from
// below, within the stopping rule's tolerance.
import { expectScalarClose, logspace, matrixWithSpectrum, mulberry32 } from "@cflow/test-kit";
import { describe, expect, it } from "vitest";
import { type SymmetricOperator, powerIteration } from "../src/linalg/power-iteration.js";
import { rngKey } from "../src/rng.js";

function dense(a: Float64Array, n: number): SymmetricOperator {
  return {
    size: n,
    apply(v, out) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
        out[i] = s;
      }
    },
  };
}

describe("powerIteration", () => {
  it("estimates β = λ_max of an SPD operator from below, within its tolerance", () => {
    const eigs = logspace(1e-4, 3, 80);
    eigs[79] = 6; // a clear gap at the top
    const m = matrixWithSpectrum(eigs, mulberry32(12));
    const r = powerIteration(dense(m, 80), { key: rngKey(4), tol: 1e-9, maxIter: 500 });
    expect(r.converged).toBe(true);
    expect(r.lambda).toBeLessThanOrEqual(6 * (1 + 1e-12));
    expectScalarClose(r.lambda, 6, 1e-12);
    expect(r.applications).toBe(r.iterations);
  });

  it("stops by the Rayleigh rule at the same λ within its tolerance, in fewer iterations", () => {
    const eigs = logspace(1e-2, 3, 60);
    eigs[59] = 4;
    const m = matrixWithSpectrum(eigs, mulberry32(14));
    const byResidual = powerIteration(dense(m, 60), { key: rngKey(5), tol: 1e-8, maxIter: 2000 });
    const byRayleigh = powerIteration(dense(m, 60), { key: rngKey(5), tol: 1e-8, maxIter: 2000, stop: "rayleigh" });
    expect(byResidual.converged && byRayleigh.converged).toBe(true);
    expect(byRayleigh.iterations).toBeLessThan(byResidual.iterations);
    expectScalarClose(byRayleigh.lambda, 4, 1e-7);
    expect(byRayleigh.lambda).toBeLessThanOrEqual(4 * (1 + 1e-12));
  });

  it("returns 0 for the zero operator and refuses an empty one", () => {
    const zero: SymmetricOperator = { size: 5, apply: (_v, out) => out.fill(0) };
    const r = powerIteration(zero, { key: rngKey(1) });
    expect([r.lambda, r.converged, r.iterations]).toEqual([0, true, 1]);
    expect(() => powerIteration({ size: 0, apply: () => {} }, { key: rngKey(1) })).toThrow(/size 0/);
  });
});
