// Fused kernels of the flow step itself: the per-iteration metrics, computed in one pass over
// buffers the step already touches (docs/design.md §6: metrics fused into passes it already makes).
import { at64, ld, st, vld, vst, vsplat, promoteLo, promoteHi, hsum } from "./common/real";

/**
 * After a step from momentum point y to x⁺ (x), with xPrev the previous iterate:
 * out[0] = ‖x⁺ − y‖² (the gradient-mapping norm is √out[0]/α),
 * out[1] = ⟨y − x⁺, x⁺ − xPrev⟩ (> 0 triggers the gradient-based adaptive restart) and
 * out[2] = ‖x⁺‖² (the scale of the relative optimality measure).
 */
export function stepMetrics(n: i32, y: usize, x: usize, xPrev: usize, out: usize): void {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 2 <= n; i += 2) {
      const xv = vld(x, i);
      const d = f64x2.sub(xv, vld(y, i));
      s0 = f64x2.add(s0, f64x2.mul(d, d));
      s1 = f64x2.sub(s1, f64x2.mul(d, f64x2.sub(xv, vld(xPrev, i))));
      s2 = f64x2.add(s2, f64x2.mul(xv, xv));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const xv = vld(x, i);
      const yv = vld(y, i);
      const pv = vld(xPrev, i);
      const xl = promoteLo(xv);
      const xh = promoteHi(xv);
      const dl = f64x2.sub(xl, promoteLo(yv));
      const dh = f64x2.sub(xh, promoteHi(yv));
      s0 = f64x2.add(s0, f64x2.add(f64x2.mul(dl, dl), f64x2.mul(dh, dh)));
      s1 = f64x2.sub(s1, f64x2.add(f64x2.mul(dl, f64x2.sub(xl, promoteLo(pv))), f64x2.mul(dh, f64x2.sub(xh, promoteHi(pv)))));
      s2 = f64x2.add(s2, f64x2.add(f64x2.mul(xl, xl), f64x2.mul(xh, xh)));
    }
  }
  let a = hsum(s0);
  let b = hsum(s1);
  let c = hsum(s2);
  for (; i < n; i++) {
    const xi = <f64>ld(x, i);
    const d = xi - <f64>ld(y, i);
    a += d * d;
    b -= d * (xi - <f64>ld(xPrev, i));
    c += xi * xi;
  }
  store<f64>(at64(out, 0), a);
  store<f64>(at64(out, 1), b);
  store<f64>(at64(out, 2), c);
}

/** ⟨g, x − y⟩ in f64 (the linear term of the backtracking line search's sufficient decrease). */
export function dotDiff(n: i32, g: usize, x: usize, y: usize): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 2 <= n; i += 2) s = f64x2.add(s, f64x2.mul(vld(g, i), f64x2.sub(vld(x, i), vld(y, i))));
  } else {
    for (; i + 4 <= n; i += 4) {
      const gv = vld(g, i);
      const xv = vld(x, i);
      const yv = vld(y, i);
      s = f64x2.add(s, f64x2.mul(promoteLo(gv), f64x2.sub(promoteLo(xv), promoteLo(yv))));
      s = f64x2.add(s, f64x2.mul(promoteHi(gv), f64x2.sub(promoteHi(xv), promoteHi(yv))));
    }
  }
  let r = hsum(s);
  for (; i < n; i++) r += <f64>ld(g, i) * (<f64>ld(x, i) - <f64>ld(y, i));
  return r;
}

/** cell ← a·cell (scales a reduction written by an earlier plan call, e.g. ½w⟨x, Qx⟩). */
export function scaleCell(a: f64, cell: usize): void {
  store<f64>(cell, a * load<f64>(cell));
}

/** z ← y + a·(dinv ⊙ g): the preconditioned forward step z = y − α D⁻¹∇f(y) with a = −α. */
export function precondStep(n: i32, a: f64, y: usize, dinv: usize, g: usize, z: usize): void {
  const av = vsplat(a);
  const ar = <Real>a;
  let i = 0;
  for (; i + LANES <= n; i += LANES) vst(z, i, v128.add<Real>(vld(y, i), v128.mul<Real>(av, v128.mul<Real>(vld(dinv, i), vld(g, i)))));
  for (; i < n; i++) st(z, i, ld(y, i) + ar * (ld(dinv, i) * ld(g, i)));
}

/**
 * The metrics of a preconditioned step from y to x⁺ (x) with the diagonal metric d:
 * out[0] = ‖x⁺ − y‖²_D = Σ d(x⁺ − y)² (the line search's quadratic term),
 * out[1] = ‖D(x⁺ − y)‖² (α² times the squared gradient-mapping norm) and
 * out[2] = ‖Dx⁺‖² (the scale of the relative optimality measure).
 */
export function precondMetrics(n: i32, d: usize, y: usize, x: usize, out: usize): void {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 2 <= n; i += 2) {
      const xv = vld(x, i);
      const dv = vld(d, i);
      const e = f64x2.sub(xv, vld(y, i));
      const de = f64x2.mul(dv, e);
      const dx = f64x2.mul(dv, xv);
      s0 = f64x2.add(s0, f64x2.mul(de, e));
      s1 = f64x2.add(s1, f64x2.mul(de, de));
      s2 = f64x2.add(s2, f64x2.mul(dx, dx));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const xv = vld(x, i);
      const yv = vld(y, i);
      const dv = vld(d, i);
      const xl = promoteLo(xv);
      const xh = promoteHi(xv);
      const dvl = promoteLo(dv);
      const dvh = promoteHi(dv);
      const el = f64x2.sub(xl, promoteLo(yv));
      const eh = f64x2.sub(xh, promoteHi(yv));
      const dl = f64x2.mul(dvl, el);
      const dh = f64x2.mul(dvh, eh);
      const xdl = f64x2.mul(dvl, xl);
      const xdh = f64x2.mul(dvh, xh);
      s0 = f64x2.add(s0, f64x2.add(f64x2.mul(dl, el), f64x2.mul(dh, eh)));
      s1 = f64x2.add(s1, f64x2.add(f64x2.mul(dl, dl), f64x2.mul(dh, dh)));
      s2 = f64x2.add(s2, f64x2.add(f64x2.mul(xdl, xdl), f64x2.mul(xdh, xdh)));
    }
  }
  let a = hsum(s0);
  let b = hsum(s1);
  let c = hsum(s2);
  for (; i < n; i++) {
    const xi = <f64>ld(x, i);
    const di = <f64>ld(d, i);
    const e = xi - <f64>ld(y, i);
    const de = di * e;
    a += de * e;
    b += de * de;
    c += di * xi * (di * xi);
  }
  store<f64>(at64(out, 0), a);
  store<f64>(at64(out, 1), b);
  store<f64>(at64(out, 2), c);
}
