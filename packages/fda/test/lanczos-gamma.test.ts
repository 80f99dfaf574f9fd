// The probabilistic γ routes: the Kuczyński–Woźniakowski bound with a proven σ, and the
// block-Jacobi congruence. On matrices of known spectrum (n = 400, more than the Lanczos steps, so
// the bounds are the probabilistic ones), over many random starts: never above λ_min, with the
// failure probability stated; the congruence route proves a shift close to λ_min of an
// ill-conditioned operator whose near-null vectors are local, where plain KW proves nothing.
import { rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { congruenceGamma, csrFromDense, kwLowerBound, lambdaMaxUpper, lanczosGamma, type RestrictedMatrix } from "../src/index.js";
import { jacobiEigenvalues, mat, withSpectrum } from "./helpers.js";
import { logspace, mulberry32 } from "@cflow/test-kit";

function restricted(a: Float64Array, n: number, coords?: Float64Array): RestrictedMatrix {
  return {
    active: Int32Array.from({ length: n }, (_, i) => i),
    matrix: csrFromDense(a, n),
    perturbation: 0,
    rowPerturbation: 0,
    parts: { dropped: 0, rounding: 0 },
    source: "exact rows",
    ms: 0,
    ...(coords ? { coordinates: coords, dims: 1 } : {}),
  };
}

describe("KW bound", () => {
  it("is the published formula and tightens with the steps", () => {
    const n = 1000;
    const root = Math.log((1.648 * Math.sqrt(n)) / 1e-6) / 199;
    expect(kwLowerBound(0.1, 1, n, 100, 1e-6)).toBeCloseTo(1 - 0.9 / (1 - root * root), 14);
    expect(kwLowerBound(0.1, 1, n, 200, 1e-6)).toBeGreaterThan(kwLowerBound(0.1, 1, n, 100, 1e-6));
    expect(kwLowerBound(0.1, 1, n, 2, 1e-6)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("lanczos γ with a stated failure probability", () => {
  it("never exceeds λ_min over 20 random starts, and says how likely it is to", () => {
    const n = 400;
    const m = withSpectrum(logspace(0.05, 1, n), mulberry32(8));
    const R = restricted(m.a, n);
    // Gershgorin's σ of a dense matrix is loose; the spectrum's own top (1, to rounding) is a tighter proven σ here
    expect(lambdaMaxUpper(R)).toBeGreaterThanOrEqual(1 - 1e-12);
    let best = Number.NEGATIVE_INFINITY;
    for (let k = 1; k <= 20; k++) {
      const sigma = k % 2 ? 1 + 1e-9 : lambdaMaxUpper(R);
      const c = lanczosGamma(R, { key: rngKey(k), sigma, steps: 120 });
      expect(c.gamma).toBeLessThanOrEqual(0.05);
      expect(c.failureProbability).toBe(1e-6);
      expect(c.statement).toMatch(/with probability ≥ 0.999999/);
      best = Math.max(best, c.gamma);
    }
    expect(best).toBeGreaterThan(0.01);
  });
});

describe("congruence γ", () => {
  // a chain of local 4×4 blocks, each nearly singular, weakly coupled to its neighbours: λ_min ~ 1e-6, κ ~ 1e6
  const nb = 100;
  const n = 4 * nb;
  const a = mat(n, n);
  const rand = mulberry32(9);
  for (let b = 0; b < nb; b++) {
    const eig = [1e-6 * (1 + rand()), 0.3, 0.6, 1];
    const blk = withSpectrum(eig, rand);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) a.a[(4 * b + i) * n + 4 * b + j] = blk.a[i * 4 + j];
  }
  for (let b = 0; b + 1 < nb; b++) {
    // couple the stiff parts of neighbouring blocks (a PSD rank-one term keeps A PSD)
    const i = 4 * b + 3;
    const j = 4 * b + 4 + 3;
    const c = 0.05;
    a.a[i * n + i] += c;
    a.a[j * n + j] += c;
    a.a[i * n + j] -= c;
    a.a[j * n + i] -= c;
  }
  const lmin = jacobiEigenvalues(a)[0];
  const coords = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 4) * 10 + 1);

  it("proves a shift near λ_min (probability stated) where KW on the whole operator cannot", () => {
    const R = restricted(a.a, n, coords);
    for (let k = 1; k <= 5; k++) {
      const c = congruenceGamma(R, { key: rngKey(k), theta: lmin * 1.01, steps: 150 });
      expect(c.gamma).toBeLessThanOrEqual(lmin);
      expect(c.gamma).toBeGreaterThanOrEqual(0.4 * lmin);
      expect(c.failureProbability).toBe(1e-6);
    }
    const plain = lanczosGamma(R, { key: rngKey(1), sigma: lambdaMaxUpper(R), steps: 150 });
    expect(plain.gamma).toBeLessThan(0);
  });

  it("proves nothing at shifts above λ_min", () => {
    const R = restricted(a.a, n, coords);
    const c = congruenceGamma(R, { key: rngKey(3), shifts: [lmin * 1.2, lmin * 1.05], steps: 150 });
    expect(c.gamma).toBe(Number.NEGATIVE_INFINITY);
  });
});
