// Addressing and lane helpers shared by every kernel module. `Real` is f64 or f32 (set by the
// build); a v128 holds LANES reals. Pointers are byte offsets into linear memory.

/** Byte address of element i of the real array at p. */
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << alignof<Real>());
}

/** Byte address of element i of the f64 array at p (parameters, accumulators). */
@inline export function at64(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** Byte address of element i of the i32 array at p (indices). */
@inline export function at32(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

@inline export function ld(p: usize, i: i32): Real {
  return load<Real>(at(p, i));
}

@inline export function st(p: usize, i: i32, v: Real): void {
  store<Real>(at(p, i), v);
}

@inline export function vld(p: usize, i: i32): v128 {
  return v128.load(at(p, i));
}

@inline export function vst(p: usize, i: i32, v: v128): void {
  v128.store(at(p, i), v);
}

@inline export function vsplat(a: f64): v128 {
  return v128.splat<Real>(<Real>a);
}

/** Low two lanes of an f32x4 as f64x2 (f32 build only). */
@inline export function promoteLo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** High two lanes of an f32x4 as f64x2 (f32 build only). */
@inline export function promoteHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1));
}

/** Sum of the two f64 lanes of an accumulator. */
@inline export function hsum(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
