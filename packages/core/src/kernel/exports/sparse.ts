// Signatures of assembly/sparse.ts. Arrays live in kernel memory: i32 indices, f64 values (both builds).
export interface SparseExports {
  /** y ← A x for a symmetric A stored as one triangle in CSR (rowPtr, col: i32; val, x, y: f64). */
  csrSymMultiply(n: number, rowPtr: number, col: number, val: number, x: number, y: number): void;
  /** out_i ← Σ_{j≠i} |A_ij| w_j, A as for csrSymMultiply (w, out: f64). */
  csrAbsOffMultiply(n: number, rowPtr: number, col: number, val: number, w: number, out: number): void;
  /** y ← A x for a symmetric A as its diagonal and strict upper rows (diag, val, x, y: f64; rowPtr, col: i32). */
  splitSymMultiply(n: number, diag: number, rowPtr: number, col: number, val: number, x: number, y: number): void;
  /** x ← L⁻¹ x in place, L lower triangular by columns with its diagonal apart (diag, val, x: f64; colPtr, row: i32). */
  lowerColumnsSolve(n: number, diag: number, colPtr: number, row: number, val: number, x: number): void;
  /** x ← L⁻ᵀ b, L as for lowerColumnsSolve; x and b do not overlap. */
  lowerColumnsTransposeSolve(n: number, diag: number, colPtr: number, row: number, val: number, b: number, x: number): void;
}
