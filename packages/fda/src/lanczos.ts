import { CflowError, normal, type RngKey } from "@cflow/core";
import { tridiagonalEigen } from "./dense-eigen.js";
import { axpy, dot, norm2, scale } from "./vector.js";
import type { SymmetricOperator } from "./wspace-operator.js";

export interface LanczosOptions {
  /** Start vector: standard normal draws from this key. */
  key: RngKey;
  /** Largest Krylov dimension (default 100; never above the operator size or the memory budget). */
  maxIter?: number;
  /**
   * Convergence: the residual ‖A y − θ y‖ = β_k |s_k| of the smallest Ritz pair at most
   * tol · max|θ| (default 1e-12, so that the Ritz value error, ≈ residual²/gap, is far below
   * tol; use ~1e-6 when the operator is applied in float32, whose rounding bounds the residual).
   */
  tol?: number;
  /** Bytes the stored basis may take (default 256 MiB): caps the Krylov dimension at large sizes. */
  basisBudgetBytes?: number;
  /**
   * Stop as soon as the smallest Ritz value is below this: since θ_min ≥ λ_min, the gate
   * `λ_min ≥ stopBelow` has then failed for certain (the result is marked `decided`).
   */
  stopBelow?: number;
}

export interface LanczosResult {
  /** Smallest Ritz value: an upper bound of λ_min, equal to it at convergence. */
  min: number;
  /** Largest Ritz value: a lower bound of λ_max. */
  max: number;
  /** Residual norms ‖A y − θ y‖ of the two extreme Ritz pairs (an eigenvalue lies within each of θ). */
  minResidual: number;
  maxResidual: number;
  /** The smallest Ritz pair met the tolerance (λ_min found), or the Krylov space became invariant. */
  converged: boolean;
  /** Stopped early because min < stopBelow. */
  decided: boolean;
  /** The Krylov space became invariant (β_k ≈ 0): the Ritz values are exact eigenvalues. */
  invariant: boolean;
  iterations: number;
  /** Operator applications (= iterations). */
  applications: number;
  /** The Krylov dimension the memory budget allowed. */
  maxIterAllowed: number;
}

/**
 * Extreme eigenvalues of a symmetric operator by Lanczos with full reorthogonalisation
 * (classical Gram–Schmidt applied twice against the whole stored basis, so no ghost copies of
 * converged eigenvalues appear and Ritz values are trustworthy to rounding). The tridiagonal
 * T_k is re-diagonalised every step for the residual estimates β_k |e_kᵀ s_i|.
 */
export function lanczos(op: SymmetricOperator, options: LanczosOptions): LanczosResult {
  const s = op.size;
  const tol = options.tol ?? 1e-12;
  const budget = options.basisBudgetBytes ?? 256 * 1024 * 1024;
  const byBudget = Math.floor(budget / (8 * Math.max(s, 1)));
  const maxIter = Math.min(options.maxIter ?? 100, s, byBudget);
  if (s === 0) {
    throw new CflowError("EMPTY_OPERATOR", "lanczos: the operator has size 0", { path: "lanczos", expected: "size ≥ 1", found: 0 });
  }
  if (maxIter < 1) {
    throw new CflowError("LANCZOS_BUDGET", `lanczos: a basis budget of ${budget} bytes cannot hold one vector of ${s} float64`, {
      path: "lanczos.basisBudgetBytes",
      expected: `≥ ${8 * s}`,
      found: budget,
      hint: "raise basisBudgetBytes",
    });
  }
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const q = Float64Array.from(normal(options.key, s, "float64"));
  scale(s, 1 / norm2(s, q), q);
  basis.push(q);
  const w = new Float64Array(s);
  let result: LanczosResult | null = null;
  for (let j = 0; j < maxIter; j++) {
    const qj = basis[j];
    op.apply(qj, w);
    let a = dot(s, qj, w);
    axpy(s, -a, qj, w);
    if (j > 0) axpy(s, -beta[j - 1], basis[j - 1], w);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i <= j; i++) {
        const c = dot(s, basis[i], w);
        axpy(s, -c, basis[i], w);
        if (i === j) a += c;
      }
    }
    alpha.push(a);
    const b = norm2(s, w);
    const k = j + 1;
    const ritz = ritzExtremes(alpha, beta, k);
    const normT = Math.max(Math.abs(ritz.min), Math.abs(ritz.max), Number.MIN_VALUE);
    const minResidual = b * Math.abs(ritz.minLast);
    const maxResidual = b * Math.abs(ritz.maxLast);
    // The Krylov space is invariant: β ≈ 0, or it is the whole space.
    const invariant = b <= 64 * Number.EPSILON * normT || k === s;
    // γ is what certifies; λ_max is reported with its own residual (it usually converges first).
    const converged = invariant || minResidual <= tol * normT;
    const decided = options.stopBelow !== undefined && ritz.min < options.stopBelow;
    result = {
      min: ritz.min,
      max: ritz.max,
      minResidual: invariant ? 0 : minResidual,
      maxResidual: invariant ? 0 : maxResidual,
      converged,
      decided,
      invariant,
      iterations: k,
      applications: k,
      maxIterAllowed: maxIter,
    };
    if (converged || decided || k === maxIter) break;
    const next = new Float64Array(s);
    for (let i = 0; i < s; i++) next[i] = w[i] / b;
    basis.push(next);
    beta.push(b);
  }
  return result as LanczosResult;
}

/** Extreme eigenvalues of tridiag(beta, alpha, beta) (first k) and the last components of their eigenvectors. */
function ritzExtremes(alpha: number[], beta: number[], k: number): { min: number; max: number; minLast: number; maxLast: number } {
  const d = Float64Array.from(alpha.slice(0, k));
  const e = new Float64Array(k);
  for (let i = 0; i < k - 1; i++) e[i] = beta[i];
  const z = new Float64Array(k); // last row of the identity → last components of the eigenvectors
  z[k - 1] = 1;
  tridiagonalEigen(d, e, z);
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < k; i++) {
    if (d[i] < d[lo]) lo = i;
    if (d[i] > d[hi]) hi = i;
  }
  return { min: d[lo], max: d[hi], minLast: z[lo], maxLast: z[hi] };
}
