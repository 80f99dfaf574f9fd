// The JS loops the kernel's factorisation and triangular solves (packages/core/assembly/
// incomplete-cholesky.ts, sparse.ts) replaced, kept as the references their bits are checked
// against (incomplete-cholesky.test.ts, congruence-operator.test.ts).
import type { IncompleteCholesky, IncompleteCholeskyOptions, LowerFactor } from "../src/incomplete-cholesky.js";
import { INCOMPLETE_CHOLESKY_DEFAULTS } from "../src/incomplete-cholesky.js";
import type { SplitCsr } from "../src/sparse-symmetric.js";

export function incompleteCholeskyReference(a: SplitCsr, options: IncompleteCholeskyOptions = {}): IncompleteCholesky {
  const t0 = performance.now();
  const tau = options.tau ?? INCOMPLETE_CHOLESKY_DEFAULTS.tau;
  const maxPer = Math.max(0, Math.floor(options.maxPerColumn ?? INCOMPLETE_CHOLESKY_DEFAULTS.maxPerColumn));
  const breakdownRatio = options.breakdownRatio ?? 1e-6;
  const { n, rowPtr, col, val } = a;
  const ad = a.diag;
  const root = new Float64Array(n);
  for (let i = 0; i < n; i++) root[i] = Math.sqrt(ad[i]);
  const comp = new Float64Array(n); // compensation added to each pivot by the entries dropped so far
  const diag = new Float64Array(n);
  const colPtr = new Int32Array(n + 1);
  const rowOut = new Int32Array(n * maxPer);
  const valOut = new Float64Array(n * maxPer);
  // linked lists: head[r] the first column whose next unused entry lies in row r, next[k] the following one
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const pos = new Int32Array(n); // next unused entry of column k
  // sparse accumulator of column j
  const x = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1);
  const touched = new Int32Array(n);
  const score = new Float64Array(n);
  const keep = new Int32Array(n);
  let breakdowns = 0;
  let dropped = 0;
  let w = 0;
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) {
      const i = col[p];
      if (mark[i] !== j) {
        mark[i] = j;
        x[i] = 0;
        touched[m++] = i;
      }
      x[i] += val[p];
    }
    let pivot = ad[j] + comp[j];
    // the columns k < j with L_jk ≠ 0 are those whose next unused entry is in row j
    let k = head[j];
    while (k >= 0) {
      const after = next[k];
      const q0 = pos[k];
      const ljk = valOut[q0];
      pivot -= ljk * ljk;
      const end = colPtr[k + 1];
      for (let q = q0 + 1; q < end; q++) {
        const i = rowOut[q];
        if (mark[i] !== j) {
          mark[i] = j;
          x[i] = 0;
          touched[m++] = i;
        }
        x[i] -= valOut[q] * ljk;
      }
      if (q0 + 1 < end) {
        pos[k] = q0 + 1;
        const r = rowOut[q0 + 1];
        next[k] = head[r];
        head[r] = k;
      }
      k = after;
    }
    // keep the entries above τ (relative), the largest maxPer of them; compensate the others
    let kept = 0;
    const aj = ad[j];
    const rj = root[j];
    for (let t = 0; t < m; t++) {
      const i = touched[t];
      const c = Math.abs(x[i]);
      const rel = c / (root[i] * rj);
      if (rel > tau) {
        score[kept] = rel;
        keep[kept++] = i;
      } else if (c > 0) {
        const omega = root[i] / rj;
        comp[i] += c * omega;
        pivot += c / omega;
        dropped++;
      }
    }
    if (kept > maxPer) {
      // the maxPer largest scores stay in keep[0 … maxPer − 1] (selection), the rest are compensated
      selectLargest(score, keep, kept, maxPer);
      for (let t = maxPer; t < kept; t++) {
        const i = keep[t];
        const c = Math.abs(x[i]);
        const omega = root[i] / rj;
        comp[i] += c * omega;
        pivot += c / omega;
        dropped++;
      }
      kept = maxPer;
    }
    if (!(pivot > breakdownRatio * aj)) {
      // breakdown: column j keeps its diagonal only (a_jj plus its compensation), so nothing divided
      // by a tiny pivot reaches the later columns
      pivot = aj + comp[j];
      kept = 0;
      breakdowns++;
    }
    const d = Math.sqrt(pivot);
    diag[j] = d;
    // rows ascending (insertion sort: kept ≤ maxPer)
    for (let t = 1; t < kept; t++) {
      const v = keep[t];
      let u = t - 1;
      while (u >= 0 && keep[u] > v) {
        keep[u + 1] = keep[u];
        u--;
      }
      keep[u + 1] = v;
    }
    colPtr[j] = w;
    for (let t = 0; t < kept; t++) {
      rowOut[w] = keep[t];
      valOut[w] = x[keep[t]] / d;
      w++;
    }
    colPtr[j + 1] = w;
    if (kept > 0) {
      pos[j] = colPtr[j];
      const r = rowOut[colPtr[j]];
      next[j] = head[r];
      head[r] = j;
    }
  }
  let diagMax = 0;
  let diagMin = Number.POSITIVE_INFINITY;
  for (let j = 0; j < n; j++) {
    diagMax = Math.max(diagMax, diag[j]);
    diagMin = Math.min(diagMin, diag[j]);
  }
  return { factor: { n, diag, colPtr, row: rowOut.slice(0, w), val: valOut.slice(0, w) }, breakdowns, dropped, diagMax, diagMin, ms: performance.now() - t0 };
}

/**
 * Reorders score[0 … m − 1] (and keep alongside) so that its `top` largest come first (Hoare's
 * selection with the middle element as pivot; the order within each side is arbitrary).
 */
function selectLargest(score: Float64Array, keep: Int32Array, m: number, top: number): void {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const pivot = score[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (score[i] > pivot) i++;
      while (score[j] < pivot) j--;
      if (i <= j) {
        const s = score[i];
        score[i] = score[j];
        score[j] = s;
        const k = keep[i];
        keep[i] = keep[j];
        keep[j] = k;
        i++;
        j--;
      }
    }
    // [lo, j] ≥ pivot ≥ [i, hi]
    if (top - 1 <= j) hi = j;
    else if (top - 1 >= i) lo = i;
    else return;
  }
}

/** x ← L⁻¹ b (forward substitution by columns; b is left unchanged). */
export function lowerSolve(f: LowerFactor, b: Float64Array, x: Float64Array): void {
  const { n, diag, colPtr, row, val } = f;
  x.set(b.subarray(0, n));
  for (let j = 0; j < n; j++) {
    const xj = x[j] / diag[j];
    x[j] = xj;
    const end = colPtr[j + 1];
    for (let q = colPtr[j]; q < end; q++) x[row[q]] -= val[q] * xj;
  }
}

/** x ← L⁻ᵀ b (back substitution: column j of L is row j of Lᵀ). */
export function lowerTransposeSolve(f: LowerFactor, b: Float64Array, x: Float64Array): void {
  const { n, diag, colPtr, row, val } = f;
  // each column's rows visited from the last (measured: ~3× faster than from the first in V8)
  let q = colPtr[n] - 1;
  for (let j = n - 1; j >= 0; j--) {
    let s = b[j];
    const start = colPtr[j];
    for (; q >= start; q--) s -= val[q] * x[row[q]];
    x[j] = s / diag[j];
  }
}

/** out ← L⁻ᵀ L⁻¹ v by the two JS solves (v and out may be the same array): `squaredConditionEstimate`'s solve. */
export function normalSolveReference(f: LowerFactor): (v: Float64Array, out: Float64Array) => void {
  const t = new Float64Array(f.n);
  return (v, out) => {
    lowerSolve(f, v, t);
    lowerTransposeSolve(f, t, out);
  };
}
