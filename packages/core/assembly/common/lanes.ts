// Lane shuffles and multiply-adds shared by the wavelet kernels. The `sizeof<Real>()` branches fold
// at compile time; both arms use type-specific shuffles so each build compiles either arm.
import { at } from "./real";

/** acc + c·v, lane-wise. */
@inline export function madd(acc: v128, c: v128, v: v128): v128 {
  return v128.add<Real>(acc, v128.mul<Real>(c, v));
}

/** Filter tap i of the Real array at p, in every lane. */
@inline export function tap(p: usize, i: i32): v128 {
  return v128.load_splat<Real>(at(p, i));
}

@inline export function vzero(): v128 {
  return v128.splat<Real>(<Real>0);
}

/** Even-indexed elements of the 2·LANES elements held by a then b. */
@inline export function evenLanes(a: v128, b: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.shuffle(a, b, 0, 2);
  return f32x4.shuffle(a, b, 0, 2, 4, 6);
}

/** Odd-indexed elements of the 2·LANES elements held by a then b. */
@inline export function oddLanes(a: v128, b: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.shuffle(a, b, 1, 3);
  return f32x4.shuffle(a, b, 1, 3, 5, 7);
}

/** First LANES elements of the interleaving e0, o0, e1, o1, … */
@inline export function zipLo(e: v128, o: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.shuffle(e, o, 0, 2);
  return f32x4.shuffle(e, o, 0, 4, 1, 5);
}

/** Last LANES elements of the interleaving e0, o0, e1, o1, … */
@inline export function zipHi(e: v128, o: v128): v128 {
  if (sizeof<Real>() == 8) return f64x2.shuffle(e, o, 1, 3);
  return f32x4.shuffle(e, o, 2, 6, 3, 7);
}

/** i mod n in [0, n), for any sign and magnitude of i (periodic extension). */
@inline export function wrap(i: i32, n: i32): i32 {
  const r = i % n;
  return r < 0 ? r + n : r;
}
