import type { RestrictedMatrix } from "./restricted-matrix.js";
import { gammaN } from "./rounding.js";
import { csrAbsOffMultiply, csrRowSums } from "./sparse-symmetric.js";

const U = 2 ** -53;

/**
 * Diagonal dominance of the restricted operator, two ways, each as a rigorous upper bound for the
 * exact L_S (the explicit matrix's rounding and perturbation folded in):
 * - plain: η_dd = max_i Σ_{j≠i}|L_ij| / L_ii;
 * - optimally scaled: ρ(|J|), |J| = D⁻¹|L − D|, the smallest max-row ratio any positive diagonal
 *   rescaling D_v⁻¹ L D_v reaches (Perron–Frobenius). Any positive v gives the Collatz–Wielandt
 *   bounds min_i (|J|v)_i/v_i ≤ ρ(|J|) ≤ max_i (|J|v)_i/v_i; v comes from the power iteration on
 *   I + |J| (same Perron vector, and it stays positive when |J| is reducible), stopped when the
 *   upper bound has settled. The bound is taken on the stored L̂_S and carried to L_S through the
 *   symmetric form D^{-1/2}|L − D|D^{-1/2} (Perron monotonicity and Weyl), so that a coefficient
 *   whose Perron component is tiny does not inflate the perturbation term.
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
  /**
   * Lower bound of ρ(|Ĵ|) of the stored L̂_S (the Collatz–Wielandt minimum, or the Rayleigh quotient
   * of the symmetric form, up to its rounding), for how tight `scaled` is and when to stop.
   */
  scaledLower: number;
  /** The positive vector of the bound (max entry 1), for the scaled Gershgorin route. */
  v: Float64Array;
  /** |L̂_S − D̂|·v, summed as `csrRowSums(L̂_S, v)` sums it: the scaled Gershgorin discs' radii times v, free. */
  offV: Float64Array;
  iterations: number;
  /** Row of L̂_S attaining the plain η_dd. */
  worstRow: number;
  ms: number;
}

export interface DominanceOptions {
  /** Power iterations at most (default 1000). */
  maxIter?: number;
  /**
   * out ← |L̂ − D̂|w with `csrAbsOffMultiply`'s bits, where the product runs (e.g. the kernel's:
   * `KernelCsrOperator.absOffMultiply`); default `csrAbsOffMultiply` on the JS heap.
   */
  absOff?: (w: Float64Array, out: Float64Array) => void;
  /** Stop once the upper bound moved by less than this (relative) over 100 iterations, or met the lower bound to it (default 1e-3). */
  tol?: number;
  /**
   * A gate η_max to decide rather than ρ(|J|) to resolve: stop as soon as the lower bound exceeds it
   * (the gate fails for certain) and the upper bound is below the plain η_dd (so the scaled one is
   * the one reported), or the upper bound is at most it while the lower bound is ≥ 1 (the gate
   * passes, and no scaling can make Gershgorin's discs positive: a sharper v is of no use), or once
   * the upper bound, above the gate after 40 iterations, is out of reach: it would have to fall by
   * more than ten times its decrease over the last 20 iterations. The gate then fails on a bound
   * that is still rigorous; only a support whose bound converges that slowly to just below the gate
   * is failed where more iterations might have passed it.
   */
  decide?: number;
  /**
   * A positive start vector (e.g. the Perron vector of an overlapping support certified before):
   * any positive v gives valid Collatz–Wielandt bounds, a good one settles them in a few iterations.
   * Entries that are not positive and finite start at 1.
   */
  start?: Float64Array;
}

/** The plain η_dd of L_S bracketed from its explicit matrix (`plainDominance`). */
export interface PlainDominance {
  /** Upper bound of max_i Σ_{j≠i}|L_ij| / L_ii (infinite when some L̂_ii ≤ rowPerturbation). */
  plain: number;
  /** Lower bound of the same maximum: a gate below it fails for certain. */
  plainLower: number;
  /** Row of L̂_S attaining the upper bound. */
  worstRow: number;
  /** Row sums of L̂_S (`csrRowSums`). */
  rows: ReturnType<typeof csrRowSums>;
}

/**
 * The plain η_dd of L_S from L̂_S, both ways: each row's |off-diagonal| sum and diagonal move by at
 * most `rowPerturbation` (a row of |L_S − L̂_S|), and a computed sum of k terms of one sign is
 * within γ_k of the exact one (one more rounding for the quotient).
 */
export function plainDominance(R: RestrictedMatrix): PlainDominance {
  const n = R.matrix.n;
  const e = R.rowPerturbation;
  const rows = csrRowSums(R.matrix);
  const { diag, off, maxRow } = rows;
  const g = gammaN(maxRow + 2, U);
  let plain = 0;
  let plainLower = 0;
  let worstRow = -1;
  for (let i = 0; i < n; i++) {
    const den = diag[i] - e;
    const ratio = den > 0 ? ((off[i] * (1 + g) + e) / den) * (1 + g) : Number.POSITIVE_INFINITY;
    if (worstRow < 0 || ratio > plain) {
      plain = ratio;
      worstRow = i;
    }
    const num = off[i] * (1 - g) - e;
    if (num > 0) plainLower = Math.max(plainLower, (num / ((Math.abs(diag[i]) + e) * (1 + g))) * (1 - g));
  }
  return { plain, plainLower: Math.min(plainLower, plain), worstRow, rows };
}

/** η_dd and ρ(|J|) upper bounds of L_S from its explicit matrix. Infinite when some L̂_ii ≤ rowPerturbation. */
export function dominance(R: RestrictedMatrix, options: DominanceOptions = {}): Dominance {
  const t0 = performance.now();
  const n = R.matrix.n;
  const e = R.rowPerturbation;
  const { plain, worstRow, rows } = plainDominance(R);
  const { diag, off, maxRow } = rows;
  const g = gammaN(maxRow + 2, U);
  const v = new Float64Array(n).fill(1);
  if (options.start && options.start.length === n) {
    let mx = 0;
    for (let i = 0; i < n; i++) if (options.start[i] > 0 && Number.isFinite(options.start[i])) mx = Math.max(mx, options.start[i]);
    for (let i = 0; i < n; i++) if (options.start[i] > 0 && Number.isFinite(options.start[i])) v[i] = options.start[i] / mx;
  }
  const w = new Float64Array(n);
  const absOff = options.absOff ?? ((x: Float64Array, out: Float64Array) => csrAbsOffMultiply(R.matrix, x, out));
  const maxIter = options.maxIter ?? 1000;
  const tol = options.tol ?? 1e-3;
  let upper = Number.POSITIVE_INFINITY;
  let lower = 0;
  let iterations = 0;
  let dmin = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) dmin = Math.min(dmin, diag[i]);
  const positive = n > 0 && dmin > e;
  const best = Float64Array.from(v);
  const s = new Float64Array(n);
  // |L̂ − D̂|·best; computed below for the start vector when no iteration runs
  let bestOff: Float64Array | null = null;
  // from L̂_S to L_S (below): the upper bound grows to (1 + rel)·upper + rel
  const rel = positive ? e / (dmin - e) : 0;
  if (positive) {
    const history: number[] = [];
    let ones = true;
    for (let i = 0; i < n && ones; i++) ones = v[i] === 1;
    for (let it = 0; it < maxIter; it++) {
      // w = |Ĵ|v: its ratios to v bracket ρ(|Ĵ|) (Collatz–Wielandt), the upper one non-increasing along the iteration
      if (it === 0 && ones) s.set(off); // |L̂ − D̂|·1, summed as csrAbsOffMultiply sums it
      else absOff(v, s);
      let hi = 0;
      let lo = Number.POSITIVE_INFINITY;
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        w[i] = s[i] / diag[i];
        const r = w[i] / v[i];
        if (r > hi) hi = r;
        if (r < lo) lo = r;
        num += v[i] * s[i];
        den += diag[i] * v[i] * v[i];
      }
      iterations = it + 1;
      // the Rayleigh quotient of u = D^{1/2}v on the symmetric form D^{-1/2}|L̂ − D̂|D^{-1/2} (same
      // spectrum as |Ĵ|) is at most its largest eigenvalue, ρ(|Ĵ|), and closes in on it much faster
      // than the Collatz–Wielandt minimum (up to rounding: it only decides when to stop)
      lower = Math.max(lower, lo, num / den);
      const bound = hi * (1 + g) * (1 + g);
      if (bound < upper) {
        upper = bound;
        best.set(v);
        bestOff ??= new Float64Array(n);
        bestOff.set(s);
      }
      history.push(upper);
      if (upper <= lower * (1 + tol) || (it >= 100 && history[it - 100] - upper <= tol * upper)) break;
      const gate = options.decide;
      if (gate !== undefined && ((lower > gate && (1 + rel) * upper + rel < plain) || ((1 + rel) * upper + rel <= gate && lower >= 1))) break;
      // out of reach: still above the gate by more than ten times the last 20 iterations' decrease
      if (gate !== undefined && it >= 40 && (1 + rel) * upper + rel > gate && 10 * (history[it - 20] - upper) < upper - (gate - rel) / (1 + rel)) break;
      let mx = 0;
      for (let i = 0; i < n; i++) {
        v[i] += w[i];
        if (v[i] > mx) mx = v[i];
      }
      for (let i = 0; i < n; i++) v[i] /= mx;
    }
    // from L̂_S to L_S: ρ(|J|) = λ_max(D^{-1/2}|L − D|D^{-1/2}), entrywise monotone in |L − D| and, with
    // |L − D| ≤ |L̂ − D̂| + |E| and D ≥ D̂ − e, at most (1 + e/(d_min − e))·ρ(|Ĵ|) + e/(d_min − e) (Weyl)
    upper = (1 + rel) * upper + rel;
  }
  if (!bestOff) {
    bestOff = new Float64Array(n);
    absOff(best, bestOff);
  }
  return { plain, scaled: upper, scaledLower: Math.min(lower, upper), v: best, offV: bestOff, iterations, worstRow, ms: performance.now() - t0 };
}
