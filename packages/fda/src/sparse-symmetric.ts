import { CflowError } from "@cflow/core";
import { type F64Buf, type I32Buf, Kernel } from "@cflow/core/kernel";
import { pieces } from "./kernel-blocks.js";
import { gammaN } from "./rounding.js";

/**
 * A symmetric matrix in compressed sparse rows, upper triangle only: row i lists each j ≥ i with a
 * stored A_ij once (the diagonal included when non-zero); A_ji = A_ij is implied. Columns are
 * ascending when built by `CooBuilder`, in assembly order by `ShiftClassRows.restrict`. Float64 whatever
 * the run's dtype: the certificates' explicit restricted operators live here.
 */
export interface SymmetricCsr {
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** y ← A x: the plain-TypeScript reference; the certificates' repeated products run in the kernel with its bits (`KernelCsrOperator`). */
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

/** Entries of the full matrix (both triangles): counted by `csrRowSums`, free once its unweighted sums are known. */
export function csrNonzeros(a: SymmetricCsr): number {
  return csrRowSums(a).nonzeros;
}

/** What `csrRowSums` returns. */
export interface RowSums {
  readonly diag: Float64Array;
  readonly off: Float64Array;
  /** Entries of the longest row of the full matrix, diagonal included. */
  readonly maxRow: number;
  /** Entries of the full matrix (both triangles). */
  readonly nonzeros: number;
}

// unweighted row sums per matrix object: plain dominance, both Gershgorin bounds and the entry count
// read the same ones. A matrix is never written after it is returned (`ShiftClassRows.restrict`
// returns a new object when it reuses released storage), so the sums stay its own.
const unweighted = new WeakMap<SymmetricCsr, RowSums>();

/**
 * Per row of the full matrix: the diagonal A_ii, the weighted off-diagonal sum Σ_{j≠i}|A_ij| w_j
 * (w = 1 when null), and the longest row (entries, diagonal included) — what Gershgorin discs and
 * dominance ratios are made of. The unweighted sums are computed once per matrix and shared: the
 * arrays returned are read-only.
 */
export function csrRowSums(a: SymmetricCsr, w: Float64Array | null = null): RowSums {
  if (!w) {
    const known = unweighted.get(a);
    if (known) return known;
  }
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
  let nonzeros = 0;
  for (let i = 0; i < n; i++) {
    maxRow = Math.max(maxRow, count[i]);
    nonzeros += count[i];
  }
  const sums = { diag, off, maxRow, nonzeros };
  if (!w) unweighted.set(a, sums);
  return sums;
}

/**
 * out_i ← Σ_{j≠i} |A_ij| w_j: the weighted off-diagonal sums of `csrRowSums` (same order of
 * summation, same values) without its other outputs, for iterations that need only them.
 */
export function csrAbsOffMultiply(a: SymmetricCsr, w: Float64Array, out: Float64Array): void {
  const { n, rowPtr, col, val } = a;
  out.fill(0, 0, n);
  let p = rowPtr[0];
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    let s = out[i];
    const end = rowPtr[i + 1];
    for (; p < end; p++) {
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

/**
 * A symmetric matrix as its diagonal and its strict upper triangle in CSR rows (a row's columns in
 * any order): the layout of repeated products (`splitMultiply`) and of the incomplete Cholesky
 * factorisation.
 */
export interface SplitCsr {
  readonly n: number;
  readonly diag: Float64Array;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** A symmetric matrix without its negligible off-diagonal entries, permuted, and how far it moved (`dropNegligible`). */
export interface Sparsified {
  /** P Ã Pᵀ, Ã = A less the dropped entries. */
  matrix: SplitCsr;
  /** ‖A − Ã‖₂ ≤ dropped: the largest ℓ1 mass a row lost (A − Ã is symmetric: ‖·‖₂ ≤ ‖·‖∞), rounding included. */
  dropped: number;
  /** Off-diagonal entries with |A_ij| ≤ threshold were left out (0: only exact zeros). */
  threshold: number;
  /** Stored entries kept, as a fraction. */
  kept: number;
}

/**
 * P Ã Pᵀ (perm[new] = old; the identity when null), Ã = A without the off-diagonal entries
 * |A_ij| ≤ τ, τ the largest of budget·10^{−k} (k = 0 … 12) for which no row loses more than `budget`
 * in ℓ1 (τ = 0 when none qualifies: only exact zeros leave). In the kernel (the loops of
 * fda's test/drop-negligible-reference.ts, in their order), one pass sorts the small entries into
 * decades per row, and counts them per decade by the row of the permuted upper triangle they would
 * land in; a second scatters the kept ones straight into those rows, columns in the order met
 * (sorting them by a transpose cost 40% of the call and sped neither the product nor the incomplete
 * factor: BENCHMARKS.md).
 */
export function dropNegligible(a: SymmetricCsr, budget: number, perm: Int32Array | null = null): Sparsified {
  const { n, rowPtr, col, val } = a;
  const K = 12;
  const D = K + 1;
  const bounds = Float64Array.from({ length: K + 1 }, (_, k) => budget * 10 ** -k);
  const small = budget > 0;
  const nnz = rowPtr[n];
  // both passes run in the kernel (packages/core/assembly/drop-negligible.ts: this function's loops,
  // in their order) on one copy of A; the threshold is chosen here from the decade masses
  const k = Kernel.get("float64");
  const ints = k.allocI32(Math.max(1, n + 1 + nnz + 4 * n + (small ? n * D : 0)));
  const reals = k.allocF64(Math.max(1, nnz + K + 1 + D + (small ? n * D : 0)));
  let upCol: I32Buf | null = null;
  let upVal: F64Buf | null = null;
  try {
    const int = pieces(ints);
    const real = pieces(reals);
    const kRowPtr = int(n + 1, rowPtr);
    const kCol = int(nnz, col);
    const kPinv = int(n);
    const pinv = kPinv.view;
    for (let q = 0; q < n; q++) pinv[perm ? perm[q] : q] = q;
    const kCount = int(n);
    const kKept = int(n);
    const kFill = int(n);
    const kByDecade = int(small ? n * D : 0);
    const kVal = real(nnz, val);
    const kBounds = real(K + 1, bounds);
    const kOwn = real(D);
    const kMass = real(small ? n * D : 0);
    kCount.view.fill(0);
    kKept.view.fill(0);
    kByDecade.view.fill(0);
    kMass.view.fill(0);
    k.exports.dropDecades(n, kRowPtr.ptr, kCol.ptr, kVal.ptr, kPinv.ptr, kBounds.ptr, K, budget, small ? 1 : 0, kMass.ptr, kOwn.ptr, kCount.ptr, kKept.ptr, kByDecade.ptr);
    // τ = bounds[k] drops decades k … K: the first k that keeps every row's loss within the budget
    let threshold = 0;
    let dropped = 0;
    let first = D; // decades below `first` are kept (all of them when τ = 0)
    if (small && n > 0) {
      const mass = kMass.view;
      const count = kCount.view;
      let maxRow = 0;
      for (let i = 0; i < n; i++) maxRow = Math.max(maxRow, count[i]);
      // a computed sum of ≤ maxRow non-negative terms (in two partial sums), then ≤ K + 1 decades: within γ of the exact one
      const g = 1 + gammaN(maxRow + K + 2, 2 ** -53);
      for (let t = 0; t <= K; t++) {
        let worst = 0;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let b = t; b <= K; b++) s += mass[i * D + b];
          if (s > worst) worst = s;
        }
        if (worst * g <= budget) {
          threshold = bounds[t];
          dropped = worst * g;
          first = t;
          break;
        }
      }
    }
    // kept entries by row of the permuted upper triangle (row min(x, y), column max(x, y))
    const upPtr = new Int32Array(n + 1);
    const kept = kKept.view;
    const byDecade = small ? kByDecade.view : null;
    for (let r = 0; r < n; r++) {
      let c = kept[r];
      if (byDecade) for (let b = 0; b < first; b++) c += byDecade[r * D + b];
      upPtr[r + 1] = upPtr[r] + c;
    }
    const nz = upPtr[n];
    upCol = k.allocI32(Math.max(1, nz));
    upVal = k.allocF64(Math.max(1, nz) + n);
    const kDiag = upVal.sub(Math.max(1, nz), n);
    kFill.view.set(upPtr.subarray(0, n));
    const diagonals = k.exports.dropScatter(n, kRowPtr.ptr, kCol.ptr, kVal.ptr, kPinv.ptr, threshold, kFill.ptr, upCol.ptr, upVal.ptr, kDiag.ptr);
    const matrix = { n, diag: kDiag.toArray(), rowPtr: upPtr, col: upCol.view.slice(0, nz), val: upVal.view.slice(0, nz) };
    return { matrix, dropped, threshold, kept: (nz + diagonals) / Math.max(1, nnz) };
  } finally {
    ints.free();
    reals.free();
    upCol?.free();
    upVal?.free();
  }
}

/** y ← A x for a `SplitCsr` A: the diagonal, then each upper row once for its row and its column. The plain-TypeScript reference: the congruence route applies it in the kernel with its bits (`CongruenceOperator`). */
export function splitMultiply(a: SplitCsr, x: Float64Array, y: Float64Array): void {
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
