// The sparse Cholesky behind the inertia route: the factorisation completes exactly when A − sI is
// positive definite (shifts just below and just above λ_min of matrices with known spectra), its
// computed factor meets the backward-error bound the certificate subtracts
// (‖R̃ᵀR̃ − A‖₂ ≤ γ_{k+1}/(1 − γ_{k+1})·tr A, and entrywise |ΔA| ≤ γ_{k+1}|R̃ᵀ||R̃|, with the
// product formed in double-double), nested dissection keeps a banded operator's fill small, and the
// folded chain keeps a ring's (a periodised 1D signal's atoms) within a band where nested
// dissection and the sorted order do not, the inertia γ on it staying below the dense λ_min.
import { describe, expect, it } from "vitest";
import { csrFromDense, foldedChain, gammaN, inertiaGamma, nestedDissection, type RestrictedMatrix, sparseCholesky } from "../src/index.js";
import { bandedMatrix, jacobiEigenvalues, withSpectrum } from "./helpers.js";
import { logspace, mulberry32 } from "@cflow/test-kit";

function restricted(a: Float64Array, n: number): RestrictedMatrix {
  return { active: Int32Array.from({ length: n }, (_, i) => i), matrix: csrFromDense(a, n), perturbation: 0, rowPerturbation: 0, parts: { dropped: 0, rounding: 0 }, source: "exact rows", ms: 0 };
}

/** (R̃ R̃ᵀ)_ij − A_ij in double-double for a lower factor (row-major), the exact residual to ~1e-32. */
function residual(f: Float64Array, a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const split = (x: number) => {
    const c = 134217729 * x;
    const h = c - (c - x);
    return [h, x - h];
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let hi = -a[i * n + j];
      let lo = 0;
      for (let k = 0; k <= j; k++) {
        const x = f[i * n + k];
        const y = f[j * n + k];
        const p = x * y;
        const [xh, xl] = split(x);
        const [yh, yl] = split(y);
        const pe = xh * yh - p + xh * yl + xl * yh + xl * yl;
        const s = hi + p;
        const bb = s - hi;
        lo += hi - (s - bb) + (p - bb) + pe;
        hi = s;
      }
      out[i * n + j] = out[j * n + i] = hi + lo;
    }
  }
  return out;
}

describe("sparse Cholesky and the inertia route", () => {
  it("completes iff A − sI is positive definite", () => {
    for (const [lo, seed] of [
      [1e-3, 1],
      [1e-8, 2],
    ] as const) {
      const n = 90;
      const eigs = logspace(lo, 1, n);
      const m = withSpectrum(eigs, mulberry32(seed));
      const a = csrFromDense(m.a, n);
      const perm = nestedDissection(a);
      expect(sparseCholesky(a, lo * 0.99, perm, { tile: 16 }).ok).toBe(true);
      const above = sparseCholesky(a, lo * 1.01 + 1e-12, perm, { tile: 16 });
      expect(above.ok).toBe(false);
      expect(above.failedAt).toBeGreaterThanOrEqual(0);
    }
  });

  it("meets its backward-error bound, normwise and entrywise (an ill-conditioned matrix, tiles of several sizes)", () => {
    const n = 70;
    const m = withSpectrum(logspace(1e-10, 1, n), mulberry32(3));
    const a = csrFromDense(m.a, n);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (const tile of [1, 7, 32, 70]) {
      const c = sparseCholesky(a, 0, perm, { tile, keepFactor: true });
      expect(c.ok).toBe(true);
      const f = c.factor!;
      const d = residual(f, m.a, n);
      const g = gammaN(c.longestInnerProduct + 1, 2 ** -53);
      // entrywise: |ΔA_ij| ≤ γ_{k+1} Σ_k |R_ki||R_kj|
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += Math.abs(f[i * n + k] * f[j * n + k]);
          expect(Math.abs(d[i * n + j])).toBeLessThanOrEqual(g * s * (1 + 1e-12));
        }
      }
      // normwise: ‖ΔA‖₂ ≤ γ/(1 − γ)·tr A
      const ev = jacobiEigenvalues({ rows: n, cols: n, a: d });
      const norm = Math.max(Math.abs(ev[0]), Math.abs(ev[n - 1]));
      expect(norm).toBeLessThanOrEqual((g / (1 - g)) * c.trace);
      expect(norm).toBeGreaterThan(0);
    }
  });

  it("certifies γ ≤ λ_min, close to it, and proves nothing above it", () => {
    const n = 120;
    const lmin = 2e-5;
    const m = withSpectrum(logspace(lmin, 1, n), mulberry32(4));
    const R = restricted(m.a, n);
    const cert = inertiaGamma(R, { theta: lmin * 1.05 });
    expect(cert.gamma).toBeLessThanOrEqual(lmin);
    expect(cert.gamma).toBeGreaterThan(0.4 * lmin);
    expect(cert.failureProbability).toBe(0);
    expect(cert.margins.backward).toBeGreaterThan(0);
    const none = inertiaGamma(R, { shifts: [lmin * 1.5, lmin * 1.1] });
    expect(none.gamma).toBe(Number.NEGATIVE_INFINITY);
    expect(none.statement).toMatch(/nothing proven/);
  });

  it("nested dissection keeps the fill of a banded operator near its band", () => {
    const n = 2000;
    const m = bandedMatrix(n, 4, 10, mulberry32(5));
    const a = csrFromDense(m.a, n);
    const coords = Float64Array.from({ length: n }, (_, i) => i);
    const nd = sparseCholesky(a, 0, nestedDissection(a, { coordinates: coords, dims: 1 }), { tile: 16 });
    const graph = sparseCholesky(a, 0, nestedDissection(a), { tile: 16 });
    for (const c of [nd, graph]) {
      expect(c.ok).toBe(true);
      expect(c.factorEntries).toBeLessThan(0.05 * n * n);
    }
  });

  it("the folded chain keeps a ring's factor in a band, and the inertia γ on it below the dense λ_min", () => {
    // a ring of n unknowns coupled to their w neighbours on either side (cyclically), listed in a
    // random order with their positions on the ring as coordinates
    const n = 256;
    const w = 4;
    const rand = mulberry32(8);
    const place = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [place[i], place[j]] = [place[j], place[i]];
    }
    const at = new Int32Array(n); // unknown at ring position p
    place.forEach((p, i) => (at[p] = i));
    const a = new Float64Array(n * n);
    for (let p = 0; p < n; p++) {
      for (let d = 1; d <= w; d++) {
        const v = -(0.1 + 0.3 * rand());
        const i = at[p];
        const j = at[(p + d) % n];
        a[i * n + j] = a[j * n + i] = v;
      }
    }
    for (let i = 0; i < n; i++) {
      let off = 0;
      for (let j = 0; j < n; j++) if (j !== i) off += Math.abs(a[i * n + j]);
      a[i * n + i] = off + 1e-3 + 1e-3 * rand();
    }
    const coords = Float64Array.from(place, (p) => p + 0.5);
    const csr = csrFromDense(a, n);
    const tile = 16;
    const folded = sparseCholesky(csr, 0, foldedChain(coords, n), { tile });
    const sorted = sparseCholesky(csr, 0, Int32Array.from({ length: n }, (_, k) => at[k]), { tile });
    const nd = sparseCholesky(csr, 0, nestedDissection(csr, { coordinates: coords, dims: 1 }), { tile });
    for (const c of [folded, sorted, nd]) expect(c.ok).toBe(true);
    // ring neighbours are at most 2w + 1 places apart in the folded order: two tiles per factor row
    expect(folded.longestInnerProduct).toBeLessThanOrEqual(2 * tile);
    expect(folded.factorEntries).toBeLessThanOrEqual(2 * Math.ceil(n / tile) * tile * tile);
    // the sorted order fills the rows next to the wrap-around entirely
    expect(sorted.longestInnerProduct).toBe(n);
    expect(folded.factorEntries).toBeLessThan(Math.min(sorted.factorEntries, nd.factorEntries));
    // the inertia route orders a 1D support by the folded chain; its γ is proven below λ_min
    const R: RestrictedMatrix = { ...restricted(a, n), coordinates: coords, dims: 1 };
    const lmin = jacobiEigenvalues({ rows: n, cols: n, a })[0];
    const cert = inertiaGamma(R, { theta: 1.2 * lmin, thetaFractions: [0.5], gammaMin: 1e-9 });
    expect(Array.from(cert.ordering)).toEqual(Array.from(foldedChain(coords, n)));
    expect(cert.gamma).toBeLessThanOrEqual(lmin);
    expect(cert.gamma).toBeGreaterThan(0.5 * lmin);
    expect(cert.detail.longestInnerProduct).toBeLessThanOrEqual(2 * 48);
  });
});
