// The threshold incomplete Cholesky factorisation of the certificates' congruence route
// (packages/fda/src/incomplete-cholesky.ts), in float64 in both builds: the same operations in the
// same order as the JS loop it replaces, so the factor's bits are that loop's.
import { at32, at64 } from "./common/real";

@inline function ld64(p: usize, i: i32): f64 {
  return load<f64>(at64(p, i));
}
@inline function st64(p: usize, i: i32, v: f64): void {
  store<f64>(at64(p, i), v);
}
@inline function ld32(p: usize, i: i32): i32 {
  return load<i32>(at32(p, i));
}
@inline function st32(p: usize, i: i32, v: i32): void {
  store<i32>(at32(p, i), v);
}

/**
 * Reorders score[0 … m − 1] (and keep alongside) so that its `top` largest come first (Hoare's
 * selection with the middle element as pivot) — selectLargest of the JS factorisation.
 */
function selectLargest(score: usize, keep: usize, m: i32, top: i32): void {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const pivot = ld64(score, (lo + hi) >>> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (ld64(score, i) > pivot) i++;
      while (ld64(score, j) < pivot) j--;
      if (i <= j) {
        const s = ld64(score, i);
        st64(score, i, ld64(score, j));
        st64(score, j, s);
        const k = ld32(keep, i);
        st32(keep, i, ld32(keep, j));
        st32(keep, j, k);
        i++;
        j--;
      }
    }
    if (top - 1 <= j) hi = j;
    else if (top - 1 >= i) lo = i;
    else return;
  }
}

/**
 * Threshold incomplete Cholesky A ≈ L Lᵀ of A given as its positive diagonal `ad` and strict upper
 * rows (rowPtr, col: i32; val: f64), left-looking by columns with linked lists of the columns that
 * update the next, entries kept above tau·√(a_ii a_jj), at most maxPer per column, the others
 * compensated on both diagonals (Ajiz–Jennings), a pivot below breakdownRatio·a_jj a breakdown
 * (the column keeps its diagonal only). Output: diag (n f64), colPtr (n + 1 i32), rows and values
 * (capacity n·maxPer each); workspace: root, comp, x, score (n f64 each), head, next, pos, mark,
 * touched, keep (n i32 each). stats (2 i32) ← breakdowns, dropped entries. Returns the entries kept.
 */
export function incompleteCholeskyFactor(
  n: i32,
  ad: usize,
  rowPtr: usize,
  col: usize,
  val: usize,
  tau: f64,
  maxPer: i32,
  breakdownRatio: f64,
  diag: usize,
  colPtr: usize,
  rowOut: usize,
  valOut: usize,
  reals: usize,
  ints: usize,
  stats: usize,
): i32 {
  const root = reals;
  const comp = reals + (<usize>n << 3);
  const x = reals + (<usize>(2 * n) << 3);
  const score = reals + (<usize>(3 * n) << 3);
  const head = ints;
  const next = ints + (<usize>n << 2);
  const pos = ints + (<usize>(2 * n) << 2);
  const mark = ints + (<usize>(3 * n) << 2);
  const touched = ints + (<usize>(4 * n) << 2);
  const keep = ints + (<usize>(5 * n) << 2);
  for (let i = 0; i < n; i++) {
    st64(root, i, Math.sqrt(ld64(ad, i)));
    st64(comp, i, 0);
    st32(head, i, -1);
    st32(next, i, -1);
    st32(pos, i, 0);
    st32(mark, i, -1);
  }
  let breakdowns = 0;
  let dropped = 0;
  let w = 0;
  for (let j = 0; j < n; j++) {
    let m = 0;
    const rowEnd = ld32(rowPtr, j + 1);
    for (let p = ld32(rowPtr, j); p < rowEnd; p++) {
      const i = ld32(col, p);
      if (ld32(mark, i) != j) {
        st32(mark, i, j);
        st64(x, i, 0);
        st32(touched, m++, i);
      }
      st64(x, i, ld64(x, i) + ld64(val, p));
    }
    let pivot = ld64(ad, j) + ld64(comp, j);
    let k = ld32(head, j);
    while (k >= 0) {
      const after = ld32(next, k);
      const q0 = ld32(pos, k);
      const ljk = ld64(valOut, q0);
      pivot -= ljk * ljk;
      const end = ld32(colPtr, k + 1);
      for (let q = q0 + 1; q < end; q++) {
        const i = ld32(rowOut, q);
        if (ld32(mark, i) != j) {
          st32(mark, i, j);
          st64(x, i, 0);
          st32(touched, m++, i);
        }
        st64(x, i, ld64(x, i) - ld64(valOut, q) * ljk);
      }
      if (q0 + 1 < end) {
        st32(pos, k, q0 + 1);
        const r = ld32(rowOut, q0 + 1);
        st32(next, k, ld32(head, r));
        st32(head, r, k);
      }
      k = after;
    }
    let kept = 0;
    const aj = ld64(ad, j);
    const rj = ld64(root, j);
    for (let t = 0; t < m; t++) {
      const i = ld32(touched, t);
      const c = Math.abs(ld64(x, i));
      const rel = c / (ld64(root, i) * rj);
      if (rel > tau) {
        st64(score, kept, rel);
        st32(keep, kept++, i);
      } else if (c > 0) {
        const omega = ld64(root, i) / rj;
        st64(comp, i, ld64(comp, i) + c * omega);
        pivot += c / omega;
        dropped++;
      }
    }
    if (kept > maxPer) {
      selectLargest(score, keep, kept, maxPer);
      for (let t = maxPer; t < kept; t++) {
        const i = ld32(keep, t);
        const c = Math.abs(ld64(x, i));
        const omega = ld64(root, i) / rj;
        st64(comp, i, ld64(comp, i) + c * omega);
        pivot += c / omega;
        dropped++;
      }
      kept = maxPer;
    }
    if (!(pivot > breakdownRatio * aj)) {
      pivot = aj + ld64(comp, j);
      kept = 0;
      breakdowns++;
    }
    const d = Math.sqrt(pivot);
    st64(diag, j, d);
    for (let t = 1; t < kept; t++) {
      const v = ld32(keep, t);
      let u = t - 1;
      while (u >= 0 && ld32(keep, u) > v) {
        st32(keep, u + 1, ld32(keep, u));
        u--;
      }
      st32(keep, u + 1, v);
    }
    st32(colPtr, j, w);
    for (let t = 0; t < kept; t++) {
      const i = ld32(keep, t);
      st32(rowOut, w, i);
      st64(valOut, w, ld64(x, i) / d);
      w++;
    }
    st32(colPtr, j + 1, w);
    if (kept > 0) {
      st32(pos, j, ld32(colPtr, j));
      const r = ld32(rowOut, ld32(colPtr, j));
      st32(next, j, ld32(head, r));
      st32(head, r, j);
    }
  }
  st32(stats, 0, breakdowns);
  st32(stats, 1, dropped);
  return w;
}
