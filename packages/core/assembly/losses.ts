// Element-wise data losses of the smooth atoms: value (f64-accumulated) and gradient in one pass.
// Every loss takes the term's weight w, so value and gradient come out already scaled: the plan
// needs no extra pass (and no scalar arithmetic on cells) to weight a term.
import { at, ld, st, vld, vst, vsplat, promoteLo, promoteHi, hsum } from "./common/real";

/** w·½Σr_i²; grad = w·r (grad may alias r). */
export function lossSquared(n: i32, w: f64, r: usize, grad: usize): f64 {
  const wv = vsplat(w);
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 4 <= n; i += 4) {
      const a = vld(r, i);
      const b = vld(r, i + 2);
      acc0 = f64x2.add(acc0, f64x2.mul(a, a));
      acc1 = f64x2.add(acc1, f64x2.mul(b, b));
      vst(grad, i, v128.mul<Real>(wv, a));
      vst(grad, i + 2, v128.mul<Real>(wv, b));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const a = vld(r, i);
      const lo = promoteLo(a);
      const hi = promoteHi(a);
      acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
      acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
      vst(grad, i, v128.mul<Real>(wv, a));
    }
  }
  let s = hsum(f64x2.add(acc0, acc1));
  for (; i < n; i++) {
    const ri = ld(r, i);
    s += <f64>ri * <f64>ri;
    st(grad, i, <Real>w * ri);
  }
  return 0.5 * w * s;
}

/**
 * r ← r − b and returns w·½‖r‖²: the residual of an image just written into r and its squared
 * loss, in one pass (observing a candidate needs the value, not the gradient).
 */
export function lossSquaredResidual(n: i32, w: f64, b: usize, r: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 4 <= n; i += 4) {
      const a = f64x2.sub(vld(r, i), vld(b, i));
      const c = f64x2.sub(vld(r, i + 2), vld(b, i + 2));
      vst(r, i, a);
      vst(r, i + 2, c);
      acc0 = f64x2.add(acc0, f64x2.mul(a, a));
      acc1 = f64x2.add(acc1, f64x2.mul(c, c));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const a = v128.sub<Real>(vld(r, i), vld(b, i));
      vst(r, i, a);
      const lo = promoteLo(a);
      const hi = promoteHi(a);
      acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
      acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
    }
  }
  let s = hsum(f64x2.add(acc0, acc1));
  for (; i < n; i++) {
    const ri = ld(r, i) - ld(b, i);
    st(r, i, ri);
    s += <f64>ri * <f64>ri;
  }
  return 0.5 * w * s;
}

/** w·½‖r‖² without a gradient (one read pass). */
export function lossSquaredValue(n: i32, w: f64, r: usize): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  if (sizeof<Real>() == 8) {
    for (; i + 4 <= n; i += 4) {
      const a = vld(r, i);
      const c = vld(r, i + 2);
      acc0 = f64x2.add(acc0, f64x2.mul(a, a));
      acc1 = f64x2.add(acc1, f64x2.mul(c, c));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const a = vld(r, i);
      const lo = promoteLo(a);
      const hi = promoteHi(a);
      acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
      acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
    }
  }
  let s = hsum(f64x2.add(acc0, acc1));
  for (; i < n; i++) {
    const ri = <f64>ld(r, i);
    s += ri * ri;
  }
  return 0.5 * w * s;
}

/**
 * The squared loss at a momentum point from the residuals of two iterates, in one pass:
 * z = c + β(c − cPrev) (the residual at y = x + β(x − xPrev) by linearity), grad ← w·z, returns
 * w·½‖z‖². grad may alias c or cPrev.
 */
export function lossSquaredMomentum(n: i32, w: f64, beta: f64, c: usize, cPrev: usize, grad: usize): f64 {
  const bv = vsplat(beta);
  const wv = vsplat(w);
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const cv = vld(c, i);
    const z = v128.add<Real>(cv, v128.mul<Real>(bv, v128.sub<Real>(cv, vld(cPrev, i))));
    vst(grad, i, v128.mul<Real>(wv, z));
    if (sizeof<Real>() == 8) acc0 = f64x2.add(acc0, f64x2.mul(z, z));
    else {
      const lo = promoteLo(z);
      const hi = promoteHi(z);
      acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
      acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
    }
  }
  let s = hsum(f64x2.add(acc0, acc1));
  const br = <Real>beta;
  for (; i < n; i++) {
    const ci = ld(c, i);
    const z = ci + br * (ci - ld(cPrev, i));
    st(grad, i, <Real>w * z);
    s += <f64>z * <f64>z;
  }
  return 0.5 * w * s;
}

/** w·½Σ c_i r_i² with per-element weights c; grad = w·c⊙r (grad may alias r). */
export function lossWeightedSquared(n: i32, w: f64, c: usize, r: usize, grad: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const ri = <f64>ld(r, i);
    const ci = <f64>ld(c, i);
    s += ci * ri * ri;
    st(grad, i, <Real>(w * ci * ri));
  }
  return 0.5 * w * s;
}

/**
 * w·Σ h_δ(r_i), h_δ(r) = ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond; grad_i = w·clip(r_i, −δ, δ).
 * grad may alias r.
 */
export function lossHuber(n: i32, w: f64, delta: f64, r: usize, grad: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const ri = <f64>ld(r, i);
    const a = Math.abs(ri);
    if (a <= delta) {
      s += 0.5 * ri * ri;
      st(grad, i, <Real>(w * ri));
    } else {
      s += delta * (a - 0.5 * delta);
      st(grad, i, <Real>(ri > 0 ? w * delta : -w * delta));
    }
  }
  return w * s;
}

/** Curvature of the weighted Huber loss: c_i = w where |r_i| ≤ δ, else 0. */
export function lossHuberCurvature(n: i32, w: f64, delta: f64, r: usize, c: usize): void {
  for (let i = 0; i < n; i++) st(c, i, Math.abs(<f64>ld(r, i)) <= delta ? <Real>w : <Real>0);
}

/**
 * w·Σ log(1 + exp(−y_i z_i)) for labels y_i ∈ {−1, +1}, computed stably as
 * max(−t, 0) + log1p(exp(−|t|)) with t = y_i z_i; grad_i = −w·y_i σ(−t). grad may alias z.
 */
export function lossLogistic(n: i32, w: f64, z: usize, y: usize, grad: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const yi = <f64>ld(y, i);
    const t = yi * <f64>ld(z, i);
    const e = Math.exp(-Math.abs(t));
    s += (t < 0 ? -t : 0) + Math.log1p(e);
    // σ(−t) = 1/(1 + e^t), written to avoid overflow for either sign of t
    const sig = t >= 0 ? e / (1 + e) : 1 / (1 + e);
    st(grad, i, <Real>(-w * yi * sig));
  }
  return w * s;
}

/** Curvature of the weighted logistic loss c_i = w·σ(z_i)(1 − σ(z_i)) (independent of the label sign). */
export function lossLogisticCurvature(n: i32, w: f64, z: usize, c: usize): void {
  for (let i = 0; i < n; i++) {
    const e = Math.exp(-Math.abs(<f64>ld(z, i)));
    st(c, i, <Real>((w * e) / ((1 + e) * (1 + e))));
  }
}
