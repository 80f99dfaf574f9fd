import type { Permutation } from "./nested-dissection.js";
import type { SymmetricCsr } from "./sparse-symmetric.js";

/**
 * Sparse Cholesky A = RᵀR (R = Lᵀ) in float64 for the inertia certificate, in a fill-reducing
 * order (nested-dissection.ts): the elimination tree and the up-looking factorisation (Davis, Direct
 * Methods for Sparse Linear Systems, SIAM 2006, §4.2 `cs_chol`): row k of L solves
 * L[0:k, 0:k] x = A[0:k, k] over the row's pattern (the reach of A's column in the elimination
 * tree), then L_kk = √(A_kk − ‖x‖²). It stops at the first pivot that is not positive.
 */

export interface CholeskyResult {
  /** The factorisation reached the end with every pivot positive. */
  ok: boolean;
  /** Position (in the permuted order) whose pivot was not positive, or −1. */
  failedAt: number;
  /** Stored entries of the factor's tiles (the lower triangle, explicit zeros inside tiles included). */
  factorEntries: number;
  /** Tile side. */
  tile: number;
  /**
   * k: no inner product of the factorisation has more than k non-zero terms (the longest row of
   * the factor's tile pattern, in entries): the backward-error bound uses γ_{k+1}.
   */
  longestInnerProduct: number;
  /** Trace of the matrix factored (the shifted one, as computed), for the backward-error bound. */
  trace: number;
  /** max_i |computed (A − sI)_ii − exact|: the rounding of the shift. */
  shiftRounding: number;
  flops: number;
  ms: number;
  /** With `keepFactor`: the computed lower factor of P(A − shift·I)Pᵀ, dense row-major n×n (tests, small n). */
  factor?: Float64Array;
}

/**
 * Cholesky of P(A − shift·I)Pᵀ by dense tiles: the permuted matrix is cut into b×b tiles, the
 * tiles the factor fills are found by block elimination (tile (I, J) fills when tiles (I, K) and
 * (J, K) are non-zero for some K < J), and the factorisation runs right-looking over tile columns
 * (tile Cholesky, TRSM on the column below, then the rank-b updates of the trailing tiles) — the
 * same arithmetic as the textbook algorithm with every inner product summed in a blocked order.
 * It stops at the first pivot that is not positive. The shifted diagonal is computed as
 * fl(A_ii − shift); its rounding (≤ u|A_ii − shift|) is reported.
 */
export function sparseCholesky(a: SymmetricCsr, shift: number, perm: Permutation, options: { tile?: number; keepFactor?: boolean } = {}): CholeskyResult {
  const t0 = performance.now();
  const n = a.n;
  const b = Math.max(1, options.tile ?? 48);
  const nt = Math.ceil(n / b);
  const pinv = new Int32Array(n);
  for (let k = 0; k < n; k++) pinv[perm[k]] = k;
  // tile pattern of the lower triangle, then its fill by block elimination
  const colRows: Set<number>[] = Array.from({ length: nt }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const x = pinv[i];
      const y = pinv[a.col[p]];
      colRows[Math.floor(Math.min(x, y) / b)].add(Math.floor(Math.max(x, y) / b));
    }
  }
  for (let K = 0; K < nt; K++) colRows[K].add(K);
  const cols: Int32Array[] = new Array(nt);
  for (let K = 0; K < nt; K++) {
    const rows = Int32Array.from(colRows[K]).sort();
    cols[K] = rows;
    // rows[0] = K; every pair I ≥ J > K of the column fills (I, J)
    for (let x = 1; x < rows.length; x++) for (let y = 1; y <= x; y++) colRows[rows[y]].add(rows[x]);
  }
  // tile storage: index[J][position of I in cols[J]]
  const tileOf = new Map<number, Float64Array>();
  const key = (I: number, J: number) => I * nt + J;
  let factorEntries = 0;
  const rowTiles = new Int32Array(nt);
  for (let J = 0; J < nt; J++) {
    cols[J] = Int32Array.from(colRows[J]).sort();
    for (const I of cols[J]) {
      tileOf.set(key(I, J), new Float64Array(b * b));
      factorEntries += b * b;
      rowTiles[I]++;
    }
  }
  let longest = 0;
  for (let I = 0; I < nt; I++) longest = Math.max(longest, rowTiles[I] * b);
  longest = Math.min(longest, n);
  // scatter A − shift·I (lower part); padding rows beyond n get a unit diagonal (exact, independent)
  let trace = 0;
  let shiftRounding = 0;
  const diagSeen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const x = pinv[i];
      const y = pinv[a.col[p]];
      const pi = Math.max(x, y);
      const pj = Math.min(x, y);
      let v = a.val[p];
      if (pj === pi) {
        v -= shift;
        diagSeen[pi] = 1;
        trace += v;
        // |fl(a − s) − (a − s)| ≤ u|a − s| ≤ u(1 + u)|fl(a − s)| ≤ 2u·|fl(a − s)|
        shiftRounding = Math.max(shiftRounding, 2 ** -52 * Math.abs(v));
      }
      tileOf.get(key(Math.floor(pi / b), Math.floor(pj / b)))![(pi % b) * b + (pj % b)] += v;
    }
  }
  for (let k = 0; k < n; k++) {
    if (!diagSeen[k]) {
      tileOf.get(key(Math.floor(k / b), Math.floor(k / b)))![(k % b) * b + (k % b)] = -shift;
      trace -= shift;
    }
  }
  for (let k = n; k < nt * b; k++) tileOf.get(key(nt - 1, nt - 1))![(k % b) * b + (k % b)] = 1;
  let flops = 0;
  for (let K = 0; K < nt; K++) {
    const Tkk = tileOf.get(key(K, K))!;
    const bad = denseCholesky(Tkk, b);
    flops += (b * b * b) / 3;
    if (bad >= 0) {
      return { ok: false, failedAt: K * b + bad, factorEntries, tile: b, longestInnerProduct: longest, trace, shiftRounding, flops, ms: performance.now() - t0 };
    }
    const rows = cols[K];
    const below: Float64Array[] = [];
    for (let x = 1; x < rows.length; x++) {
      const T = tileOf.get(key(rows[x], K))!;
      trsm(Tkk, T, b);
      below.push(T);
      flops += b * b * b;
    }
    for (let x = 1; x < rows.length; x++) {
      for (let y = 1; y <= x; y++) {
        gemmSub(tileOf.get(key(rows[x], rows[y]))!, below[x - 1], below[y - 1], b);
        flops += 2 * b * b * b;
      }
    }
  }
  const result: CholeskyResult = { ok: true, failedAt: -1, factorEntries, tile: b, longestInnerProduct: longest, trace, shiftRounding, flops, ms: performance.now() - t0 };
  if (options.keepFactor) {
    const f = new Float64Array(n * n);
    for (let J = 0; J < nt; J++) {
      for (const I of cols[J]) {
        const T = tileOf.get(key(I, J))!;
        for (let r = 0; r < b; r++) {
          for (let c = 0; c < b; c++) {
            const i = I * b + r;
            const j = J * b + c;
            if (i < n && j < n && j <= i) f[i * n + j] = T[r * b + c];
          }
        }
      }
    }
    result.factor = f;
  }
  return result;
}

/** In-place lower Cholesky of a dense b×b row-major matrix (upper part ignored); returns the first non-positive pivot or −1. */
export function denseCholesky(t: Float64Array, b: number): number {
  for (let j = 0; j < b; j++) {
    const rj = j * b;
    let d = t[rj + j];
    for (let k = 0; k < j; k++) d -= t[rj + k] * t[rj + k];
    if (!(d > 0)) return j;
    d = Math.sqrt(d);
    t[rj + j] = d;
    for (let i = j + 1; i < b; i++) {
      const ri = i * b;
      let s = t[ri + j];
      for (let k = 0; k < j; k++) s -= t[ri + k] * t[rj + k];
      t[ri + j] = s / d;
    }
  }
  return -1;
}

/** X ← X L⁻ᵀ for the lower-triangular tile L (rows of X solved independently). */
function trsm(l: Float64Array, x: Float64Array, b: number): void {
  for (let r = 0; r < b; r++) {
    const rr = r * b;
    for (let j = 0; j < b; j++) {
      const rj = j * b;
      let s = x[rr + j];
      for (let k = 0; k < j; k++) s -= x[rr + k] * l[rj + k];
      x[rr + j] = s / l[rj + j];
    }
  }
}

/** C ← C − A Bᵀ for b×b row-major tiles (2×2 register blocks; b even or not). */
function gemmSub(c: Float64Array, a: Float64Array, bt: Float64Array, b: number): void {
  let i = 0;
  for (; i + 1 < b; i += 2) {
    const a0 = i * b;
    const a1 = a0 + b;
    let j = 0;
    for (; j + 1 < b; j += 2) {
      const b0 = j * b;
      const b1 = b0 + b;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < b; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const y0 = bt[b0 + k];
        const y1 = bt[b1 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[a0 + j] -= s00;
      c[a0 + j + 1] -= s01;
      c[a1 + j] -= s10;
      c[a1 + j + 1] -= s11;
    }
    for (; j < b; j++) {
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < b; k++) {
        s0 += a[a0 + k] * bt[j * b + k];
        s1 += a[a1 + k] * bt[j * b + k];
      }
      c[a0 + j] -= s0;
      c[a1 + j] -= s1;
    }
  }
  for (; i < b; i++) {
    for (let j = 0; j < b; j++) {
      let s = 0;
      for (let k = 0; k < b; k++) s += a[i * b + k] * bt[j * b + k];
      c[i * b + j] -= s;
    }
  }
}
