// The JS loops the kernel's dropNegligible (packages/core/assembly/drop-negligible.ts) replaced,
// kept as the reference its output is checked against bit for bit (sparse-symmetric.test.ts).
import { gammaN } from "../src/rounding.js";
import type { Sparsified, SymmetricCsr } from "../src/sparse-symmetric.js";

/**
 * P Ã Pᵀ (perm[new] = old; the identity when null), Ã = A without the off-diagonal entries
 * |A_ij| ≤ τ, τ the largest of budget·10^{−k} (k = 0 … 12) for which no row loses more than `budget`
 * in ℓ1 (τ = 0 when none qualifies: only exact zeros leave). One pass sorts the small entries into
 * decades per row, and counts them per decade by the row of the permuted upper triangle they would
 * land in; a second scatters the kept ones straight into those rows, columns in the order met
 * (sorting them by a transpose cost 40% of the call and sped neither the product nor the incomplete
 * factor: BENCHMARKS.md).
 */
export function dropNegligibleReference(a: SymmetricCsr, budget: number, perm: Int32Array | null = null): Sparsified {
  const { n, rowPtr, col, val } = a;
  const K = 12;
  const D = K + 1;
  const bounds = Float64Array.from({ length: K + 1 }, (_, k) => budget * 10 ** -k);
  const pinv = new Int32Array(n);
  for (let k = 0; k < n; k++) pinv[perm ? perm[k] : k] = k;
  const small = budget > 0;
  // mass[i·D + b]: Σ|A_ij| over j ≠ i in decade b (budget·10^{−b−1}, budget·10^{−b}], the last decade
  // open below; row i's own share is summed in `own` and added once, the column shares scatter.
  // Per row r of the permuted upper triangle (r = min(x, y)): `kept[r]` entries kept whatever τ
  // (above the budget, or NaN), `byDecade[r·D + b]` the non-zero ones of decade b (exact zeros always leave)
  const mass = small ? new Float64Array(n * D) : null;
  const own = new Float64Array(D);
  const count = new Int32Array(n);
  const kept = new Int32Array(n);
  const byDecade = small ? new Int32Array(n * D) : null;
  for (let i = 0; i < n; i++) {
    own.fill(0);
    const x = pinv[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      count[i]++;
      if (j === i) continue;
      count[j]++;
      const y = pinv[j];
      const r = x < y ? x : y;
      const v = Math.abs(val[p]);
      if (v === 0) continue;
      if (!(v <= budget)) {
        kept[r]++; // NaN stays
        continue;
      }
      // the decade by bisection over bounds[0] ≥ … ≥ bounds[K]: b = #{k ≥ 1 : v ≤ bounds[k]}
      let lo = 0;
      let hi = K;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (v <= bounds[mid]) lo = mid;
        else hi = mid - 1;
      }
      own[lo] += v;
      mass![j * D + lo] += v;
      byDecade![r * D + lo]++;
    }
    if (mass) for (let b = 0; b < D; b++) mass[i * D + b] += own[b];
  }
  // τ = bounds[k] drops decades k … K: the first k that keeps every row's loss within the budget
  let threshold = 0;
  let dropped = 0;
  let first = D; // decades below `first` are kept (all of them when τ = 0)
  if (mass && n > 0) {
    let maxRow = 0;
    for (let i = 0; i < n; i++) maxRow = Math.max(maxRow, count[i]);
    // a computed sum of ≤ maxRow non-negative terms (in two partial sums), then ≤ K + 1 decades: within γ of the exact one
    const g = 1 + gammaN(maxRow + K + 2, 2 ** -53);
    for (let k = 0; k <= K; k++) {
      let worst = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let b = k; b <= K; b++) s += mass[i * D + b];
        if (s > worst) worst = s;
      }
      if (worst * g <= budget) {
        threshold = bounds[k];
        dropped = worst * g;
        first = k;
        break;
      }
    }
  }
  // kept entries by row of the permuted upper triangle (row min(x, y), column max(x, y))
  const upPtr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    let c = kept[r];
    if (byDecade) for (let b = 0; b < first; b++) c += byDecade[r * D + b];
    upPtr[r + 1] = upPtr[r] + c;
  }
  const nz = upPtr[n];
  const upCol = new Int32Array(nz);
  const upVal = new Float64Array(nz);
  const fill = upPtr.slice(0, n);
  const diag = new Float64Array(n);
  let diagonals = 0;
  for (let i = 0; i < n; i++) {
    const x = pinv[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      const v = val[p];
      if (j === i) {
        diag[x] += v;
        diagonals++;
        continue;
      }
      if (!(Math.abs(v) > threshold) && !Number.isNaN(v)) continue;
      const y = pinv[j];
      const q = fill[x < y ? x : y]++;
      upCol[q] = x < y ? y : x;
      upVal[q] = v;
    }
  }
  return { matrix: { n, diag, rowPtr: upPtr, col: upCol, val: upVal }, dropped, threshold, kept: (nz + diagonals) / Math.max(1, rowPtr[n]) };
}

