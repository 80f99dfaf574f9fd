// Forward finite differences with Neumann boundaries (the last difference along an axis is zero)
// and their adjoints, the negative divergence. 2D arrays are row-major rows × cols; the 2D
// gradient stores the difference along axis 0 (down the rows) first, then along axis 1, each
// rows × cols. `out` never aliases the input.
import { ld, st, vld, vst, vsplat } from "./common/real";

/** out[i] = x[i+1] − x[i] for i < n − 1, out[n−1] = 0. */
export function diff1D(n: i32, x: usize, out: usize): void {
  if (n <= 0) return;
  let i = 0;
  for (; i + LANES < n; i += LANES) vst(out, i, v128.sub<Real>(vld(x, i + 1), vld(x, i)));
  for (; i < n - 1; i++) st(out, i, ld(x, i + 1) - ld(x, i));
  st(out, n - 1, 0);
}

/** out = Dᵀy: out[i] = y[i−1]·[i ≥ 1] − y[i]·[i ≤ n − 2] (y[n−1] meets the zero row of D). */
export function diff1DAdjoint(n: i32, y: usize, out: usize): void {
  if (n <= 0) return;
  if (n == 1) {
    st(out, 0, 0);
    return;
  }
  st(out, 0, -ld(y, 0));
  let i = 1;
  for (; i + LANES < n; i += LANES) vst(out, i, v128.sub<Real>(vld(y, i - 1), vld(y, i)));
  for (; i < n - 1; i++) st(out, i, ld(y, i - 1) - ld(y, i));
  st(out, n - 1, ld(y, n - 2));
}

/** out[0, n) = x[i+1, j] − x[i, j] (0 on the last row); out[n, 2n) = x[i, j+1] − x[i, j] (0 on the last column). */
export function diff2D(rows: i32, cols: i32, x: usize, out: usize): void {
  const n = rows * cols;
  if (n <= 0) return;
  const m = n - cols; // elements with a row below them
  let i = 0;
  for (; i + LANES <= m; i += LANES) vst(out, i, v128.sub<Real>(vld(x, i + cols), vld(x, i)));
  for (; i < m; i++) st(out, i, ld(x, i + cols) - ld(x, i));
  const zv = vsplat(0);
  for (; i + LANES <= n; i += LANES) vst(out, i, zv);
  for (; i < n; i++) st(out, i, 0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let j = 0;
    for (; j + LANES < cols; j += LANES) vst(out, n + o + j, v128.sub<Real>(vld(x, o + j + 1), vld(x, o + j)));
    for (; j < cols - 1; j++) st(out, n + o + j, ld(x, o + j + 1) - ld(x, o + j));
    st(out, n + o + cols - 1, 0);
  }
}

/** out = Dᵀy for the 2D gradient above (y holds 2·rows·cols reals): the negative divergence. */
export function diff2DAdjoint(rows: i32, cols: i32, y: usize, out: usize): void {
  const n = rows * cols;
  if (n <= 0) return;
  const m = n - cols;
  // axis 0: out[i,j] = y0[i−1,j]·[i ≥ 1] − y0[i,j]·[i ≤ rows − 2]
  if (rows == 1) {
    for (let j = 0; j < cols; j++) st(out, j, 0);
  } else {
    let i = 0;
    for (; i + LANES <= cols; i += LANES) vst(out, i, v128.neg<Real>(vld(y, i)));
    for (; i < cols; i++) st(out, i, -ld(y, i));
    for (; i + LANES <= m; i += LANES) vst(out, i, v128.sub<Real>(vld(y, i - cols), vld(y, i)));
    for (; i < m; i++) st(out, i, ld(y, i - cols) - ld(y, i));
    for (; i < n; i++) st(out, i, ld(y, i - cols));
  }
  // axis 1: out[i,j] += y1[i,j−1]·[j ≥ 1] − y1[i,j]·[j ≤ cols − 2]
  if (cols == 1) return;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const y1 = n + o;
    st(out, o, ld(out, o) - ld(y, y1));
    let j = 1;
    for (; j + LANES < cols; j += LANES) {
      vst(out, o + j, v128.add<Real>(vld(out, o + j), v128.sub<Real>(vld(y, y1 + j - 1), vld(y, y1 + j))));
    }
    for (; j < cols - 1; j++) st(out, o + j, ld(out, o + j) + (ld(y, y1 + j - 1) - ld(y, y1 + j)));
    st(out, o + cols - 1, ld(out, o + cols - 1) + ld(y, y1 + cols - 2));
  }
}
