// Sparse symmetric products for the certificates' explicit restricted operators
// (packages/fda/src/kernel-csr-operator.ts), in float64 in both builds: the same operations in the
// same order as the JS loop they replace (csrMultiply, packages/fda/src/sparse-symmetric.ts), so
// the bits are those of that loop.
import { at32, at64 } from "./common/real";

/**
 * y ← A x for a symmetric A stored as one triangle in compressed sparse rows (each stored A_ij,
 * j ≠ i, also stands for A_ji): y zeroed, then row by row y_i ← y_i + Σ_p A_ij x_j in storage
 * order while each off-diagonal entry adds A_ij x_i to y_j.
 */
export function csrSymMultiply(n: i32, rowPtr: usize, col: usize, val: usize, x: usize, y: usize): void {
  memory.fill(y, 0, <usize>n << 3);
  for (let i = 0; i < n; i++) {
    const xi = load<f64>(at64(x, i));
    let s = load<f64>(at64(y, i));
    const end = load<i32>(at32(rowPtr, i + 1));
    for (let p = load<i32>(at32(rowPtr, i)); p < end; p++) {
      const j = load<i32>(at32(col, p));
      const v = load<f64>(at64(val, p));
      s += v * load<f64>(at64(x, j));
      if (j != i) store<f64>(at64(y, j), load<f64>(at64(y, j)) + v * xi);
    }
    store<f64>(at64(y, i), s);
  }
}
