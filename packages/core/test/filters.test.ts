import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { WAVELET_NAMES, filterBank, waveletFilters } from "../src/transforms/filters.js";
import { PYWT_VERSION, goldenFilters } from "./pywt-golden.js";
import { expectArrayClose } from "@cflow/test-kit";

// The filters are exact to rounding (src/transforms/filters.ts), so in float64 the identities hold
// to a few units of 2⁻⁵³ (sums of ≤ 16 products of magnitude ≤ 1); float32-rounded filters to a
// few float32 ulps.
const TOL = { float64: 1e-15, float32: 5e-7 };

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
      expect(Math.abs(s) / scale).toBeLessThan(dtype === "float64" ? 1e-14 : 1e-5);
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

describe(`wavelet filters against test/golden/wavelet-filters.json (PyWavelets ${PYWT_VERSION})`, () => {
  it.each([...WAVELET_NAMES])("%s: dec_lo is the exact filter of scripts/gen-wavelet-golden.py, bit for bit", (name) => {
    expect(waveletFilters(name).decLo).toEqual(goldenFilters[name].exact);
  });

  it.each(WAVELET_NAMES.filter((n) => !n.startsWith("sym")))("%s: equals PyWavelets' table bit for bit", (name) => {
    expect(waveletFilters(name).decLo).toEqual(goldenFilters[name].pywt);
  });

  it.each(WAVELET_NAMES.filter((n) => n.startsWith("sym")))("%s: within 2e-12 of PyWavelets' table, which is not orthonormal beyond ~1e-12", (name) => {
    const ours = waveletFilters(name).decLo;
    const theirs = goldenFilters[name].pywt;
    const F = theirs.length;
    let worst = 0;
    for (let i = 0; i < F; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(2e-12);
    // the reason cflow does not take pywt's values: their double-shift products miss δ_m by ≫ rounding
    let offset = 0;
    for (let m = 0; 2 * m < F; m++) {
      let s = 0;
      for (let k = 0; k + 2 * m < F; k++) s += theirs[k] * theirs[k + 2 * m];
      offset = Math.max(offset, Math.abs(s - (m === 0 ? 1 : 0)));
    }
    expect(offset).toBeGreaterThan(1e-13);
  });
});

describe("wavelet filter banks", () => {
  it("db2 in closed form: (1 + √3, 3 + √3, 3 − √3, 1 − √3)/(4√2), reversed", () => {
    const s3 = Math.sqrt(3);
    const d = 4 * Math.SQRT2;
    expectArrayClose(waveletFilters("db2").recLo, [(1 + s3) / d, (3 + s3) / d, (3 - s3) / d, (1 - s3) / d], 4e-16);
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
