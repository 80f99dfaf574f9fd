// Signatures of assembly/drop-negligible.ts. Arrays live in kernel memory: i32 indices and counts, f64 values (both builds).
export interface DropNegligibleExports {
  /** Pass 1 of dropNegligible: counts, decade masses and per permuted row the kept and per-decade counts (outputs zeroed by the caller). */
  dropDecades(n: number, rowPtr: number, col: number, val: number, pinv: number, bounds: number, K: number, budget: number, small: number, mass: number, own: number, count: number, kept: number, byDecade: number): void;
  /** Pass 2: the kept entries scattered into the permuted upper rows at fill[row]++, the diagonal into diag; returns the diagonal entries met. */
  dropScatter(n: number, rowPtr: number, col: number, val: number, pinv: number, threshold: number, fill: number, upCol: number, upVal: number, diag: number): number;
}
