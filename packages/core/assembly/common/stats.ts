// Lane helpers for the statistics proximal kernels fuse into their pass: f64 accumulation of |v|
// and v² (f32 lanes are promoted first, so both builds reduce in f64) and non-zero counts.
import { promoteLo, promoteHi } from "./real";

/** acc (f64x2) + Σ|v| over v's lanes. */
@inline export function addAbs(acc: v128, v: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.add(acc, f64x2.abs(v));
  const a = f32x4.abs(v);
  return f64x2.add(acc, f64x2.add(promoteLo(a), promoteHi(a)));
}

/** acc (f64x2) + Σv² over v's lanes. */
@inline export function addSq(acc: v128, v: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.add(acc, f64x2.mul(v, v));
  const lo = promoteLo(v);
  const hi = promoteHi(v);
  return f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
}

/** cnt + (number of non-zero lanes of v), counted per lane (i64x2 or i32x4 by dtype). */
@inline export function addNonzero(cnt: v128, v: v128): v128 {
  // a true comparison lane is all ones, i.e. −1 as an integer
  if (sizeof<Real>() == 8) return i64x2.sub(cnt, f64x2.ne(v, f64x2.splat(0)));
  return i32x4.sub(cnt, f32x4.ne(v, f32x4.splat(0)));
}

/** Total of a non-zero counter built by addNonzero. */
@inline export function countTotal(cnt: v128): f64 {
  if (sizeof<Real>() == 8) return <f64>(i64x2.extract_lane(cnt, 0) + i64x2.extract_lane(cnt, 1));
  return <f64>(i32x4.extract_lane(cnt, 0) + i32x4.extract_lane(cnt, 1) + i32x4.extract_lane(cnt, 2) + i32x4.extract_lane(cnt, 3));
}

/** acc (f64x2) + Σ a·b over the lanes of a and b (f32 lanes promoted before they are multiplied). */
@inline export function addDot(acc: v128, a: v128, b: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.add(acc, f64x2.mul(a, b));
  return f64x2.add(acc, f64x2.add(f64x2.mul(promoteLo(a), promoteLo(b)), f64x2.mul(promoteHi(a), promoteHi(b))));
}
