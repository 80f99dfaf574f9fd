// Signatures of assembly/linalg.ts. A: row-major m×n reals; CSR: indptr (m + 1) and indices
// (nnz) are i32 arrays in kernel memory, values (nnz) reals.
export interface LinalgExports {
  /** y ← A x */
  gemv(m: number, n: number, A: number, x: number, y: number): void;
  /** x ← Aᵀ y */
  gemvT(m: number, n: number, A: number, y: number, x: number): void;
  /** y ← A x (CSR) */
  spmv(m: number, indptr: number, indices: number, values: number, x: number, y: number): void;
  /** x ← Aᵀ y (CSR; x is overwritten) */
  spmvT(m: number, n: number, indptr: number, indices: number, values: number, y: number, x: number): void;
}
