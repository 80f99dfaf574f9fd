// The two passes over an explicit restricted matrix of the certificates' congruence route that
// leave out its negligible entries (dropNegligible, packages/fda/src/sparse-symmetric.ts), in
// float64 in both builds: the same operations in the same order as that function's loops, so the
// same sums, counts and permuted rows.
import { at32, at64 } from "./common/real";

/**
 * Pass 1 over A (one triangle in CSR: rowPtr, col i32; val f64), D = K + 1 decades with upper ends
 * bounds[0 … K] (bounds[0] = budget): per row, count (entries of the full matrix), the ℓ1 mass of
 * the off-diagonal entries ≤ budget in each decade (mass, n·D, when `small`), and per row r =
 * min(pinv[i], pinv[j]) of the permuted upper triangle the entries kept whatever the threshold
 * (kept: above the budget, or NaN) and the non-zero ones of each decade (byDecade, n·D, when
 * `small`). `own` (D f64) is workspace. All outputs start at zero.
 */
export function dropDecades(n: i32, rowPtr: usize, col: usize, val: usize, pinv: usize, bounds: usize, K: i32, budget: f64, small: i32, mass: usize, own: usize, count: usize, kept: usize, byDecade: usize): void {
  const D = K + 1;
  for (let i = 0; i < n; i++) {
    memory.fill(own, 0, <usize>D << 3);
    const x = load<i32>(at32(pinv, i));
    const end = load<i32>(at32(rowPtr, i + 1));
    for (let p = load<i32>(at32(rowPtr, i)); p < end; p++) {
      const j = load<i32>(at32(col, p));
      store<i32>(at32(count, i), load<i32>(at32(count, i)) + 1);
      if (j == i) continue;
      store<i32>(at32(count, j), load<i32>(at32(count, j)) + 1);
      const y = load<i32>(at32(pinv, j));
      const r = x < y ? x : y;
      const v = Math.abs(load<f64>(at64(val, p)));
      if (v == 0) continue;
      if (!(v <= budget)) {
        store<i32>(at32(kept, r), load<i32>(at32(kept, r)) + 1);
        continue;
      }
      let lo = 0;
      let hi = K;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (v <= load<f64>(at64(bounds, mid))) lo = mid;
        else hi = mid - 1;
      }
      store<f64>(at64(own, lo), load<f64>(at64(own, lo)) + v);
      store<f64>(at64(mass, j * D + lo), load<f64>(at64(mass, j * D + lo)) + v);
      store<i32>(at32(byDecade, r * D + lo), load<i32>(at32(byDecade, r * D + lo)) + 1);
    }
    if (small != 0) for (let b = 0; b < D; b++) store<f64>(at64(mass, i * D + b), load<f64>(at64(mass, i * D + b)) + load<f64>(at64(own, b)));
  }
}

/**
 * Pass 2: the entries with |A_ij| > threshold (or NaN) scattered into the rows of the permuted upper
 * triangle (row min(x, y), column max(x, y), x = pinv[i], y = pinv[j]) at fill[row]++ (fill starts
 * at each row's first slot), the diagonal summed into diag[x] (zeroed). Returns the diagonal
 * entries met.
 */
export function dropScatter(n: i32, rowPtr: usize, col: usize, val: usize, pinv: usize, threshold: f64, fill: usize, upCol: usize, upVal: usize, diag: usize): i32 {
  memory.fill(diag, 0, <usize>n << 3);
  let diagonals = 0;
  for (let i = 0; i < n; i++) {
    const x = load<i32>(at32(pinv, i));
    const end = load<i32>(at32(rowPtr, i + 1));
    for (let p = load<i32>(at32(rowPtr, i)); p < end; p++) {
      const j = load<i32>(at32(col, p));
      const v = load<f64>(at64(val, p));
      if (j == i) {
        store<f64>(at64(diag, x), load<f64>(at64(diag, x)) + v);
        diagonals++;
        continue;
      }
      if (!(Math.abs(v) > threshold) && !isNaN(v)) continue;
      const y = load<i32>(at32(pinv, j));
      const row = x < y ? x : y;
      const q = load<i32>(at32(fill, row));
      store<i32>(at32(fill, row), q + 1);
      store<i32>(at32(upCol, q), x < y ? y : x);
      store<f64>(at64(upVal, q), v);
    }
  }
  return diagonals;
}
