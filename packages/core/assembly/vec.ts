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
