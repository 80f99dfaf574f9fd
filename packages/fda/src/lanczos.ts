import { CflowError, normal, type RngKey } from "@cflow/core";
import { type F64Buf, Kernel } from "@cflow/core/kernel";
import { tridiagonalEigen } from "@cflow/core/linalg";
import { norm2, scale } from "./vector.js";
import type { SymmetricOperator } from "./wspace-operator.js";

export interface LanczosOptions {
  /** Start vector: standard normal draws from this key. */
  key: RngKey;
  /** Largest Krylov dimension (default 100; never above the operator size or the memory budget). */
  maxIter?: number;
  /**
   * Converged when the residual r = ‖A y − θ y‖ = β_k |e_kᵀ s| of the smallest Ritz pair is at
   * most tol·|θ_min| + absTol·max|θ|: some eigenvalue then lies within r of θ_min, i.e. γ is
   * known to `tol` relative (default 1e-10), down to the floor absTol·‖A‖ set by the rounding
   * of the operator (default 1e-13; ~1e-6 when it is applied in float32).
   */
  tol?: number;
  absTol?: number;
  /** Bytes the stored basis may take (default 256 MiB): caps the Krylov dimension at large sizes. */
  basisBudgetBytes?: number;
  /**
   * Stop as soon as the gate λ_min ≥ gate is decided: "below" once θ_min < gate (certain, since
   * θ_min ≥ λ_min), "above" once the probabilistic lower bound `lowerBound` ≥ gate.
   */
  gate?: number;
  /** Probability with which `lowerBound` holds (default 0.9999). */
  confidence?: number;
}

export interface LanczosResult {
  /** Smallest Ritz value: an upper bound of λ_min, equal to it at convergence. */
  min: number;
  /** Largest Ritz value: a lower bound of λ_max. */
  max: number;
  /** Residual norms ‖A y − θ y‖ of the two extreme Ritz pairs (an eigenvalue lies within each of θ). */
  minResidual: number;
  maxResidual: number;
  /**
   * λ_min ≥ lowerBound with probability ≥ `confidence` over the random start (−Infinity while
   * k is too small for the bound): Kuczyński & Woźniakowski (SIAM J. Matrix Anal. Appl. 13, 1992,
   * Thm 4.2) give P(θ_min − λ_min ≥ ε(λ_max − λ_min)) ≤ 1.648 √n e^{−√ε(2k−1)} for a start uniform
   * on the sphere; with the same at the top end, λ_max − λ_min ≤ (θ_max − θ_min)/(1 − 2ε), so
   * λ_min ≥ θ_min − ε(θ_max − θ_min)/(1 − 2ε) with √ε = ln(2·1.648√n/δ')/(2k − 1). The run may
   * stop at any step (convergence, the gate), so every step's bound uses δ' = δ/maxIter,
   * δ = 1 − confidence: with probability ≥ confidence they hold at all steps at once (union bound),
   * whichever step the run stops at. Exact when the Krylov space is invariant.
   */
  lowerBound: number;
  /** The smallest Ritz pair met the tolerance, or the Krylov space became invariant. */
  converged: boolean;
  /** How the gate was decided when the run stopped on it, else null. */
  decided: "below" | "above" | null;
  /** The Krylov space became invariant (β_k ≈ 0, or the whole space): the Ritz values are eigenvalues. */
  invariant: boolean;
  iterations: number;
  /** Operator applications (= iterations). */
  applications: number;
  /** The Krylov dimension the memory budget allowed. */
  maxIterAllowed: number;
}

/**
 * Extreme eigenvalues of a symmetric operator by Lanczos with full reorthogonalisation: each
 * new vector is orthogonalised against the whole stored basis by modified Gram–Schmidt, a
 * second time when the first pass cancelled more than 30% of its norm ("twice is enough",
 * Kahan–Parlett), so no ghost copies of converged eigenvalues appear. The basis is stored in the
 * float64 kernel's memory (released at the end; the memory keeps its peak size for later kernel
 * buffers) and the steps' vector arithmetic runs there (packages/core/assembly/krylov.ts), with
 * vector.ts's `dot` and `axpy` sums: the bits of those. The tridiagonal T_k is re-diagonalised
 * each step (eigenvalues and last eigenvector components, O(k²)) for the residual estimates
 * β_k |e_kᵀ s_i|.
 */
export function lanczos(op: SymmetricOperator, options: LanczosOptions): LanczosResult {
  const s = op.size;
  const tol = options.tol ?? 1e-10;
  const absTol = options.absTol ?? 1e-13;
  const confidence = options.confidence ?? 0.9999;
  if (!(confidence > 0 && confidence < 1)) {
    throw new CflowError("BAD_OPTION", `lanczos: confidence must lie in (0, 1), found ${confidence}`, { path: "lanczos.confidence", expected: "0 < confidence < 1", found: confidence });
  }
  const delta = 1 - confidence;
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
  // the basis and w live in kernel memory, where each step's arithmetic runs
  // (packages/core/assembly/krylov.ts: vector.ts's `dot` sums; vec.ts's float64 `axpy`, y + a·x);
  // the operator reads the current vector and writes w as JS arrays
  const kernel = Kernel.get("float64");
  const kx = kernel.exports;
  const table = kernel.allocI32(maxIter);
  // the vectors in a few blocks (w and as many vectors as fit 16 MiB, at least 4, then as many again
  // as stored, up to maxIter): each block may grow the kernel's memory, and every growth has a fixed cost
  const blocks: F64Buf[] = [];
  const vectors: F64Buf[] = []; // w, then the basis
  let used = 0; // vectors taken from the last block
  const vector = (): F64Buf => {
    const last = blocks[blocks.length - 1];
    if (!last || used === last.length / s) {
      const count = blocks.length === 0 ? 1 + Math.min(maxIter, Math.max(4, Math.floor(2 ** 21 / s))) : Math.min(maxIter + 1 - vectors.length, Math.max(4, vectors.length - 1));
      blocks.push(kernel.allocF64(count * s));
      used = 0;
    }
    const v = blocks[blocks.length - 1].sub(used * s, s);
    used++;
    vectors.push(v);
    return v;
  };
  const store = () => {
    const v = vector();
    table.view[vectors.length - 2] = v.ptr;
    return v;
  };
  try {
    const wk = vector();
    const alpha: number[] = [];
    const beta: number[] = [];
    const q = Float64Array.from(normal(options.key, s, "float64"));
    scale(s, 1 / norm2(s, q), q);
    store().view.set(q);
    const w = new Float64Array(s);
    let result: LanczosResult | null = null;
    for (let j = 0; j < maxIter; j++) {
      op.apply(q, w);
      wk.view.set(w);
      const qj = vectors[j + 1].ptr;
      let a = kx.krylovDot(s, qj, wk.ptr);
      kx.axpy(s, -a, qj, wk.ptr);
      if (j > 0) kx.axpy(s, -beta[j - 1], vectors[j].ptr, wk.ptr);
      let before = Math.sqrt(kx.krylovDot(s, wk.ptr, wk.ptr));
      for (let pass = 0; pass < 2; pass++) {
        a += kx.gramSchmidtPass(s, j + 1, table.ptr, wk.ptr);
        const after = Math.sqrt(kx.krylovDot(s, wk.ptr, wk.ptr));
        if (after > 0.7 * before) break;
        before = after;
      }
      alpha.push(a);
      const b = Math.sqrt(kx.krylovDot(s, wk.ptr, wk.ptr));
      const k = j + 1;
      const ritz = ritzExtremes(alpha, beta, k);
      const normT = Math.max(Math.abs(ritz.min), Math.abs(ritz.max), Number.MIN_VALUE);
      const invariant = b <= 64 * Number.EPSILON * normT || k === s;
      const minResidual = invariant ? 0 : b * Math.abs(ritz.minLast);
      const maxResidual = invariant ? 0 : b * Math.abs(ritz.maxLast);
      const converged = invariant || minResidual <= tol * Math.abs(ritz.min) + absTol * normT;
      const lowerBound = invariant ? ritz.min : probabilisticLowerBound(ritz.min, ritz.max, s, k, delta / maxIter);
      const gate = options.gate;
      const decided = gate === undefined ? null : ritz.min < gate ? "below" : lowerBound >= gate ? "above" : null;
      result = { min: ritz.min, max: ritz.max, minResidual, maxResidual, lowerBound, converged, decided, invariant, iterations: k, applications: k, maxIterAllowed: maxIter };
      if (converged || decided !== null || k === maxIter) break;
      const next = store();
      kx.krylovQuotient(s, wk.ptr, b, next.ptr);
      q.set(next.view);
      beta.push(b);
    }
    return result as LanczosResult;
  } finally {
    for (const buf of [...blocks, table]) buf.free();
  }
}

/** The Kuczyński–Woźniakowski lower bound of λ_min after k steps on n ≥ 8 unknowns (see LanczosResult.lowerBound). */
export function probabilisticLowerBound(thetaMin: number, thetaMax: number, n: number, k: number, delta: number): number {
  if (n < 8 || k < 2) return Number.NEGATIVE_INFINITY;
  const root = Math.log((2 * 1.648 * Math.sqrt(n)) / delta) / (2 * k - 1);
  const eps = root * root;
  if (eps >= 0.5) return Number.NEGATIVE_INFINITY;
  return thetaMin - (eps * (thetaMax - thetaMin)) / (1 - 2 * eps);
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
