// Complex numbers stored interleaved (re, im) in Real arrays. A v128 holds one complex in the
// float64 build and two in the float32 build; every helper here acts on each complex of a vector.

/** Complexes per v128: 1 (f64x2) or 2 (f32x4). */
@inline export function cpv(): i32 {
  return sizeof<Real>() == 8 ? 1 : 2;
}

/** Byte address of complex i of the complex array at p. */
@inline export function cat(p: usize, i: i32): usize {
  return p + (<usize>i << (alignof<Real>() + 1));
}

/** (re, im) → (im, re). */
@inline export function cswap(v: v128): v128 {
  if (sizeof<Real>() == 8) return v128.shuffle<f64>(v, v, 1, 0);
  return v128.shuffle<f32>(v, v, 1, 0, 3, 2);
}

/** The sign bit in every real lane. */
@inline export function signRe(): v128 {
  if (sizeof<Real>() == 8) return i64x2(i64.MIN_VALUE, 0);
  return i32x4(i32.MIN_VALUE, 0, i32.MIN_VALUE, 0);
}

/** The sign bit in every imaginary lane (xor with it conjugates). */
@inline export function signIm(): v128 {
  if (sizeof<Real>() == 8) return i64x2(0, i64.MIN_VALUE);
  return i32x4(0, i32.MIN_VALUE, 0, i32.MIN_VALUE);
}

@inline export function signAll(): v128 {
  return v128.or(signRe(), signIm());
}

@inline export function vzero(): v128 {
  return i64x2.splat(0);
}

/** (wr, wi) → (wr, wr). */
@inline export function cdupRe(w: v128): v128 {
  if (sizeof<Real>() == 8) return v128.shuffle<f64>(w, w, 0, 0);
  return v128.shuffle<f32>(w, w, 0, 0, 2, 2);
}

/** (wr, wi) → (wi, wi). */
@inline export function cdupIm(w: v128): v128 {
  if (sizeof<Real>() == 8) return v128.shuffle<f64>(w, w, 1, 1);
  return v128.shuffle<f32>(w, w, 1, 1, 3, 3);
}

/**
 * z·w for a twiddle pre-expanded as wr = (Re w, Re w) and wi = (−Im w, Im w): two products, one
 * add and one shuffle, the cheapest complex product on 128-bit lanes.
 */
@inline export function cmulx(z: v128, wr: v128, wi: v128): v128 {
  return v128.add<Real>(v128.mul<Real>(z, wr), v128.mul<Real>(cswap(z), wi));
}

/** z·w for plain interleaved complex vectors. */
@inline export function vcmul(z: v128, w: v128): v128 {
  return cmulx(z, cdupRe(w), v128.xor(cdupIm(w), signRe()));
}

/** z·conj(w). */
@inline export function vcmulConj(z: v128, w: v128): v128 {
  return cmulx(z, cdupRe(w), v128.xor(cdupIm(w), signIm()));
}

/** One complex into the low lanes (the rest zero in the float32 build). */
@inline export function ld1(p: usize): v128 {
  if (sizeof<Real>() == 8) return v128.load(p);
  return v128.load64_zero(p);
}

/** Stores the low complex of v. */
@inline export function st1(p: usize, v: v128): void {
  if (sizeof<Real>() == 8) v128.store(p, v);
  else v128.store64_lane(p, v, 0);
}

/** Swaps the two complexes of a float32 vector (identity in the float64 build). */
@inline export function chalves(v: v128): v128 {
  if (sizeof<Real>() == 8) return v;
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}
