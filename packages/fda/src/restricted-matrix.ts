import { CflowError } from "@cflow/core";
import { type ApplicationBound, gammaN } from "./rounding.js";
import { CooBuilder, csrRowSums, type SymmetricCsr } from "./sparse-symmetric.js";
import type { SymmetricOperator } from "./wspace-operator.js";

/**
 * The restricted operator L_S = E_Sᵀ (W L Wᵀ / s) E_S as an explicit symmetric matrix L̂_S with a
 * proven bound on what separates them: ‖L_S − L̂_S‖₂ ≤ perturbation (entries dropped as
 * negligible + the rounding of the computed entries). Every γ route certifies L̂_S and subtracts
 * `perturbation` (Weyl: |λ_k(L_S) − λ_k(L̂_S)| ≤ ‖L_S − L̂_S‖₂).
 */
export interface RestrictedMatrix {
  /** S: the coefficient indices (ascending); row p of `matrix` is coefficient active[p]. */
  readonly active: Int32Array;
  readonly matrix: SymmetricCsr;
  /** ‖L_S − L̂_S‖₂ ≤ perturbation (the margin every γ route subtracts). */
  readonly perturbation: number;
  /** max_i Σ_j |(L_S − L̂_S)_ij| ≤ rowPerturbation (≥ perturbation; the margin of the η_dd bounds). */
  readonly rowPerturbation: number;
  readonly parts: { dropped: number; rounding: number; taps?: number };
  /** Positions of the unknowns (|S| × dims, row-major; atom centres in samples) for nested dissection, when known. */
  readonly coordinates?: Float64Array;
  readonly dims?: number;
  /** How the entries were obtained. */
  readonly source: "shift-class rows" | "exact rows";
  /** Wall time of the assembly (ms), not counting work cached before it. */
  readonly ms: number;
}

/**
 * L̂_S for an operator without translation structure: one application per row (the restricted
 * operator `op`, of size |S|, on unit vectors), up to `limit` rows. The computed columns C are
 * symmetrised, L̂ = (C + Cᵀ)/2, so L_S − L̂ = ((L_S − C) + (L_S − C)ᵀ)/2 and
 * ‖L_S − L̂‖₂ ≤ ‖L_S − C‖₂ ≤ ‖L_S − C‖_F ≤ √|S|·relErr (each column's error is at most
 * relErr·‖e_i‖ by the application bound), plus u·max row sum of |L̂| for adding the two halves.
 * Exact zeros are left out; nothing else is dropped.
 */
export function exactRowsMatrix(op: SymmetricOperator, active: Int32Array, options: { bound: ApplicationBound; limit?: number }): RestrictedMatrix {
  const t0 = performance.now();
  const s = op.size;
  const limit = options.limit ?? 4096;
  if (s !== active.length) throw new CflowError("SHAPE_MISMATCH", `exactRowsMatrix: operator size ${s} differs from the active set's ${active.length}`, { path: "exactRowsMatrix", expected: active.length, found: s });
  if (s > limit) {
    throw new CflowError("TOO_LARGE", `exactRowsMatrix: ${s} rows exceed the limit of ${limit} (one operator application each)`, { path: "exactRowsMatrix.limit", expected: `≤ ${limit} rows`, found: s, hint: "raise limit, or give a translation-invariant operator and a periodised transform (shift-class rows)" });
  }
  if (!(options.bound.relErr >= 0)) throw new CflowError("BAD_OPTION", `exactRowsMatrix: bound.relErr must be ≥ 0, found ${options.bound.relErr}`, { path: "exactRowsMatrix.bound.relErr", expected: "≥ 0", found: options.bound.relErr });
  const e = new Float64Array(s);
  const y = new Float64Array(s);
  const b = new CooBuilder(s, Math.max(16, 8 * s));
  for (let j = 0; j < s; j++) {
    e[j] = 1;
    op.apply(e, y);
    e[j] = 0;
    for (let i = 0; i < s; i++) {
      const v = y[i];
      if (v === 0) continue;
      // (C + Cᵀ)/2: each computed entry contributes half to the stored (min, max) entry
      b.push(i, j, i === j ? v : v / 2);
    }
  }
  const matrix = b.toCsr();
  // the two halves of an entry are added once more: |R_ij| ≤ u|L̂_ij|, ‖R‖₂ ≤ u·max row sum of |L̂|
  const sums = csrRowSums(matrix);
  let maxRowAbs = 0;
  for (let i = 0; i < s; i++) maxRowAbs = Math.max(maxRowAbs, Math.abs(sums.diag[i]) + sums.off[i]);
  const halves = 2 ** -53 * maxRowAbs * (1 + gammaN(s, 2 ** -53));
  const rounding = Math.sqrt(s) * options.bound.relErr + halves;
  // row ℓ1 of ((L − C) + (L − C)ᵀ)/2: (√s‖row_i(L − C)‖₂ + √s‖col_i(L − C)‖₂)/2 ≤ (s + √s)·relErr/2
  const rowRounding = ((s + Math.sqrt(s)) / 2) * options.bound.relErr + halves;
  return {
    active,
    matrix,
    perturbation: rounding * (1 + 2 ** -50),
    rowPerturbation: Math.max(rounding, rowRounding) * (1 + 2 ** -50),
    parts: { dropped: 0, rounding },
    source: "exact rows",
    ms: performance.now() - t0,
  };
}
