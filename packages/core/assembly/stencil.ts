// The interior of a circulant stencil's product, in float64 in both builds (a declared structure's
// product is float64 whatever the run's dtype): x, c and out are f64 arrays, src i32 offsets.
import { at32, at64 } from "./common/real";

/**
 * out[i] ← Σ_k c[k]·x[src[k] + i] for lo ≤ i < hi, each output summed from 0 over k in order (the
 * bits of that loop written in f64 scalars: the lanes are distinct outputs, each lane's sum is one
 * such loop). src[k] + i must index x for every i in range (the caller's sources do not wrap).
 */
export function stencilSums(lo: i32, hi: i32, t: i32, c: usize, src: usize, x: usize, out: usize): void {
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    for (let k = 0; k < t; k++) {
      const cv = f64x2.splat(load<f64>(at64(c, k)));
      const j = load<i32>(at32(src, k)) + i;
      s01 = f64x2.add(s01, f64x2.mul(cv, v128.load(at64(x, j))));
      s23 = f64x2.add(s23, f64x2.mul(cv, v128.load(at64(x, j + 2))));
    }
    v128.store(at64(out, i), s01);
    v128.store(at64(out, i + 2), s23);
  }
  for (; i < hi; i++) {
    let s: f64 = 0;
    for (let k = 0; k < t; k++) s += load<f64>(at64(c, k)) * load<f64>(at64(x, load<i32>(at32(src, k)) + i));
    store<f64>(at64(out, i), s);
  }
}
