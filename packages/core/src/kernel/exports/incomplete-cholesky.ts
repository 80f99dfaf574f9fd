// Signatures of assembly/incomplete-cholesky.ts. Arrays live in kernel memory: i32 indices, f64 values (both builds).
export interface IncompleteCholeskyExports {
  /**
   * Threshold incomplete Cholesky of A (diagonal `ad`, strict upper rows rowPtr/col/val) into diag,
   * colPtr, rowOut, valOut (capacity n·maxPer); workspace `reals` (4n f64) and `ints` (6n i32);
   * stats (2 i32) ← breakdowns, dropped. Returns the entries kept.
   */
  incompleteCholeskyFactor(
    n: number,
    ad: number,
    rowPtr: number,
    col: number,
    val: number,
    tau: number,
    maxPer: number,
    breakdownRatio: number,
    diag: number,
    colPtr: number,
    rowOut: number,
    valOut: number,
    reals: number,
    ints: number,
    stats: number,
  ): number;
}
