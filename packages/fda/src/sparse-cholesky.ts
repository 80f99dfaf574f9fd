import { CflowError } from "@cflow/core";
import type { SymmetricCsr } from "./sparse-symmetric.js";

/**
 * Sparse Cholesky A = RᵀR (R = Lᵀ) in float64 for the inertia certificate: a fill-reducing nested
 * dissection ordering, the elimination tree, and the up-looking factorisation (Davis, Direct
 * Methods for Sparse Linear Systems, SIAM 2006, §4.2 `cs_chol`): row k of L solves
 * L[0:k, 0:k] x = A[0:k, k] over the row's pattern (the reach of A's column in the elimination
 * tree), then L_kk = √(A_kk − ‖x‖²). It stops at the first pivot that is not positive.
 */

/** A symmetric permutation: perm[new] = old. */
export type Permutation = Int32Array;

export interface OrderingOptions {
  /**
   * Spatial coordinates of the unknowns (n × dims, row-major): nested dissection cuts space at the
   * median along the widest axis. Without them, level structures of the graph (George) are cut.
   */
  coordinates?: Float64Array | null;
  dims?: number;
  /** Sub-problems of at most this many unknowns are not cut further (default 64). */
  leafSize?: number;
}

/**
 * Nested dissection: split the unknowns in two halves, move those of one half that couple to the
 * other into a separator (the smaller of the two boundaries), order the halves recursively and the
 * separator last — so eliminating one half never fills the other.
 */
export function nestedDissection(a: SymmetricCsr, options: OrderingOptions = {}): Permutation {
  const n = a.n;
  const { rowPtr, col } = adjacency(a);
  const coords = options.coordinates ?? null;
  const dims = options.dims ?? 0;
  if (coords && coords.length < n * dims) {
    throw new CflowError("SHAPE_MISMATCH", `nestedDissection: ${coords.length} coordinates for ${n} unknowns × ${dims} axes`, { path: "coordinates", expected: n * dims, found: coords.length });
  }
  const leaf = Math.max(2, options.leafSize ?? 64);
  const perm = new Int32Array(n);
  let filled = n; // separators are written from the end backwards
  const side = new Int8Array(n); // 0: not in the current subset, 1: part A, 2: part B, 3: separator
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  const seen = new Int32Array(n);
  let stamp = 0;
  // explicit stack of subsets; each subset's order is: A, B, separator (written last-first)
  const stack: Int32Array[] = [Int32Array.from({ length: n }, (_, i) => i)];
  const out: Int32Array[] = []; // blocks in reverse elimination order
  while (stack.length > 0) {
    const nodes = stack.pop()!;
    if (nodes.length <= leaf) {
      out.push(nodes);
      continue;
    }
    for (const v of nodes) side[v] = 1;
    let split = false;
    if (coords) {
      // widest axis, median cut
      let axis = 0;
      let widest = -1;
      for (let d = 0; d < dims; d++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of nodes) {
          const c = coords[v * dims + d];
          if (c < lo) lo = c;
          if (c > hi) hi = c;
        }
        if (hi - lo > widest) {
          widest = hi - lo;
          axis = d;
        }
      }
      const sorted = Array.from(nodes).sort((p, q) => coords[p * dims + axis] - coords[q * dims + axis] || p - q);
      const half = sorted.length >> 1;
      for (let t = half; t < sorted.length; t++) side[sorted[t]] = 2;
      split = widest > 0;
    }
    if (!split) {
      // level structure from a pseudo-peripheral node of the subset
      let start = nodes[0];
      let depth = 0;
      for (let round = 0; round < 3; round++) {
        const r = bfs(start, rowPtr, col, side, level, queue, seen, ++stamp);
        const last = queue[r.count - 1];
        if (r.depth <= depth && round > 0) break;
        depth = r.depth;
        start = last;
        if (r.count < nodes.length) break;
      }
      const r = bfs(start, rowPtr, col, side, level, queue, seen, ++stamp);
      if (r.count < nodes.length) {
        // disconnected: the component reached is one part, the rest the other, no separator
        for (const v of nodes) side[v] = 2;
        for (let t = 0; t < r.count; t++) side[queue[t]] = 1;
      } else {
        const counts = new Int32Array(r.depth + 1);
        for (const v of nodes) counts[level[v]]++;
        let acc = 0;
        let mid = 0;
        while (mid < r.depth && acc + counts[mid] < nodes.length / 2) acc += counts[mid++];
        for (const v of nodes) side[v] = level[v] < mid ? 1 : level[v] === mid ? 3 : 2;
      }
    }
    if (coords && split) {
      // separator: the smaller boundary of the two halves
      let boundA = 0;
      let boundB = 0;
      for (const v of nodes) {
        const s = side[v];
        for (let p = rowPtr[v]; p < rowPtr[v + 1]; p++) {
          const w = col[p];
          if (side[w] !== 0 && side[w] !== s) {
            if (s === 1) boundA++;
            else boundB++;
            break;
          }
        }
      }
      const cutSide = boundA <= boundB ? 1 : 2;
      const other = 3 - cutSide;
      const toSep: number[] = [];
      for (const v of nodes) {
        if (side[v] !== cutSide) continue;
        for (let p = rowPtr[v]; p < rowPtr[v + 1]; p++) {
          if (side[col[p]] === other) {
            toSep.push(v);
            break;
          }
        }
      }
      for (const v of toSep) side[v] = 3;
    }
    const A: number[] = [];
    const B: number[] = [];
    const sep: number[] = [];
    for (const v of nodes) (side[v] === 1 ? A : side[v] === 2 ? B : sep).push(v);
    for (const v of nodes) side[v] = 0;
    if (A.length === 0 || B.length === 0) {
      // could not cut (a clique-like subset): keep it whole
      out.push(nodes);
      continue;
    }
    out.push(Int32Array.from(sep));
    // pushed in reverse: B's subtree is popped first and lands (reversed) after A's
    stack.push(Int32Array.from(A));
    stack.push(Int32Array.from(B));
  }
  // `out` lists blocks root separator first, then B's subtree, then A's: filled from the end, that is A, B, separator at every level
  for (const block of out) {
    for (let t = block.length - 1; t >= 0; t--) perm[--filled] = block[t];
  }
  return perm;
}

/** The graph of the full matrix (both directions, no diagonal) from its upper triangle. */
function adjacency(a: SymmetricCsr): { rowPtr: Int32Array; col: Int32Array } {
  const n = a.n;
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const j = a.col[p];
      if (j === i) continue;
      deg[i + 1]++;
      deg[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const col = new Int32Array(deg[n]);
  const next = deg.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const j = a.col[p];
      if (j === i) continue;
      col[next[i]++] = j;
      col[next[j]++] = i;
    }
  }
  return { rowPtr: deg, col };
}

/** Breadth-first levels from `start` inside the subset (side ≠ 0); `seen` holds the stamp of this search. */
function bfs(start: number, rowPtr: Int32Array, col: Int32Array, side: Int8Array, level: Int32Array, queue: Int32Array, seen: Int32Array, stamp: number): { count: number; depth: number } {
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  seen[start] = stamp;
  level[start] = 0;
  let depth = 0;
  while (head < tail) {
    const v = queue[head++];
    for (let p = rowPtr[v]; p < rowPtr[v + 1]; p++) {
      const w = col[p];
      if (side[w] === 0 || seen[w] === stamp) continue;
      seen[w] = stamp;
      level[w] = level[v] + 1;
      if (level[w] > depth) depth = level[w];
      queue[tail++] = w;
    }
  }
  return { count: tail, depth };
}

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
