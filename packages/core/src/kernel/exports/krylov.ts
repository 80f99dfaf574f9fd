// Signatures of assembly/krylov.ts. Vectors are f64 arrays in kernel memory (both builds).
export interface KrylovExports {
  /**
   * One modified Gram–Schmidt pass of w against the vectors at the u32 byte offsets basis[0..count)
   * (dot then axpy per vector, the sums of packages/fda/src/vector.ts); returns the last coefficient.
   */
  gramSchmidtPass(n: number, count: number, basis: number, w: number): number;
  /** Σ x_k y_k with packages/fda/src/vector.ts's `dot` sums. */
  krylovDot(n: number, x: number, y: number): number;
  /** out ← w / b element by element. */
  krylovQuotient(n: number, w: number, b: number, out: number): void;
}
