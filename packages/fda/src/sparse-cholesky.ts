import { type F64Buf, Kernel } from "@cflow/core/kernel";
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
  const tiles = new TileKernel(b);
  try {
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
      tiles.trsm(Tkk, T);
      below.push(T);
      flops += b * b * b;
    }
    for (let x = 1; x < rows.length; x++) {
      for (let y = 1; y <= x; y++) {
        tiles.gemmSub(tileOf.get(key(rows[x], rows[y]))!, below[x - 1], below[y - 1]);
        flops += 2 * b * b * b;
      }
    }
  }
  } finally {
    tiles.dispose();
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

/**
 * The factorisation's tile products in the WebAssembly kernel (packages/core/assembly/tiles.ts):
 * staging buffers of one tile each, the transposed operand copied in transposed. Each output is the
 * ordered sum of the textbook loop (X L⁻ᵀ row by row; C − A Bᵀ entry by entry), so the bits are
 * those of that loop.
 */
class TileKernel {
  private readonly k = Kernel.get("float64");
  private readonly l: F64Buf;
  private readonly x: F64Buf;
  private readonly c: F64Buf;
  private readonly a: F64Buf;

  constructor(private readonly b: number) {
    const k = this.k;
    this.l = k.allocF64(b * b);
    this.x = k.allocF64(b * b);
    this.c = k.allocF64(b * b);
    this.a = k.allocF64(b * b);
  }

  /** X ← X L⁻ᵀ for the lower-triangular tile L (rows of X solved independently). */
  trsm(l: Float64Array, x: Float64Array): void {
    const b = this.b;
    this.l.view.set(l);
    transpose(x, this.x.view, b);
    this.k.exports.tileTrsm(b, this.l.ptr, this.x.ptr);
    transpose(this.x.view, x, b);
  }

  /** C ← C − A Bᵀ for b×b row-major tiles. */
  gemmSub(c: Float64Array, a: Float64Array, bt: Float64Array): void {
    const b = this.b;
    this.c.view.set(c);
    this.a.view.set(a);
    transpose(bt, this.x.view, b);
    this.k.exports.tileGemmSub(b, this.c.ptr, this.a.ptr, this.x.ptr);
    c.set(this.c.view);
  }

  dispose(): void {
    for (const t of [this.l, this.x, this.c, this.a]) t.free();
  }
}

/** out[j·b + i] ← m[i·b + j] for a b×b tile. */
function transpose(m: Float64Array, out: Float64Array, b: number): void {
  for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) out[j * b + i] = m[i * b + j];
}
