// Sparse symmetric products and triangular solves for the certificates' explicit restricted
// operators (packages/fda/src/kernel-csr-operator.ts, packages/fda/src/congruence-operator.ts), in
// float64 in both builds: the same operations in the same order as the JS loops they replace
// (csrMultiply, csrAbsOffMultiply and splitMultiply, packages/fda/src/sparse-symmetric.ts; lowerSolve and
// lowerTransposeSolve, kept in packages/fda/test/incomplete-cholesky-reference.ts), so the bits are those of the loops.
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

/**
 * out_i ← Σ_{j≠i} |A_ij| w_j for a symmetric A stored as one triangle in CSR: out zeroed, then row
 * by row the row's own sum continues from what the rows before scattered into out_i, while each
 * off-diagonal entry adds |A_ij| w_i to out_j — csrAbsOffMultiply's operations in its order.
 */
export function csrAbsOffMultiply(n: i32, rowPtr: usize, col: usize, val: usize, w: usize, out: usize): void {
  memory.fill(out, 0, <usize>n << 3);
  let p = load<i32>(at32(rowPtr, 0));
  for (let i = 0; i < n; i++) {
    const wi = load<f64>(at64(w, i));
    let s = load<f64>(at64(out, i));
    const end = load<i32>(at32(rowPtr, i + 1));
    for (; p < end; p++) {
      const j = load<i32>(at32(col, p));
      if (j == i) continue;
      const v = Math.abs(load<f64>(at64(val, p)));
      s += v * load<f64>(at64(w, j));
      store<f64>(at64(out, j), load<f64>(at64(out, j)) + v * wi);
    }
    store<f64>(at64(out, i), s);
  }
}

/**
 * y ← A x for a symmetric A given as its diagonal and its strict upper rows (a row's columns in any
 * order; packages/fda/src/sparse-symmetric.ts `SplitCsr`): y_i ← d_i x_i for every i, then row by
 * row two alternating accumulators gather the row's products while each entry adds A_ij x_i to
 * y_j, and y_i ← (y_i + gathered even) + gathered odd — splitMultiply's operations in its order.
 */
export function splitSymMultiply(n: i32, diag: usize, rowPtr: usize, col: usize, val: usize, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) store<f64>(at64(y, i), load<f64>(at64(diag, i)) * load<f64>(at64(x, i)));
  let p = 0;
  for (let i = 0; i < n; i++) {
    const xi = load<f64>(at64(x, i));
    let s0 = load<f64>(at64(y, i));
    let s1: f64 = 0;
    const end = load<i32>(at32(rowPtr, i + 1));
    for (; p + 1 < end; p += 2) {
      const j0 = load<i32>(at32(col, p));
      const j1 = load<i32>(at32(col, p + 1));
      const v0 = load<f64>(at64(val, p));
      const v1 = load<f64>(at64(val, p + 1));
      s0 += v0 * load<f64>(at64(x, j0));
      s1 += v1 * load<f64>(at64(x, j1));
      store<f64>(at64(y, j0), load<f64>(at64(y, j0)) + v0 * xi);
      store<f64>(at64(y, j1), load<f64>(at64(y, j1)) + v1 * xi);
    }
    if (p < end) {
      const j = load<i32>(at32(col, p));
      const v = load<f64>(at64(val, p));
      s0 += v * load<f64>(at64(x, j));
      store<f64>(at64(y, j), load<f64>(at64(y, j)) + v * xi);
      p++;
    }
    store<f64>(at64(y, i), s0 + s1);
  }
}

/**
 * x ← L⁻¹ x in place, L lower triangular by columns (diagonal apart; packages/fda/src/incomplete-cholesky.ts
 * `LowerFactor`): forward substitution column by column — lowerSolve's operations in its order.
 */
export function lowerColumnsSolve(n: i32, diag: usize, colPtr: usize, row: usize, val: usize, x: usize): void {
  for (let j = 0; j < n; j++) {
    const xj = load<f64>(at64(x, j)) / load<f64>(at64(diag, j));
    store<f64>(at64(x, j), xj);
    const end = load<i32>(at32(colPtr, j + 1));
    for (let q = load<i32>(at32(colPtr, j)); q < end; q++) {
      const r = load<i32>(at32(row, q));
      store<f64>(at64(x, r), load<f64>(at64(x, r)) - load<f64>(at64(val, q)) * xj);
    }
  }
}

/**
 * x ← L⁻ᵀ b (back substitution: column j of L is row j of Lᵀ, its entries taken from the last) —
 * lowerTransposeSolve's operations in its order. x and b do not overlap.
 */
export function lowerColumnsTransposeSolve(n: i32, diag: usize, colPtr: usize, row: usize, val: usize, b: usize, x: usize): void {
  let q = load<i32>(at32(colPtr, n)) - 1;
  for (let j = n - 1; j >= 0; j--) {
    let s = load<f64>(at64(b, j));
    const start = load<i32>(at32(colPtr, j));
    for (; q >= start; q--) s -= load<f64>(at64(val, q)) * load<f64>(at64(x, load<i32>(at32(row, q))));
    store<f64>(at64(x, j), s / load<f64>(at64(diag, j)));
  }
}
