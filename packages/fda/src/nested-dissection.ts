import { CflowError } from "@cflow/core";
import type { SymmetricCsr } from "./sparse-symmetric.js";

/**
 * Fill-reducing orderings for the sparse Cholesky factorisation (sparse-cholesky.ts): nested
 * dissection by coordinates or by level structures of the graph, and the folded chain of 1D
 * coordinates (`fillReducingOrdering` picks one).
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
 * The ordering the inertia route factors in: the folded chain for unknowns on a line (1D
 * coordinates), nested dissection otherwise (by coordinates when given, else by the graph).
 */
export function fillReducingOrdering(a: SymmetricCsr, options: OrderingOptions = {}): Permutation {
  const coords = options.coordinates ?? null;
  if (coords && options.dims === 1 && coords.length >= a.n) return foldedChain(coords, a.n);
  return nestedDissection(a, options);
}

/**
 * Unknowns on a line or a ring (a periodised 1D signal's atoms, coupled to the atoms within a
 * window): sorted by coordinate c₀ ≤ … ≤ c_{n−1}, then taken from both ends in turn, c₀, c_{n−1},
 * c₁, c_{n−2}, … Unknowns within w places of each other in the sorted order are within 2w + 1
 * places of each other in this one, the ring's wrap-around (c₀ next to c_{n−1}) included, so the
 * factor stays within a band of that width; nested dissection on a ring leaves long separator rows,
 * and the plain sorted order fills the last rows entirely (measured in BENCHMARKS.md).
 */
export function foldedChain(coordinates: Float64Array, n: number): Permutation {
  const sorted = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => coordinates[x] - coordinates[y] || x - y);
  const perm = new Int32Array(n);
  for (let k = 0, lo = 0, hi = n - 1; k < n; k++) perm[k] = k % 2 === 0 ? sorted[lo++] : sorted[hi--];
  return perm;
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
