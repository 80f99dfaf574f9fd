// Dense b×b tile kernels of a blocked Cholesky factorisation (packages/fda/src/sparse-cholesky.ts),
// in float64 in both builds. Each output is the same ordered sum as the row-major loop it replaces:
// SIMD lanes hold two outputs, never two terms of one sum — so the bits are those of that loop.
import { at64 } from "./common/real";

/**
 * C ← C − A Bᵀ for a row-major b×b tile C with both operands given transposed, at[k·b + i] = A[i][k]
 * and bt[k·b + j] = B[j][k] (as tileTrsm leaves its tiles): C[i][j] −= Σ_k A[i][k]·B[j][k], the
 * sum from 0 in k order.
 */
export function tileGemmSubT(b: i32, c: usize, at: usize, bt: usize): void {
  // two rows by four columns at a time (each loaded A and B value used twice); then the edges
  let i = 0;
  for (; i + 2 <= b; i += 2) {
    const c0 = i * b;
    const c1 = c0 + b;
    let j = 0;
    for (; j + 4 <= b; j += 4) {
      let s00 = f64x2.splat(0);
      let s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0);
      let s11 = f64x2.splat(0);
      for (let k = 0; k < b; k++) {
        const a0 = f64x2.splat(load<f64>(at64(at, k * b + i)));
        const a1 = f64x2.splat(load<f64>(at64(at, k * b + i + 1)));
        const b0 = v128.load(at64(bt, k * b + j));
        const b1 = v128.load(at64(bt, k * b + j + 2));
        s00 = f64x2.add(s00, f64x2.mul(a0, b0));
        s01 = f64x2.add(s01, f64x2.mul(a0, b1));
        s10 = f64x2.add(s10, f64x2.mul(a1, b0));
        s11 = f64x2.add(s11, f64x2.mul(a1, b1));
      }
      v128.store(at64(c, c0 + j), f64x2.sub(v128.load(at64(c, c0 + j)), s00));
      v128.store(at64(c, c0 + j + 2), f64x2.sub(v128.load(at64(c, c0 + j + 2)), s01));
      v128.store(at64(c, c1 + j), f64x2.sub(v128.load(at64(c, c1 + j)), s10));
      v128.store(at64(c, c1 + j + 2), f64x2.sub(v128.load(at64(c, c1 + j + 2)), s11));
    }
    for (; j < b; j++) {
      let s0: f64 = 0;
      let s1: f64 = 0;
      for (let k = 0; k < b; k++) {
        const bk = load<f64>(at64(bt, k * b + j));
        s0 += load<f64>(at64(at, k * b + i)) * bk;
        s1 += load<f64>(at64(at, k * b + i + 1)) * bk;
      }
      store<f64>(at64(c, c0 + j), load<f64>(at64(c, c0 + j)) - s0);
      store<f64>(at64(c, c1 + j), load<f64>(at64(c, c1 + j)) - s1);
    }
  }
  for (; i < b; i++) {
    const ci = i * b;
    let j = 0;
    for (; j + 2 <= b; j += 2) {
      let s = f64x2.splat(0);
      for (let k = 0; k < b; k++) s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(at64(at, k * b + i))), v128.load(at64(bt, k * b + j))));
      v128.store(at64(c, ci + j), f64x2.sub(v128.load(at64(c, ci + j)), s));
    }
    for (; j < b; j++) {
      let s: f64 = 0;
      for (let k = 0; k < b; k++) s += load<f64>(at64(at, k * b + i)) * load<f64>(at64(bt, k * b + j));
      store<f64>(at64(c, ci + j), load<f64>(at64(c, ci + j)) - s);
    }
  }
}

/**
 * X ← X L⁻ᵀ for the lower-triangular row-major tile L, with X given and returned transposed,
 * xt[j·b + r] = X[r][j]: row r of X solved by X[r][j] = (X[r][j] − Σ_{k<j} X[r][k]·L[j][k]) / L[j][j],
 * the sum in k order.
 */
export function tileTrsm(b: i32, l: usize, xt: usize): void {
  for (let j = 0; j < b; j++) {
    const lj = j * b;
    const d = load<f64>(at64(l, lj + j));
    let r = 0;
    for (; r + 4 <= b; r += 4) {
      // two pairs of rows at a time (each loaded L value used twice)
      let s0 = v128.load(at64(xt, lj + r));
      let s1 = v128.load(at64(xt, lj + r + 2));
      for (let k = 0; k < j; k++) {
        const ljk = f64x2.splat(load<f64>(at64(l, lj + k)));
        s0 = f64x2.sub(s0, f64x2.mul(v128.load(at64(xt, k * b + r)), ljk));
        s1 = f64x2.sub(s1, f64x2.mul(v128.load(at64(xt, k * b + r + 2)), ljk));
      }
      v128.store(at64(xt, lj + r), f64x2.div(s0, f64x2.splat(d)));
      v128.store(at64(xt, lj + r + 2), f64x2.div(s1, f64x2.splat(d)));
    }
    for (; r + 2 <= b; r += 2) {
      let s = v128.load(at64(xt, lj + r));
      for (let k = 0; k < j; k++) s = f64x2.sub(s, f64x2.mul(v128.load(at64(xt, k * b + r)), f64x2.splat(load<f64>(at64(l, lj + k)))));
      v128.store(at64(xt, lj + r), f64x2.div(s, f64x2.splat(d)));
    }
    for (; r < b; r++) {
      let s = load<f64>(at64(xt, lj + r));
      for (let k = 0; k < j; k++) s -= load<f64>(at64(xt, k * b + r)) * load<f64>(at64(l, lj + k));
      store<f64>(at64(xt, lj + r), s / d);
    }
  }
}

/**
 * In-place lower Cholesky of the row-major b×b tile t (upper part ignored): column by column,
 * d = t[j][j] − Σ_{k<j} t[j][k]², stop at the first d that is not positive (returns its j), else
 * t[j][j] = √d and t[i][j] = (t[i][j] − Σ_{k<j} t[i][k]·t[j][k]) / t[j][j] below, each sum in k
 * order; returns −1 when every pivot is positive. The textbook loop's operations in its order.
 */
export function tileCholesky(b: i32, t: usize): i32 {
  for (let j = 0; j < b; j++) {
    const rj = j * b;
    let d = load<f64>(at64(t, rj + j));
    for (let k = 0; k < j; k++) {
      const v = load<f64>(at64(t, rj + k));
      d -= v * v;
    }
    if (!(d > 0)) return j;
    d = Math.sqrt(d);
    store<f64>(at64(t, rj + j), d);
    for (let i = j + 1; i < b; i++) {
      const ri = i * b;
      let s = load<f64>(at64(t, ri + j));
      for (let k = 0; k < j; k++) s -= load<f64>(at64(t, ri + k)) * load<f64>(at64(t, rj + k));
      store<f64>(at64(t, ri + j), s / d);
    }
  }
  return -1;
}
