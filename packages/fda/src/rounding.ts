import { CflowError, type Dtype } from "@cflow/core";

/**
 * Rounding-error bounds of the operator applications the certificates are computed from, in the
 * standard model fl(a ∘ b) = (a ∘ b)(1 + δ), |δ| ≤ u (IEEE 754, round to nearest; JavaScript and
 * WebAssembly never contract a·b + c into an FMA unless asked to, and an FMA only makes the
 * bounds below looser than needed). Notation of Higham, Accuracy and Stability of Numerical
 * Algorithms (2nd ed., 2002): γ_n = n·u/(1 − n·u); a sum of n products evaluated in any order
 * satisfies |fl(Σ x_i y_i) − Σ x_i y_i| ≤ γ_n Σ|x_i y_i| (Higham §3.1, eq. 3.5).
 */

/** Unit roundoff of a dtype: 2⁻⁵³ (float64), 2⁻²⁴ (float32). */
export function unitRoundoff(dtype: Dtype): number {
  return dtype === "float64" ? 2 ** -53 : 2 ** -24;
}

/** γ_n = n·u/(1 − n·u); Infinity once n·u ≥ 1 (no bound). */
export function gammaN(n: number, u: number): number {
  const nu = n * u;
  return nu < 1 ? nu / (1 - nu) : Number.POSITIVE_INFINITY;
}

/**
 * How an operator application is known to round: ‖fl(A v) − A v‖₂ ≤ relErr·‖v‖₂, and ‖A‖₂ ≤ norm
 * (the exact operator's norm, an upper bound).
 */
export interface ApplicationBound {
  relErr: number;
  norm: number;
}

/**
 * A direct convolution with T taps k (circular or zero boundary), each output one sum of at most
 * T products: entrywise |err| ≤ γ_T (|k| ∗ |v|), and ‖|k| ∗ |v|‖₂ ≤ ‖k‖₁‖v‖₂ (Young's
 * inequality), so relErr = γ_T‖k‖₁; ‖K‖₂ ≤ ‖k‖₁. The adjoint (correlation) has the same bound.
 */
export function directConvolutionBound(taps: ArrayLike<number>, u: number): ApplicationBound {
  let l1 = 0;
  for (let i = 0; i < taps.length; i++) l1 += Math.abs(taps[i]);
  // the ℓ1 norm itself is computed: inflate it by its own summation error
  l1 *= 1 + gammaN(taps.length, 2 ** -53);
  return { relErr: gammaN(taps.length, u) * l1, norm: l1 };
}

/**
 * A composition A = B ∘ C of two applications with bounds bB, bC:
 * ‖fl(B fl(C v)) − B C v‖ ≤ relErr_B‖fl(Cv)‖ + ‖B‖ relErr_C ‖v‖
 *                         ≤ (relErr_B (‖C‖ + relErr_C) + ‖B‖ relErr_C)‖v‖.
 */
export function composeBounds(B: ApplicationBound, C: ApplicationBound): ApplicationBound {
  return { relErr: B.relErr * (C.norm + C.relErr) + B.norm * C.relErr, norm: B.norm * C.norm };
}

/** The analysis filters of an orthogonal periodised wavelet transform (PyWavelets' dec_lo, dec_hi). */
export interface WaveletTaps {
  decLo: readonly number[];
  decHi: readonly number[];
}

/**
 * One analysis (or synthesis) pass of a periodised two-channel orthogonal filter bank H along one
 * axis, on a signal of length n ≥ F: every output is a sum of F products (the synthesis adds F/2
 * low-pass and F/2 high-pass products per output), so entrywise |err| ≤ γ_{F+1} (|H| |v|) (one
 * spare rounding for the periodic fold), and ‖|H|‖₂ ≤ √(‖|H|‖₁‖|H|‖∞) ≤ max(‖lo‖₁, ‖hi‖₁): a row
 * of |H| holds one filter, a column the taps of one parity of lo and of the other parity of hi
 * (hi is the alternating flip of lo). The pass's exact norm exceeds 1 by at most ω — float64
 * taps are orthogonal only to rounding: ‖H‖₂² = ‖HHᵀ‖₂ ≤ 1 + max row sum of |HHᵀ − I|, whose
 * entries are the even-shift correlations Σ_m f_m g_{m+2s} of the filters (periodic aliasing
 * only adds correlations, so the triangle inequality keeps the bound), computed here with an
 * allowance for their own rounding. The same holds for the transpose (synthesis).
 */
export function filterBankPassBound(taps: WaveletTaps, u: number): ApplicationBound & { tapsL1: number } {
  const { decLo: lo, decHi: hi } = taps;
  const F = lo.length;
  if (F < 2 || F % 2 !== 0 || hi.length !== F) {
    throw new CflowError("BAD_OPTION", `filterBankPassBound: filters must have one even length ≥ 2, found ${F} and ${hi.length}`, { path: "decLo", expected: "even length ≥ 2", found: F });
  }
  const l1 = (f: readonly number[]) => f.reduce((s, v) => s + Math.abs(v), 0);
  const tapsL1 = Math.max(l1(lo), l1(hi)) * (1 + gammaN(F, 2 ** -53));
  const corr = (f: readonly number[], g: readonly number[], shift: number) => {
    let s = 0;
    for (let m = 0; m < F; m++) {
      const q = m + shift;
      if (q >= 0 && q < F) s += f[m] * g[q];
    }
    return s;
  };
  let rowLo = 0;
  let rowHi = 0;
  let terms = 0;
  for (let s = -(F >> 1); s <= F >> 1; s++) {
    const delta = s === 0 ? 1 : 0;
    rowLo += Math.abs(corr(lo, lo, 2 * s) - delta) + Math.abs(corr(lo, hi, 2 * s));
    rowHi += Math.abs(corr(hi, hi, 2 * s) - delta) + Math.abs(corr(hi, lo, 2 * s));
    terms += 2;
  }
  // each correlation is a sum of ≤ F products of taps: |error| ≤ γ_F·‖f‖₂‖g‖₂ ≤ γ_F·tapsL1²
  const omega = Math.max(rowLo, rowHi) + terms * gammaN(F, 2 ** -53) * tapsL1 * tapsL1;
  return { relErr: gammaN(F + 1, u) * tapsL1, norm: Math.sqrt(1 + omega) * (1 + 2 ** -52), tapsL1 };
}

/**
 * The periodised DWT W (or Wᵀ) with `levels` levels on a `dims`-dimensional signal: T = levels·dims
 * passes, each with bound (relErr c, norm ν); the detail outputs leave the chain, so the errors
 * add up to ‖fl(Wv) − Wv‖ ≤ Σ_t ν^{T−t} c (ν + c)^{t−1}‖v‖ ≤ T c (ν + c)^{T−1}‖v‖, ‖W‖ ≤ ν^T.
 * Every level's signal must be at least F long (the pass bound's column-sum argument).
 */
export function periodisedDwtBound(taps: WaveletTaps, levels: number, dims: number, u: number): ApplicationBound {
  const pass = filterBankPassBound(taps, u);
  const T = levels * dims;
  return { relErr: T * pass.relErr * (pass.norm + pass.relErr) ** (T - 1), norm: pass.norm ** T };
}

/**
 * ‖W_dtype − W‖₂ for a DWT whose taps are stored in `dtype` (W: the float64 taps the certificates
 * use): per pass the difference operator has ‖·‖₂ ≤ δ = ‖fl(h) − h‖₁ (the row/column-sum argument
 * of `filterBankPassBound`), and over T passes ‖W_dtype − W‖ ≤ T δ (ν + δ)^{T−1}. Zero for float64.
 */
export function tapRoundingBound(taps: WaveletTaps, levels: number, dims: number, dtype: Dtype): number {
  if (dtype === "float64") return 0;
  const diff = (f: readonly number[]) => f.reduce((s, v) => s + Math.abs(Math.fround(v) - v), 0);
  const delta = Math.max(diff(taps.decLo), diff(taps.decHi)) * (1 + 2 ** -50);
  const nu = filterBankPassBound(taps, 2 ** -53).norm;
  const T = levels * dims;
  return T * delta * (nu + delta) ** (T - 1);
}
