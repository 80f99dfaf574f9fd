import { CflowError } from "@cflow/core";
import { Kernel } from "@cflow/core/kernel";
import { pieces } from "./kernel-blocks.js";
import type { SplitCsr } from "./sparse-symmetric.js";

/**
 * A lower-triangular factor L with positive diagonal, stored by columns: column j holds L_jj in
 * `diag[j]` and its entries below the diagonal at colPtr[j] … colPtr[j + 1] − 1 (rows ascending).
 * Non-singular by construction (triangular, every diagonal entry positive).
 */
export interface LowerFactor {
  readonly n: number;
  readonly diag: Float64Array;
  readonly colPtr: Int32Array;
  readonly row: Int32Array;
  readonly val: Float64Array;
}

export interface IncompleteCholesky {
  factor: LowerFactor;
  /** Pivots that came out below `breakdownRatio`·a_jj (rounding, or a matrix that is not positive definite): their columns were cut to the diagonal. */
  breakdowns: number;
  /** Fill entries the factor left out (each compensated on the two diagonals). */
  dropped: number;
  /** Largest and smallest L_jj. */
  diagMax: number;
  diagMin: number;
  ms: number;
}

/** The defaults of the congruence route's factor (measured on the demo's supports: BENCHMARKS.md). */
export const INCOMPLETE_CHOLESKY_DEFAULTS = { tau: 3e-4, maxPerColumn: 150 } as const;

export interface IncompleteCholeskyOptions {
  /** An entry c_ij of column j is kept when |c_ij| > tau·√(a_ii a_jj) (default 3e-4). */
  tau?: number;
  /** At most this many entries below the diagonal per column, the largest relative to √(a_ii a_jj) (default 150). */
  maxPerColumn?: number;
  /** A pivot below this fraction of its diagonal a_jj is a breakdown (default 1e-6; in a complete Cholesky factorisation such a pivot would mean κ(A) > 1e6). */
  breakdownRatio?: number;
}

/**
 * Threshold incomplete Cholesky A ≈ L Lᵀ of a symmetric matrix given as its diagonal and strict upper
 * rows (`SplitCsr`; in the congruence route A = P(Ã − sI)Pᵀ), left-looking by columns with linked lists of the columns that update the next (Jones & Plassmann, ACM TOMS 21,
 * 1995; the sparse accumulator of Saad, Iterative Methods for Sparse Linear Systems, 2003, §10.4).
 * Column j gathers c_ij = A_ij − Σ_{k<j} L_ik L_jk over the rows it reaches, keeps the
 * entries above `tau` relative to √(a_ii a_jj) (a = A's diagonal), at most `maxPerColumn`
 * of them, and drops the rest with the compensation of Ajiz & Jennings (Int. J. Numer. Meth. Eng.
 * 20, 1984): dropping c_ij adds |c_ij|·ω to a_ii and |c_ij|/ω to the pivot of j (ω = √(a_ii/a_jj)),
 * a positive semi-definite 2×2 change, so L Lᵀ = A + C with C ⪰ 0 and a positive definite
 * A never meets a non-positive pivot in exact arithmetic. A pivot that still comes out below
 * `breakdownRatio`·a_jj (rounding, or A not positive definite) is a breakdown, counted: column j
 * keeps only its diagonal, √(a_jj + its compensation), and nothing divided by a tiny pivot reaches
 * the later columns. Whatever happens, L is triangular with a positive diagonal, hence non-singular — all the
 * congruence certificate (congruence-gamma.ts) needs of it. Requires a_jj > 0 for every j.
 * Work: Σ_j (entries of the columns that update column j), about n·maxPerColumn²/2.
 */
export function incompleteCholesky(a: SplitCsr, options: IncompleteCholeskyOptions = {}): IncompleteCholesky {
  const t0 = performance.now();
  const tau = options.tau ?? INCOMPLETE_CHOLESKY_DEFAULTS.tau;
  const maxPer = Math.max(0, Math.floor(options.maxPerColumn ?? INCOMPLETE_CHOLESKY_DEFAULTS.maxPerColumn));
  const breakdownRatio = options.breakdownRatio ?? 1e-6;
  const { n, rowPtr, col, val } = a;
  const ad = a.diag;
  for (let i = 0; i < n; i++) {
    if (!(ad[i] > 0)) throw new CflowError("BAD_OPTION", `incompleteCholesky: diagonal entry ${i} is ${ad[i]}, not positive`, { path: "incompleteCholesky.a.diag", expected: "a_jj > 0", found: ad[i] });
  }
  const k = Kernel.get("float64");
  const nnz = rowPtr[n];
  const cap = n * maxPer;
  // one block per element type (kernel-blocks.ts)
  const ints = k.allocI32(Math.max(1, 2 * (n + 1) + nnz + cap + 6 * n + 2));
  const reals = k.allocF64(Math.max(1, 3 * n + nnz + cap + 4 * n));
  try {
    const int = pieces(ints);
    const real = pieces(reals);
    const kRowPtr = int(n + 1, rowPtr);
    const kCol = int(nnz, col);
    const kColPtr = int(n + 1);
    const kRow = int(cap);
    const kWork = int(6 * n);
    const kStats = int(2);
    const kAd = real(n, ad);
    const kVal = real(nnz, val);
    const kDiag = real(n);
    const kOut = real(cap);
    const kReals = real(4 * n);
    const w = k.exports.incompleteCholeskyFactor(n, kAd.ptr, kRowPtr.ptr, kCol.ptr, kVal.ptr, tau, maxPer, breakdownRatio, kDiag.ptr, kColPtr.ptr, kRow.ptr, kOut.ptr, kReals.ptr, kWork.ptr, kStats.ptr);
    const diag = kDiag.toArray();
    let diagMax = 0;
    let diagMin = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      diagMax = Math.max(diagMax, diag[j]);
      diagMin = Math.min(diagMin, diag[j]);
    }
    const [breakdowns, dropped] = kStats.toArray();
    return {
      factor: { n, diag, colPtr: kColPtr.toArray(), row: kRow.view.slice(0, w), val: kOut.view.slice(0, w) },
      breakdowns,
      dropped,
      diagMax,
      diagMin,
      ms: performance.now() - t0,
    };
  } finally {
    ints.free();
    reals.free();
  }
}

/**
 * An estimate of κ(L)² = ‖L‖²‖L⁻¹‖² for the rounding model of the congruence: ‖L‖² ≤ ‖L‖₁‖L‖∞
 * (a bound), ‖L⁻¹‖² = λ_max(L⁻ᵀL⁻¹) from below by `iterations` power steps from the all-ones
 * vector (an estimate: a lower bound that converges to it). `normalSolve(v, out)`: out ← L⁻ᵀL⁻¹v
 * (the kernel's `CongruenceOperator.normalSolve`; v and out may be the same array).
 */
export function squaredConditionEstimate(f: LowerFactor, normalSolve: (v: Float64Array, out: Float64Array) => void, iterations = 8): number {
  const { n, diag, colPtr, row, val } = f;
  const rowSum = new Float64Array(n);
  let norm1 = 0;
  for (let j = 0; j < n; j++) {
    let c = Math.abs(diag[j]);
    rowSum[j] += Math.abs(diag[j]);
    for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
      c += Math.abs(val[q]);
      rowSum[row[q]] += Math.abs(val[q]);
    }
    norm1 = Math.max(norm1, c);
  }
  let normInf = 0;
  for (let i = 0; i < n; i++) normInf = Math.max(normInf, rowSum[i]);
  const v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let inv = 0;
  for (let k = 0; k < iterations; k++) {
    normalSolve(v, v);
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    inv = Math.sqrt(s); // ‖(LLᵀ)⁻¹ v‖ for the unit v of this step
    for (let i = 0; i < n; i++) v[i] /= inv;
  }
  return norm1 * normInf * inv;
}
