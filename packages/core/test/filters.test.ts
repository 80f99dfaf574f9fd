import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { WAVELET_NAMES, filterBank, waveletFilters } from "../src/transforms/filters.js";
import { expectArrayClose } from "./helpers.js";

// PyWavelets' table (pywt/_extensions/c/wavelets_coeffs.template.h) holds ~17 significant digits,
// but the coefficients themselves are accurate to ~1e-12 (e.g. Σ dec_lo² − 1 = 4.8e-12 for db3),
// so identities are checked to 2e-11 in float64; float32-rounded filters to a few float32 ulps.
const TOL = { float64: 2e-11, float32: 5e-7 };

describe.each(DTYPES)("wavelet filter banks satisfy the orthogonal-wavelet identities (%s)", (dtype) => {
  const tol = TOL[dtype];
  const round = (f: readonly number[]) => (dtype === "float64" ? Float64Array.from(f) : Float32Array.from(f));

  it.each([...WAVELET_NAMES])("%s", (name) => {
    const w = waveletFilters(name);
    const [lo, hi, rlo, rhi] = [w.decLo, w.decHi, w.recLo, w.recHi].map(round);
    const F = w.length;
    expect(F).toBe(2 * w.vanishingMoments);
    const sum = (f: ArrayLike<number>) => Array.from(f).reduce((s, v) => s + v, 0);
    const corr = (f: ArrayLike<number>, g: ArrayLike<number>, shift: number) => {
      let s = 0;
      for (let k = 0; k + shift < F; k++) s += f[k] * g[k + shift];
      return s;
    };
    // Σ lo = √2, Σ hi = 0
    expect(Math.abs(sum(lo) - Math.SQRT2)).toBeLessThan(tol);
    expect(Math.abs(sum(hi))).toBeLessThan(tol);
    // double-shift orthonormality: ⟨lo, lo(·+2m)⟩ = δ_m, same for hi, and lo ⟂ hi at every even shift
    for (let m = 0; 2 * m < F; m++) {
      expect(Math.abs(corr(lo, lo, 2 * m) - (m === 0 ? 1 : 0))).toBeLessThan(tol);
      expect(Math.abs(corr(hi, hi, 2 * m) - (m === 0 ? 1 : 0))).toBeLessThan(tol);
      expect(Math.abs(corr(lo, hi, 2 * m))).toBeLessThan(tol);
      expect(Math.abs(corr(hi, lo, 2 * m))).toBeLessThan(tol);
    }
    // vanishing moments of ψ: Σ_k k^p hi_k = 0 for p < N (relative to Σ_k |k^p hi_k|)
    for (let p = 0; p < w.vanishingMoments; p++) {
      let s = 0;
      let scale = 0;
      for (let k = 0; k < F; k++) {
        s += k ** p * hi[k];
        scale += Math.abs(k ** p * hi[k]);
      }
      expect(Math.abs(s) / scale).toBeLessThan(dtype === "float64" ? 1e-9 : 1e-5);
    }
    // …and not one more: the N-th moment does not vanish
    let sN = 0;
    for (let k = 0; k < F; k++) sN += k ** w.vanishingMoments * hi[k];
    expect(Math.abs(sN)).toBeGreaterThan(1e-3);
    // reconstruction filters are the time-reversed decomposition filters (orthogonal bank)
    expectArrayClose(rlo, Array.from(lo).reverse(), 0);
    expectArrayClose(rhi, Array.from(hi).reverse(), 0);
  });
});

describe("wavelet filter banks match PyWavelets' published rows", () => {
  // Rows 1–3 (dec_hi, rec_lo, rec_hi) of pywt/_extensions/c/wavelets_coeffs.template.h: our
  // derivation from dec_lo (row 0) must reproduce them.
  it("db2", () => {
    const w = waveletFilters("db2");
    expect(w.decHi).toEqual([-0.48296291314469025, 0.83651630373746899, -0.22414386804185735, -0.12940952255092145]);
    expect(w.recLo).toEqual([0.48296291314469025, 0.83651630373746899, 0.22414386804185735, -0.12940952255092145]);
    expect(w.recHi).toEqual([-0.12940952255092145, -0.22414386804185735, 0.83651630373746899, -0.48296291314469025]);
  });

  it("sym4", () => {
    const w = waveletFilters("sym4");
    expect(w.decHi).toEqual([
      -0.032223100604042702, -0.012603967262037833, 0.099219543576847216, 0.29785779560527736, -0.80373875180591614, 0.49761866763201545,
      0.02963552764599851, -0.075765714789273325,
    ]);
    expect(w.recLo).toEqual([
      0.032223100604042702, -0.012603967262037833, -0.099219543576847216, 0.29785779560527736, 0.80373875180591614, 0.49761866763201545,
      -0.02963552764599851, -0.075765714789273325,
    ]);
    expect(w.recHi).toEqual([
      -0.075765714789273325, 0.02963552764599851, 0.49761866763201545, -0.80373875180591614, 0.29785779560527736, 0.099219543576847216,
      -0.012603967262037833, -0.032223100604042702,
    ]);
  });

  it("haar is (1, 1)/√2 and (−1, 1)/√2", () => {
    const w = waveletFilters("haar");
    expect(w.decLo).toEqual([Math.SQRT1_2, Math.SQRT1_2]);
    expect(w.decHi).toEqual([-Math.SQRT1_2, Math.SQRT1_2]);
  });

  it("the kernel's bank is [dec_lo | dec_hi | rec_lo | rec_hi], optionally scaled", () => {
    const w = waveletFilters("db4");
    const b = filterBank(w, 0.5);
    expect(Array.from(b.subarray(8, 16))).toEqual(w.decHi.map((v) => 0.5 * v));
    expect(Array.from(b.subarray(24, 32))).toEqual(w.recHi.map((v) => 0.5 * v));
  });

  it("an unknown wavelet names the nearest one", () => {
    expect(() => waveletFilters("db44")).toThrow(/unknown wavelet "db44" — did you mean "db4"\?/);
  });
});
