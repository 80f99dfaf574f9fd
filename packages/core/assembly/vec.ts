// Element-wise kernels and reductions over real arrays. Reductions accumulate in f64 for both
// dtypes (f32 lanes are promoted before they are multiplied or added).
import { at, ld, st, vld, vst, vsplat, promoteLo, promoteHi, hsum } from "./common/real";

export function fill(n: i32, a: f64, x: usize): void {
  const av = vsplat(a);
  let i = 0;
  for (; i + LANES <= n; i += LANES) vst(x, i, av);
  for (; i < n; i++) st(x, i, <Real>a);
}

export function copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << alignof<Real>());
}

/** x ← a·x */
export function scale(n: i32, a: f64, x: usize): void {
  const av = vsplat(a);
  let i = 0;
  for (; i + LANES <= n; i += LANES) vst(x, i, v128.mul<Real>(vld(x, i), av));
  for (; i < n; i++) st(x, i, <Real>a * ld(x, i));
}

/** y ← a·x + y */
export function axpy(n: i32, a: f64, x: usize, y: usize): void {
  const av = vsplat(a);
  let i = 0;
  for (; i + LANES <= n; i += LANES) vst(y, i, v128.add<Real>(vld(y, i), v128.mul<Real>(av, vld(x, i))));
  for (; i < n; i++) st(y, i, ld(y, i) + <Real>a * ld(x, i));
}

/** y ← a·x + b·y */
export function axpby(n: i32, a: f64, x: usize, b: f64, y: usize): void {
  const av = vsplat(a);
  const bv = vsplat(b);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    vst(y, i, v128.add<Real>(v128.mul<Real>(av, vld(x, i)), v128.mul<Real>(bv, vld(y, i))));
  }
  for (; i < n; i++) st(y, i, <Real>a * ld(x, i) + <Real>b * ld(y, i));
}

/** ⟨x, y⟩ accumulated in f64. */
export function dot(n: i32, x: usize, y: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 4 <= n; i += 4) {
      acc0 = f64x2.add(acc0, f64x2.mul(vld(x, i), vld(y, i)));
      acc1 = f64x2.add(acc1, f64x2.mul(vld(x, i + 2), vld(y, i + 2)));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const xv = vld(x, i);
      const yv = vld(y, i);
      acc0 = f64x2.add(acc0, f64x2.mul(promoteLo(xv), promoteLo(yv)));
      acc1 = f64x2.add(acc1, f64x2.mul(promoteHi(xv), promoteHi(yv)));
    }
  }
  let s = hsum(f64x2.add(acc0, acc1));
  for (; i < n; i++) s += <f64>ld(x, i) * <f64>ld(y, i);
  return s;
}

/** out ← x ⊙ y (element-wise; out may alias x or y). */
export function mul(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 2 * LANES <= n; i += 2 * LANES) {
    vst(out, i, v128.mul<Real>(vld(x, i), vld(y, i)));
    vst(out, i + LANES, v128.mul<Real>(vld(x, i + LANES), vld(y, i + LANES)));
  }
  for (; i < n; i++) st(out, i, ld(x, i) * ld(y, i));
}

/** out ← x − y (out may alias x or y). */
export function sub(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 2 * LANES <= n; i += 2 * LANES) {
    vst(out, i, v128.sub<Real>(vld(x, i), vld(y, i)));
    vst(out, i + LANES, v128.sub<Real>(vld(x, i + LANES), vld(y, i + LANES)));
  }
  for (; i < n; i++) st(out, i, ld(x, i) - ld(y, i));
}

/** z ← a·x + b·y (z may alias x or y). */
export function axpbyz(n: i32, a: f64, x: usize, b: f64, y: usize, z: usize): void {
  const av = vsplat(a);
  const bv = vsplat(b);
  const ar = <Real>a;
  const br = <Real>b;
  let i = 0;
  for (; i + 2 * LANES <= n; i += 2 * LANES) {
    vst(z, i, v128.add<Real>(v128.mul<Real>(av, vld(x, i)), v128.mul<Real>(bv, vld(y, i))));
    vst(z, i + LANES, v128.add<Real>(v128.mul<Real>(av, vld(x, i + LANES)), v128.mul<Real>(bv, vld(y, i + LANES))));
  }
  for (; i < n; i++) st(z, i, ar * ld(x, i) + br * ld(y, i));
}

/** y ← x + β(x − xPrev): the FISTA extrapolation in one pass (y may alias x or xPrev). */
/**
 * z ← x − a·g evaluated in f64 and rounded once to Real (the forward step from x; in the f32 build
 * not axpbyz, whose product and sum round in f32).
 */
export function forwardInput(n: i32, a: f64, x: usize, g: usize, z: usize): void {
  let i = 0;
  if (sizeof<Real>() == 8) {
    const av = f64x2.splat(a);
    for (; i + 2 <= n; i += 2) vst(z, i, f64x2.sub(vld(x, i), f64x2.mul(av, vld(g, i))));
  }
  for (; i < n; i++) st(z, i, <Real>(<f64>ld(x, i) - a * <f64>ld(g, i)));
}

export function momentum(n: i32, beta: f64, x: usize, xPrev: usize, y: usize): void {
  const bv = vsplat(beta);
  const br = <Real>beta;
  let i = 0;
  for (; i + 2 * LANES <= n; i += 2 * LANES) {
    const x0 = vld(x, i);
    const x1 = vld(x, i + LANES);
    vst(y, i, v128.add<Real>(x0, v128.mul<Real>(bv, v128.sub<Real>(x0, vld(xPrev, i)))));
    vst(y, i + LANES, v128.add<Real>(x1, v128.mul<Real>(bv, v128.sub<Real>(x1, vld(xPrev, i + LANES)))));
  }
  for (; i < n; i++) {
    const xi = ld(x, i);
    st(y, i, xi + br * (xi - ld(xPrev, i)));
  }
}

/** ‖x‖² accumulated in f64. */
export function norm2sq(n: i32, x: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let acc2 = f64x2.splat(0);
  let acc3 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 8 <= n; i += 8) {
      const v0 = vld(x, i);
      const v1 = vld(x, i + 2);
      const v2 = vld(x, i + 4);
      const v3 = vld(x, i + 6);
      acc0 = f64x2.add(acc0, f64x2.mul(v0, v0));
      acc1 = f64x2.add(acc1, f64x2.mul(v1, v1));
      acc2 = f64x2.add(acc2, f64x2.mul(v2, v2));
      acc3 = f64x2.add(acc3, f64x2.mul(v3, v3));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const u = vld(x, i);
      const w = vld(x, i + 4);
      const u0 = promoteLo(u);
      const u1 = promoteHi(u);
      const w0 = promoteLo(w);
      const w1 = promoteHi(w);
      acc0 = f64x2.add(acc0, f64x2.mul(u0, u0));
      acc1 = f64x2.add(acc1, f64x2.mul(u1, u1));
      acc2 = f64x2.add(acc2, f64x2.mul(w0, w0));
      acc3 = f64x2.add(acc3, f64x2.mul(w1, w1));
    }
  }
  let s = hsum(f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3)));
  for (; i < n; i++) {
    const v = <f64>ld(x, i);
    s += v * v;
  }
  return s;
}

/** ‖x‖₁ accumulated in f64. */
export function norm1(n: i32, x: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let acc2 = f64x2.splat(0);
  let acc3 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 8 <= n; i += 8) {
      acc0 = f64x2.add(acc0, f64x2.abs(vld(x, i)));
      acc1 = f64x2.add(acc1, f64x2.abs(vld(x, i + 2)));
      acc2 = f64x2.add(acc2, f64x2.abs(vld(x, i + 4)));
      acc3 = f64x2.add(acc3, f64x2.abs(vld(x, i + 6)));
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      const u = f32x4.abs(vld(x, i));
      const w = f32x4.abs(vld(x, i + 4));
      acc0 = f64x2.add(acc0, promoteLo(u));
      acc1 = f64x2.add(acc1, promoteHi(u));
      acc2 = f64x2.add(acc2, promoteLo(w));
      acc3 = f64x2.add(acc3, promoteHi(w));
    }
  }
  let s = hsum(f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3)));
  for (; i < n; i++) s += Math.abs(<f64>ld(x, i));
  return s;
}

/**
 * max |x_i| (0 for n = 0; NaN if any element is NaN). Exact in both dtypes. The NaN-propagating
 * float max is slow in WASM SIMD, so f64 lanes use the single-instruction pseudo-max with a
 * separate NaN mask, and f32 lanes compare the bit patterns of |x_i| as unsigned integers (for
 * non-negative floats that is the numeric order, and every NaN sorts above +∞).
 */
export function maxAbs(n: i32, x: usize): f64 {
  let i = 0;
  if (sizeof<Real>() == 8) {
    let m0 = f64x2.splat(0);
    let m1 = f64x2.splat(0);
    let nan = i64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v0 = vld(x, i);
      const v1 = vld(x, i + 2);
      m0 = f64x2.pmax(m0, f64x2.abs(v0));
      m1 = f64x2.pmax(m1, f64x2.abs(v1));
      nan = v128.or(nan, v128.or(f64x2.ne(v0, v0), f64x2.ne(v1, v1)));
    }
    m0 = f64x2.pmax(m0, m1);
    let r: f64 = v128.any_true(nan) ? NaN : Math.max(f64x2.extract_lane(m0, 0), f64x2.extract_lane(m0, 1));
    for (; i < n; i++) r = Math.max(r, Math.abs(<f64>ld(x, i)));
    return r;
  } else {
    const mask = i32x4.splat(0x7fffffff);
    let m0 = i32x4.splat(0);
    let m1 = i32x4.splat(0);
    let m2 = i32x4.splat(0);
    let m3 = i32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      m0 = i32x4.max_u(m0, v128.and(vld(x, i), mask));
      m1 = i32x4.max_u(m1, v128.and(vld(x, i + 4), mask));
      m2 = i32x4.max_u(m2, v128.and(vld(x, i + 8), mask));
      m3 = i32x4.max_u(m3, v128.and(vld(x, i + 12), mask));
    }
    m0 = i32x4.max_u(i32x4.max_u(m0, m1), i32x4.max_u(m2, m3));
    m0 = i32x4.max_u(m0, v128.shuffle<u32>(m0, m0, 2, 3, 0, 1));
    let r = max<u32>(i32x4.extract_lane(m0, 0), i32x4.extract_lane(m0, 1));
    for (; i < n; i++) r = max<u32>(r, load<u32>(at(x, i)) & 0x7fffffff);
    return <f64>reinterpret<f32>(r);
  }
}
