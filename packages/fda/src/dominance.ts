import type { RestrictedMatrix } from "./restricted-matrix.js";
import { gammaN } from "./rounding.js";
import { csrRowSums } from "./sparse-symmetric.js";

const U = 2 ** -53;

/**
 * Diagonal dominance of the restricted operator, two ways, each as a rigorous upper bound for the
 * exact L_S (the explicit matrix's rounding and perturbation folded in):
 * - plain: η_dd = max_i Σ_{j≠i}|L_ij| / L_ii;
 * - optimally scaled: ρ(|J|), |J| = D⁻¹|L − D|, the smallest max-row ratio any positive diagonal
 *   rescaling D_v⁻¹ L D_v reaches (Perron–Frobenius). Any positive v gives the Collatz–Wielandt
 *   bounds min_i (|J|v)_i/v_i ≤ ρ(|J|) ≤ max_i (|J|v)_i/v_i; v comes from the power iteration on
 *   I + |J| (same Perron vector, and it stays positive when |J| is reducible), components raised
 *   to a floor where that lowers the bound, stopped when the upper bound has settled.
 * What it means: with D = diag(L_S) > 0, the Jacobi-scaled operator D^{-1/2} L_S D^{-1/2} =
 * I + D^{-1/2}(L_S − D)D^{-1/2} has its spectrum in [1 − ρ(|J|), 1 + ρ(|J|)] (|λ(J)| ≤ ρ(|J|)),
 * so ρ(|J|) bounds how strongly the active coefficients couple, relative to their own energy; below 1
 * it alone proves L_S positive definite (the comparison matrix D − |L − D| is then an M-matrix).
 */
export interface Dominance {
  /** Upper bound of the plain η_dd of L_S. */
  plain: number;
  /** Upper bound of ρ(|J|) (Collatz–Wielandt with the final v). */
  scaled: number;
  /** Lower bound of ρ(|J|) (Collatz–Wielandt), for how tight `scaled` is. */
  scaledLower: number;
  /** The positive vector of the bound (max entry 1), for the scaled Gershgorin route. */
  v: Float64Array;
  iterations: number;
  /** Row of L̂_S attaining the plain η_dd. */
  worstRow: number;
  ms: number;
}

export interface DominanceOptions {
  /** Power iterations at most (default 300). */
  maxIter?: number;
  /** Stop once the upper bound moved by less than this (relative) over 40 iterations, or met the lower bound to it (default 1e-3). */
  tol?: number;
}

/** η_dd and ρ(|J|) upper bounds of L_S from its explicit matrix. Infinite when some L̂_ii ≤ rowPerturbation. */
export function dominance(R: RestrictedMatrix, options: DominanceOptions = {}): Dominance {
  const t0 = performance.now();
  const n = R.matrix.n;
  const e = R.rowPerturbation;
  const { diag, off, maxRow } = csrRowSums(R.matrix);
  // a computed sum of k terms of one sign is within γ_k of the exact one; one more rounding for the quotient
  const g = gammaN(maxRow + 2, U);
  let plain = 0;
  let worstRow = -1;
  for (let i = 0; i < n; i++) {
    const den = diag[i] - e;
    const ratio = den > 0 ? ((off[i] * (1 + g) + e) / den) * (1 + g) : Number.POSITIVE_INFINITY;
    if (worstRow < 0 || ratio > plain) {
      plain = ratio;
      worstRow = i;
    }
  }
  let v = new Float64Array(n).fill(1);
  const w = new Float64Array(n);
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-3;
  let upper = Number.POSITIVE_INFINITY;
  let lower = 0;
  let iterations = 0;
  const positive = diag.every((d) => d > e);
  // the rigorous Collatz–Wielandt bound of a positive vector, with rounding and the perturbation of L_S
  const bound = (x: Float64Array): number => {
    let mx = 0;
    for (let i = 0; i < n; i++) mx = Math.max(mx, x[i]);
    const s = csrRowSums(R.matrix, x).off;
    let r = 0;
    for (let i = 0; i < n; i++) r = Math.max(r, ((s[i] * (1 + g) + e * mx) / ((diag[i] - e) * x[i])) * (1 + g));
    return r;
  };
  // a component of the Perron vector that decays (a weakly coupled or isolated coefficient) makes the
  // perturbation term e/v_i blow up; raising such components to a floor keeps v positive and the bound valid
  const floored = (x: Float64Array, floor: number): Float64Array => Float64Array.from(x, (t) => Math.max(t, floor));
  let best = v;
  let checkpoints: number[] = [];
  if (positive && n > 0) {
    for (let it = 0; it < maxIter; it++) {
      let lo = Number.POSITIVE_INFINITY;
      const s = csrRowSums(R.matrix, v).off;
      for (let i = 0; i < n; i++) {
        w[i] = s[i] / diag[i];
        const r = w[i] / v[i];
        if (r < lo) lo = r;
      }
      lower = Math.max(lower, lo);
      iterations = it + 1;
      if (it % 20 === 19 || it === maxIter - 1) {
        for (const floor of [0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2]) {
          const x = floor === 0 ? v : floored(v, floor);
          const r = bound(x);
          if (r < upper) {
            upper = r;
            best = Float64Array.from(x);
          }
        }
        checkpoints.push(upper);
        const c = checkpoints.length;
        if (upper <= lower * (1 + tol) || (c >= 3 && checkpoints[c - 3] - upper <= tol * upper)) break;
      }
      let mx = 0;
      for (let i = 0; i < n; i++) {
        v[i] += w[i];
        if (v[i] > mx) mx = v[i];
      }
      for (let i = 0; i < n; i++) v[i] /= mx;
    }
    v = best;
  }
  return { plain, scaled: upper, scaledLower: Math.min(lower, upper), v, iterations, worstRow, ms: performance.now() - t0 };
}
