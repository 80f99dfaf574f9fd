// Signatures of assembly/sparse.ts. Arrays live in kernel memory: i32 indices, f64 values (both builds).
export interface SparseExports {
  /** y ← A x for a symmetric A stored as one triangle in CSR (rowPtr, col: i32; val, x, y: f64). */
  csrSymMultiply(n: number, rowPtr: number, col: number, val: number, x: number, y: number): void;
}
