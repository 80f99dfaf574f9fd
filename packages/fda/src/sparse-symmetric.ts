import { CflowError } from "@cflow/core";
import { gammaN } from "./rounding.js";

/**
 * A symmetric matrix in compressed sparse rows, upper triangle only: row i lists each j ≥ i with a
 * stored A_ij once (the diagonal included when non-zero); A_ji = A_ij is implied. Columns are
 * ascending when built by `CooBuilder`, in assembly order by `UpperRowsBuilder`. Float64 whatever
 * the run's dtype: the certificates' explicit restricted operators live here.
 */
export interface SymmetricCsr {
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** y ← A x. */
export function csrMultiply(a: SymmetricCsr, x: Float64Array, y: Float64Array): void {
  const { n, rowPtr, col, val } = a;
  y.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let s = y[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      const v = val[p];
      s += v * x[j];
      if (j !== i) y[j] += v * xi;
    }
    y[i] = s;
  }
}

/** Entries of the full matrix (both triangles). */
export function csrNonzeros(a: SymmetricCsr): number {
  let diag = 0;
  for (let i = 0; i < a.n; i++) for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) if (a.col[p] === i) diag++;
  return 2 * a.rowPtr[a.n] - diag;
}

/**
 * Per row of the full matrix: the diagonal A_ii, the weighted off-diagonal sum Σ_{j≠i}|A_ij| w_j
 * (w = 1 when null), and the longest row (entries, diagonal included) — what Gershgorin discs and
 * dominance ratios are made of.
 */
export function csrRowSums(a: SymmetricCsr, w: Float64Array | null = null): { diag: Float64Array; off: Float64Array; maxRow: number } {
  const { n, rowPtr, col, val } = a;
  const diag = new Float64Array(n);
  const off = new Float64Array(n);
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      const v = Math.abs(val[p]);
      count[i]++;
      if (j === i) {
        diag[i] = val[p];
        continue;
      }
      count[j]++;
      off[i] += v * (w ? w[j] : 1);
      off[j] += v * wi;
    }
  }
  let maxRow = 0;
  for (let i = 0; i < n; i++) maxRow = Math.max(maxRow, count[i]);
  return { diag, off, maxRow };
}

/**
 * out_i ← Σ_{j≠i} |A_ij| w_j: the weighted off-diagonal sums of `csrRowSums` (same order of
 * summation, same values) without its other outputs, for iterations that need only them.
 */
export function csrAbsOffMultiply(a: SymmetricCsr, w: Float64Array, out: Float64Array): void {
  const { n, rowPtr, col, val } = a;
  out.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    let s = out[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      if (j === i) continue;
      const v = Math.abs(val[p]);
      s += v * w[j];
      out[j] += v * wi;
    }
    out[i] = s;
  }
}

/**
 * Coordinate lists of the upper triangle: entries (i, j) are appended in any order with i ≤ j
 * (swapped otherwise; duplicates are summed) and sorted into CSR by two counting passes.
 */
export class CooBuilder {
  private rows: Int32Array;
  private cols: Int32Array;
  private vals: Float64Array;
  private size = 0;

  constructor(
    readonly n: number,
    capacity = 1024,
  ) {
    this.rows = new Int32Array(capacity);
    this.cols = new Int32Array(capacity);
    this.vals = new Float64Array(capacity);
  }

  push(i: number, j: number, v: number): void {
    if (this.size === this.rows.length) {
      const cap = this.rows.length * 2;
      const r = new Int32Array(cap);
      const c = new Int32Array(cap);
      const x = new Float64Array(cap);
      r.set(this.rows);
      c.set(this.cols);
      x.set(this.vals);
      this.rows = r;
      this.cols = c;
      this.vals = x;
    }
    this.rows[this.size] = Math.min(i, j);
    this.cols[this.size] = Math.max(i, j);
    this.vals[this.size] = v;
    this.size++;
  }

  /** The CSR matrix (columns ascending, duplicates summed). */
  toCsr(): SymmetricCsr {
    const n = this.n;
    const nz = this.size;
    // bucket by column, then by row visiting columns in order: rows come out sorted by column
    const colPtr = new Int32Array(n + 1);
    for (let k = 0; k < nz; k++) colPtr[this.cols[k] + 1]++;
    for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
    const byColRow = new Int32Array(nz);
    const byColVal = new Float64Array(nz);
    const next = colPtr.slice(0, n);
    for (let k = 0; k < nz; k++) {
      const q = next[this.cols[k]]++;
      byColRow[q] = this.rows[k];
      byColVal[q] = this.vals[k];
    }
    const rowPtr = new Int32Array(n + 1);
    for (let k = 0; k < nz; k++) rowPtr[byColRow[k] + 1]++;
    for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
    const col = new Int32Array(nz);
    const val = new Float64Array(nz);
    const fill = rowPtr.slice(0, n);
    for (let j = 0; j < n; j++) {
      for (let q = colPtr[j]; q < colPtr[j + 1]; q++) {
        const p = fill[byColRow[q]]++;
        col[p] = j;
        val[p] = byColVal[q];
      }
    }
    let w = 0;
    const outPtr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      outPtr[i] = w;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        if (w > outPtr[i] && col[w - 1] === col[p]) val[w - 1] += val[p];
        else {
          col[w] = col[p];
          val[w] = val[p];
          w++;
        }
      }
    }
    outPtr[n] = w;
    return { n, rowPtr: outPtr, col: col.slice(0, w), val: val.slice(0, w) };
  }
}

/**
 * Rows of the upper triangle appended in order (row 0 first, every entry of a row before the next
 * row starts), each (i, j ≥ i) once: no sorting pass, for assemblies that produce rows in order,
 * as the shift-class restriction does.
 */
export class UpperRowsBuilder {
  private col: Int32Array;
  private val: Float64Array;
  private size = 0;
  private row = -1;
  private readonly rowPtr: Int32Array;

  constructor(
    readonly n: number,
    capacity = 1024,
  ) {
    this.col = new Int32Array(capacity);
    this.val = new Float64Array(capacity);
    this.rowPtr = new Int32Array(n + 1);
  }

  /** A_ij = v, j ≥ i, rows non-decreasing across calls. */
  push(i: number, j: number, v: number): void {
    if (i < this.row || j < i) {
      throw new CflowError("BAD_OPTION", `UpperRowsBuilder.push: entry (${i}, ${j}) after row ${this.row}; rows must come in order and j ≥ i`, { path: "UpperRowsBuilder", expected: `i ≥ ${this.row}, j ≥ i`, found: `(${i}, ${j})` });
    }
    while (this.row < i) this.rowPtr[++this.row] = this.size;
    if (this.size === this.col.length) {
      const c = new Int32Array(this.col.length * 2);
      const x = new Float64Array(this.col.length * 2);
      c.set(this.col);
      x.set(this.val);
      this.col = c;
      this.val = x;
    }
    this.col[this.size] = j;
    this.val[this.size] = v;
    this.size++;
  }

  toCsr(): SymmetricCsr {
    while (this.row < this.n) this.rowPtr[++this.row] = this.size;
    // a nearly full buffer is kept as a view (no copy of tens of millions of entries), else trimmed
    const view = this.size >= 0.75 * this.col.length;
    return { n: this.n, rowPtr: this.rowPtr, col: view ? this.col.subarray(0, this.size) : this.col.slice(0, this.size), val: view ? this.val.subarray(0, this.size) : this.val.slice(0, this.size) };
  }
}

/** A dense symmetric row-major n×n matrix as CSR (upper triangle, exact zeros left out). */
export function csrFromDense(a: ArrayLike<number>, n: number): SymmetricCsr {
  if (a.length < n * n) throw new CflowError("SHAPE_MISMATCH", `csrFromDense: expected ${n * n} entries, found ${a.length}`, { path: "csrFromDense", expected: n * n, found: a.length });
  const b = new CooBuilder(n, Math.max(16, n * 4));
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) if (a[i * n + j] !== 0) b.push(i, j, a[i * n + j]);
  return b.toCsr();
}

/** The matrix as a dense row-major array (small sizes: tests and dense cross-checks). */
export function csrToDense(a: SymmetricCsr): Float64Array {
  const n = a.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const j = a.col[p];
      out[i * n + j] += a.val[p];
      if (j !== i) out[j * n + i] += a.val[p];
    }
  }
  return out;
}

/** A symmetric matrix without its negligible off-diagonal entries, and how far it moved (`dropNegligible`). */
export interface Sparsified {
  matrix: SymmetricCsr;
  /** ‖A − Ã‖₂ ≤ dropped: the largest ℓ1 mass a row lost (A − Ã is symmetric: ‖·‖₂ ≤ ‖·‖∞), rounding included. */
  dropped: number;
  /** Off-diagonal entries with |A_ij| ≤ threshold were left out (0: none). */
  threshold: number;
  /** Stored entries kept, as a fraction. */
  kept: number;
}

/**
 * A copy of A for repeated products: the off-diagonal entries |A_ij| ≤ τ left out, τ the largest of
 * budget·10^{−k} (k = 0 … 12) for which no row loses more than `budget` in ℓ1. One pass sorts the
 * small entries into decades per row, a second copies the rest. A when nothing can be dropped.
 */
export function dropNegligible(a: SymmetricCsr, budget: number): Sparsified {
  const { n, rowPtr, col, val } = a;
  const none: Sparsified = { matrix: a, dropped: 0, threshold: 0, kept: 1 };
  if (!(budget > 0) || n === 0) return none;
  const K = 12;
  const bounds = Float64Array.from({ length: K + 1 }, (_, k) => budget * 10 ** -k);
  // mass[i·(K + 1) + b]: Σ|A_ij| over j ≠ i in decade b (budget·10^{−b−1}, budget·10^{−b}], the last decade open below
  const mass = new Float64Array(n * (K + 1));
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p];
      count[i]++;
      if (j === i) continue;
      count[j]++;
      const v = Math.abs(val[p]);
      if (!(v <= budget)) continue; // NaN stays
      let b = 0;
      while (b < K && v <= bounds[b + 1]) b++;
      mass[i * (K + 1) + b] += v;
      mass[j * (K + 1) + b] += v;
    }
  }
  let maxRow = 0;
  for (let i = 0; i < n; i++) maxRow = Math.max(maxRow, count[i]);
  // a computed sum of ≤ maxRow non-negative terms, then ≤ K + 1 decades: within γ of the exact one
  const g = 1 + gammaN(maxRow + K + 1, 2 ** -53);
  let chosen = -1;
  let dropped = 0;
  for (let k = 0; k <= K; k++) {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let b = k; b <= K; b++) s += mass[i * (K + 1) + b];
      if (s > worst) worst = s;
    }
    if (worst * g <= budget) {
      chosen = k;
      dropped = worst * g;
      break;
    }
  }
  if (chosen < 0) return none;
  const threshold = bounds[chosen];
  const outPtr = new Int32Array(n + 1);
  let w = 0;
  for (let i = 0; i < n; i++) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) if (col[p] === i || !(Math.abs(val[p]) <= threshold)) w++;
  const outCol = new Int32Array(w);
  const outVal = new Float64Array(w);
  w = 0;
  for (let i = 0; i < n; i++) {
    outPtr[i] = w;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      if (col[p] !== i && Math.abs(val[p]) <= threshold) continue;
      outCol[w] = col[p];
      outVal[w] = val[p];
      w++;
    }
  }
  outPtr[n] = w;
  return { matrix: { n, rowPtr: outPtr, col: outCol, val: outVal }, dropped, threshold, kept: w / Math.max(1, rowPtr[n]) };
}

/**
 * P A Pᵀ for the permutation perm[new] = old, split for repeated products: the diagonal less a
 * shift, `diag[i] = (PAPᵀ)_ii − shift`, and the strict upper triangle as CSR rows (`shiftedMultiply`).
 */
export interface SplitCsr {
  readonly n: number;
  readonly diag: Float64Array;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

export function permuteSplit(a: SymmetricCsr, perm: Int32Array, shift: number): SplitCsr {
  const { n, rowPtr, col, val } = a;
  const pinv = new Int32Array(n);
  for (let k = 0; k < n; k++) pinv[perm[k]] = k;
  const diag = new Float64Array(n);
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const x = pinv[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const y = pinv[col[p]];
      if (x === y) diag[x] += val[p];
      else ptr[Math.min(x, y) + 1]++;
    }
  }
  for (let i = 0; i < n; i++) ptr[i + 1] += ptr[i];
  const outCol = new Int32Array(ptr[n]);
  const outVal = new Float64Array(ptr[n]);
  const fill = ptr.slice(0, n);
  for (let i = 0; i < n; i++) {
    const x = pinv[i];
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const y = pinv[col[p]];
      if (x === y) continue;
      const q = fill[Math.min(x, y)]++;
      outCol[q] = Math.max(x, y);
      outVal[q] = val[p];
    }
  }
  for (let i = 0; i < n; i++) diag[i] -= shift;
  return { n, diag, rowPtr: ptr, col: outCol, val: outVal };
}

/** y ← (A − shift·I) x for a `permuteSplit` matrix: one pass, no branch per entry. */
export function shiftedMultiply(a: SplitCsr, x: Float64Array, y: Float64Array): void {
  const { n, diag, rowPtr, col, val } = a;
  for (let i = 0; i < n; i++) y[i] = diag[i] * x[i];
  let p = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    // two accumulators for the row's gather (a chain of dependent additions otherwise); the scatter is independent
    let s0 = y[i];
    let s1 = 0;
    const end = rowPtr[i + 1];
    for (; p + 1 < end; p += 2) {
      const j0 = col[p];
      const j1 = col[p + 1];
      const v0 = val[p];
      const v1 = val[p + 1];
      s0 += v0 * x[j0];
      s1 += v1 * x[j1];
      y[j0] += v0 * xi;
      y[j1] += v1 * xi;
    }
    if (p < end) {
      const j = col[p];
      s0 += val[p] * x[j];
      y[j] += val[p] * xi;
      p++;
    }
    y[i] = s0 + s1;
  }
}
