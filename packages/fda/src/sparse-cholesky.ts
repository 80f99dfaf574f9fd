import { Kernel } from "@cflow/core/kernel";
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
 *
 * The tiles live in the WebAssembly kernel's memory (packages/core/assembly/tiles.ts), column by
 * column: diagonal tiles row-major (factored in place by tileCholesky), the tiles below the
 * diagonal transposed (as tileTrsm takes and leaves them), so the TRSM works in place and each
 * trailing update is one tileGemmSubT on them — C − A Bᵀ for a diagonal tile, Cᵀ − B Aᵀ for a
 * transposed one. Each output is the ordered sum of the textbook loop (column-by-column Cholesky;
 * X L⁻ᵀ row by row; C − A Bᵀ entry by entry, B[j][k]·A[i][k] being A[i][k]·B[j][k]), so the bits
 * are those of that loop.
 */
export function sparseCholesky(a: SymmetricCsr, shift: number, perm: Permutation, options: { tile?: number; keepFactor?: boolean } = {}): CholeskyResult {
  const t0 = performance.now();
  const n = a.n;
  const b = Math.max(1, options.tile ?? 48);
  const bb = b * b;
  const nt = Math.ceil(n / b);
  const pinv = new Int32Array(n);
  for (let k = 0; k < n; k++) pinv[perm[k]] = k;
  // tile pattern of the lower triangle (tiled[I·nt + J], I ≥ J), then its fill by block
  // elimination column by column: column K's rows are final once the columns before it are done
  // (nt² bytes, and nt² indices below: fewer than the factor's tiles take below ~4600 tile rows, far
  // above the sizes a direct factorisation is tried at)
  const tiled = new Uint8Array(nt * nt);
  for (let i = 0; i < n; i++) {
    const x = pinv[i];
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const y = pinv[a.col[p]];
      tiled[Math.floor(Math.max(x, y) / b) * nt + Math.floor(Math.min(x, y) / b)] = 1;
    }
  }
  const cols: Int32Array[] = new Array(nt);
  const colStart = new Int32Array(nt + 1);
  const rowTiles = new Int32Array(nt);
  const slotOf = new Int32Array(nt * nt); // column J's tiles are the slots colStart[J] + (position of I in cols[J]), the diagonal first
  const rows = new Int32Array(nt);
  for (let K = 0; K < nt; K++) {
    let count = 0;
    rows[count++] = K;
    for (let I = K + 1; I < nt; I++) if (tiled[I * nt + K]) rows[count++] = I;
    cols[K] = rows.slice(0, count);
    colStart[K + 1] = colStart[K] + count;
    for (let x = 0; x < count; x++) {
      slotOf[rows[x] * nt + K] = colStart[K] + x;
      rowTiles[rows[x]]++;
    }
    // every pair I ≥ J > K of the column fills (I, J)
    for (let x = 1; x < count; x++) for (let y = 1; y <= x; y++) tiled[rows[x] * nt + rows[y]] = 1;
  }
  const factorEntries = colStart[nt] * bb;
  let longest = 0;
  for (let I = 0; I < nt; I++) longest = Math.max(longest, rowTiles[I] * b);
  longest = Math.min(longest, n);
  const k = Kernel.get("float64");
  const store = k.allocF64(factorEntries);
  try {
    const t = store.view; // nothing else is allocated in the kernel while the factorisation runs: the view stays valid
    // the shifted diagonal's trace and rounding, in the rows' order
    let trace = 0;
    let shiftRounding = 0;
    const diagSeen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
        if (a.col[p] !== i) continue;
        const v = a.val[p] - shift;
        diagSeen[pinv[i]] = 1;
        trace += v;
        // |fl(a − s) − (a − s)| ≤ u|a − s| ≤ u(1 + u)|fl(a − s)| ≤ 2u·|fl(a − s)|
        shiftRounding = Math.max(shiftRounding, 2 ** -52 * Math.abs(v));
      }
    }
    // scatter A − shift·I (lower part) row by row in the factor's order (few tiles per row: the
    // writes stay close); the CSR stores each pair once (sparse-symmetric.ts), so each position
    // receives one value and the order changes none. Padding rows beyond n get a unit diagonal
    // (exact, independent)
    for (let x = 0; x < n; x++) {
      const i = perm[x];
      for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
        const y = pinv[a.col[p]];
        const pi = Math.max(x, y);
        const pj = Math.min(x, y);
        const v = pj === pi ? a.val[p] - shift : a.val[p];
        const I = Math.floor(pi / b);
        const J = Math.floor(pj / b);
        t[slotOf[I * nt + J] * bb + (I === J ? (pi % b) * b + (pj % b) : (pj % b) * b + (pi % b))] += v;
      }
    }
    for (let q = 0; q < n; q++) {
      if (!diagSeen[q]) {
        t[colStart[Math.floor(q / b)] * bb + (q % b) * b + (q % b)] = -shift;
        trace -= shift;
      }
    }
    for (let q = n; q < nt * b; q++) t[colStart[nt - 1] * bb + (q % b) * b + (q % b)] = 1;
    let flops = 0;
    const at = (s: number) => store.ptr + 8 * s * bb;
    for (let K = 0; K < nt; K++) {
      const dk = colStart[K];
      const bad = k.exports.tileCholesky(b, at(dk));
      flops += (b * b * b) / 3;
      if (bad >= 0) {
        return { ok: false, failedAt: K * b + bad, factorEntries, tile: b, longestInnerProduct: longest, trace, shiftRounding, flops, ms: performance.now() - t0 };
      }
      const rows = cols[K];
      for (let x = 1; x < rows.length; x++) {
        k.exports.tileTrsm(b, at(dk), at(dk + x));
        flops += b * b * b;
      }
      for (let x = 1; x < rows.length; x++) {
        for (let y = 1; y <= x; y++) {
          // tile (rows[x], rows[y]) −= (tile (rows[x], K))(tile (rows[y], K))ᵀ
          const c = slotOf[rows[x] * nt + rows[y]];
          if (x === y) k.exports.tileGemmSubT(b, at(c), at(dk + x), at(dk + x));
          else k.exports.tileGemmSubT(b, at(c), at(dk + y), at(dk + x));
          flops += 2 * b * b * b;
        }
      }
    }
    const result: CholeskyResult = { ok: true, failedAt: -1, factorEntries, tile: b, longestInnerProduct: longest, trace, shiftRounding, flops, ms: performance.now() - t0 };
    if (options.keepFactor) {
      const f = new Float64Array(n * n);
      for (let J = 0; J < nt; J++) {
        for (let x = 0; x < cols[J].length; x++) {
          const I = cols[J][x];
          const o = (colStart[J] + x) * bb;
          for (let r = 0; r < b; r++) {
            for (let c = 0; c < b; c++) {
              const i = I * b + r;
              const j = J * b + c;
              if (i < n && j < n && j <= i) f[i * n + j] = t[o + (I === J ? r * b + c : c * b + r)];
            }
          }
        }
      }
      result.factor = f;
    }
    return result;
  } finally {
    store.free();
  }
}
