import { CflowError } from "@cflow/core";

/**
 * A colouring of an operator's index set for probing: one probe Σ_{j of colour c} e_j per colour.
 * It is *valid* for an operator when no row has two non-zeros of the same colour (a distance-2
 * colouring of its sparsity graph); then every probe entry is a single matrix entry and the
 * row sums are exact.
 */
export interface Colouring {
  /** colour of each index, in [0, count) */
  colours: Int32Array;
  count: number;
}

/** How the caller describes the operator's locality to the probing row estimator. */
export type ProbingSpec =
  /** Every row i has its non-zeros within |i − j| ≤ bandwidth (cyclically when periodic). */
  | { bandwidth: number; periodic?: boolean }
  /** An explicit colouring of the operator's full index space (coefficient space with a transform). */
  | { colours: ArrayLike<number> };

/**
 * Colouring valid for every operator of (cyclic) half-bandwidth b on n indices: every window of
 * p = 2b + 1 (cyclically) consecutive indices is rainbow. On a line: colour i mod p. On a cycle:
 * cut it into q = ⌊n/p⌋ blocks of P = ⌊n/q⌋ ≥ p indices, the first r = n − qP < q of them one
 * longer, and colour an index by its position in its block — same colours are a block length
 * ≥ p apart, across the wrap too; P + 1 colours (P when r = 0), at most p + ⌈p/q⌉.
 */
export function bandedColouring(n: number, bandwidth: number, periodic = false): Colouring {
  if (!Number.isInteger(bandwidth) || bandwidth < 0) {
    throw new CflowError("BAD_OPTION", `bandedColouring: bandwidth must be a non-negative integer, found ${bandwidth}`, { path: "rows.probing.bandwidth", expected: "integer ≥ 0", found: bandwidth });
  }
  const p = 2 * bandwidth + 1;
  const colours = new Int32Array(n);
  if (p >= n) {
    for (let i = 0; i < n; i++) colours[i] = i;
    return { colours, count: n };
  }
  if (!periodic) {
    for (let i = 0; i < n; i++) colours[i] = i % p;
    return { colours, count: p };
  }
  const q = Math.floor(n / p);
  const P = Math.floor(n / q);
  const r = n - q * P;
  let i = 0;
  for (let block = 0; block < q; block++) {
    const size = block < r ? P + 1 : P;
    for (let c = 0; c < size; c++) colours[i++] = c;
  }
  return { colours, count: r > 0 ? P + 1 : P };
}

/**
 * The colouring restricted to the index subset `active` (sorted positions in the full space),
 * renumbered so that no probe is empty. Restriction keeps validity: a row of the sub-matrix has
 * a subset of the row's non-zeros.
 */
export function restrictColouring(colours: ArrayLike<number>, active: Int32Array | null, path = "rows.probing.colours"): Colouring {
  const size = active ? active.length : colours.length;
  const out = new Int32Array(size);
  const renumber = new Map<number, number>();
  for (let k = 0; k < size; k++) {
    const c = colours[active ? active[k] : k];
    if (!Number.isInteger(c) || c < 0) {
      throw new CflowError("BAD_OPTION", `${path}: colour of index ${active ? active[k] : k} is ${c}; expected a non-negative integer`, { path, expected: "integer ≥ 0", found: c });
    }
    let r = renumber.get(c);
    if (r === undefined) {
      r = renumber.size;
      renumber.set(c, r);
    }
    out[k] = r;
  }
  return { colours: out, count: renumber.size };
}
