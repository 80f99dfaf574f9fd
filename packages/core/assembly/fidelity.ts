// Data-fidelity terms g(u) = λ·φ(u; y) around an observation y (u = Kx in a flow): their proxes
// prox_{t·g} and the proxes of their conjugates prox_{σ·g*}, in closed form, element by element
// (the ℓ2 ball: two passes, a norm then a scaling). Stats as in assembly/prox.ts: nnz of out at
// nnzOut and the value at valOut — g(out) for a prox, g*(out) for a conjugate prox — accumulated in
// f64 from the stored (rounded) outputs. `out` may alias the input, never y.
//
//   Kullback–Leibler (Poisson):  φ(u; y) = u − y − y·log(u/y)  (u > 0; y = 0: φ = u on u ≥ 0)
//     prox:  u⁺ = ½(a + √(a² + 4τy)), a = u − τ, τ = tλ
//     conj:  g*(p) = −λ Σ y·log(1 − p/λ) (p < λ; y = 0: p ≤ λ), prox: p⁺ = λ − ½(√(b² + 4σλy) − b),
//            b = v − λ (the Moreau identity applied to the prox above)
//   ℓ1 data:  φ(u; y) = |u − y|;  prox: y + soft(u − y, tλ);  g*(p) = ⟨p, y⟩ + ι{‖p‖∞ ≤ λ},
//     prox: clip(v − σy, −λ, λ)
//   ℓ2 ball around y (an indicator: no λ):  ι{‖u − y‖₂ ≤ r};  prox: y + (u − y)·min(1, r/‖u − y‖);
//     g*(p) = ⟨p, y⟩ + r‖p‖₂, prox: w·max(0, 1 − σr/‖w‖), w = v − σy
// The square roots are taken in the form that never subtracts nearly equal numbers.
import { ld, st, vld, vst, vsplat, hsum } from "./common/real";
import { addAbs, addDot, addNonzero, addSq, countTotal } from "./common/stats";

// Feasibility slack of the indicator evaluations (assembly/prox.ts): the rounding of a projection.
const SLACK: f64 = sizeof<Real>() == 8 ? 1e-10 : 1e-5;

// ── Kullback–Leibler ───────────────────────────────────────────────────────────────────────────

/** d − log(1 + d) for d > −1; below |d| = 0.1 by its series d²(1/2 − d/3 + d²/4 − …), free of cancellation. */
@inline function dMinusLog1p(d: f64): f64 {
  if (Math.abs(d) < 0.1) {
    let s: f64 = 1.0 / 17;
    for (let m = 14; m >= 0; m--) s = 1.0 / <f64>(m + 2) - d * s;
    return d * d * s;
  }
  return d - Math.log1p(d);
}

/** φ(u; y) = u − y − y·log(u/y) (y > 0), u (y = 0, u ≥ 0); +∞ off the domain. */
@inline function kl(u: f64, y: f64): f64 {
  if (y > 0) return u > 0 ? y * dMinusLog1p((u - y) / y) : Infinity;
  return u >= 0 ? u : Infinity;
}

/** λ Σ φ(u_i; y_i) (λ = 0: 0). */
export function klValue(n: i32, lam: f64, y: usize, u: usize): f64 {
  if (lam == 0) return 0;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += kl(<f64>ld(u, i), <f64>ld(y, i));
  return lam * s;
}

/** out = prox_{tλ·KL(y‖·)}(u): the positive root of x² − (u − τ)x − τy = 0, τ = tλ. */
export function proxKL(n: i32, t: f64, lam: f64, y: usize, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const tau = t * lam;
  let s: f64 = 0;
  let k: f64 = 0;
  for (let i = 0; i < n; i++) {
    const yi = <f64>ld(y, i);
    const a = <f64>ld(u, i) - tau;
    const c = 4 * tau * yi;
    const root = Math.sqrt(a * a + c);
    // a < 0: ½(a + √(a² + c)) = c / (2(√(a² + c) − a)), without the cancellation
    const x = a >= 0 ? 0.5 * (a + root) : c > 0 ? c / (2 * (root - a)) : 0;
    const o = <Real>x;
    st(out, i, o);
    if (lam != 0) s += kl(<f64>o, yi);
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, lam * s);
}

/** out = prox_{σ·g*}(v) for g = λ·KL(y‖·); g*(out) = −λ Σ y·log(1 − out/λ) from the stored out. */
export function proxKLConj(n: i32, sigma: f64, lam: f64, y: usize, v: usize, out: usize, nnzOut: usize, valOut: usize): void {
  let s: f64 = 0;
  let k: f64 = 0;
  for (let i = 0; i < n; i++) {
    const yi = <f64>ld(y, i);
    const b = <f64>ld(v, i) - lam;
    const c = 4 * sigma * lam * yi;
    const root = Math.sqrt(b * b + c);
    // h = ½(√(b² + c) − b) = c / (2(√(b² + c) + b)) when b > 0
    const h = b > 0 ? c / (2 * (root + b)) : 0.5 * (root - b);
    const o = <Real>(lam - h);
    st(out, i, o);
    if (lam != 0) {
      const gap = lam - <f64>o;
      if (yi > 0) s += gap > 0 ? -yi * Math.log(gap / lam) : Infinity;
      else if (gap < -SLACK * lam) s = Infinity;
    }
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, lam * s);
}

// ── ℓ1 data ────────────────────────────────────────────────────────────────────────────────────

/** λ‖u − y‖₁. */
export function l1DataValue(n: i32, lam: f64, y: usize, u: usize): f64 {
  let a = f64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) a = addAbs(a, v128.sub<Real>(vld(u, i), vld(y, i)));
  let s = hsum(a);
  for (; i < n; i++) s += Math.abs(<f64>(ld(u, i) - ld(y, i)));
  return lam * s;
}

/** out = y + soft(u − y, tλ); g(out) = λ‖out − y‖₁. */
export function proxL1Data(n: i32, t: f64, lam: f64, y: usize, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const thr = t * lam;
  const tv = vsplat(thr);
  const nv = vsplat(-thr);
  let a = f64x2.splat(0);
  let c = i64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const yv = vld(y, i);
    const d = v128.sub<Real>(vld(u, i), yv);
    const o = v128.add<Real>(yv, v128.sub<Real>(d, v128.pmin<Real>(v128.pmax<Real>(d, nv), tv)));
    vst(out, i, o);
    a = addAbs(a, v128.sub<Real>(o, yv));
    c = addNonzero(c, o);
  }
  let s = hsum(a);
  let k = countTotal(c);
  const th = <Real>thr;
  for (; i < n; i++) {
    const yi = ld(y, i);
    const d = ld(u, i) - yi;
    const o = yi + (d - (d < -th ? -th : d > th ? th : d));
    st(out, i, o);
    s += Math.abs(<f64>(o - yi));
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, lam * s);
}

/** out = clip(v − σy, −λ, λ); g*(out) = ⟨out, y⟩. */
export function proxL1DataConj(n: i32, sigma: f64, lam: f64, y: usize, v: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const sv = vsplat(sigma);
  const hv = vsplat(lam);
  const lv = vsplat(-lam);
  let a = f64x2.splat(0);
  let c = i64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const yv = vld(y, i);
    const o = v128.pmin<Real>(v128.pmax<Real>(v128.sub<Real>(vld(v, i), v128.mul<Real>(sv, yv)), lv), hv);
    vst(out, i, o);
    a = addDot(a, o, yv);
    c = addNonzero(c, o);
  }
  let s = hsum(a);
  let k = countTotal(c);
  const sr = <Real>sigma;
  const h = <Real>lam;
  for (; i < n; i++) {
    const yi = ld(y, i);
    const w = ld(v, i) - sr * yi;
    const o = w < -h ? -h : w > h ? h : w;
    st(out, i, o);
    s += <f64>o * <f64>yi;
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, s);
}

// ── ℓ2 ball around y ───────────────────────────────────────────────────────────────────────────

/** ‖u − y‖² in f64. */
function distSq(n: i32, y: usize, u: usize): f64 {
  let q = f64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) q = addSq(q, v128.sub<Real>(vld(u, i), vld(y, i)));
  let s = hsum(q);
  for (; i < n; i++) {
    const d = <f64>(ld(u, i) - ld(y, i));
    s += d * d;
  }
  return s;
}

/** Indicator of {‖u − y‖₂ ≤ radius}. */
export function l2BallAtIndicator(n: i32, radius: f64, y: usize, u: usize): f64 {
  return Math.sqrt(distSq(n, y, u)) <= radius * (1 + SLACK) ? 0 : Infinity;
}

/** Projection onto {‖x − y‖₂ ≤ radius}: out = y + (u − y)·min(1, radius/‖u − y‖₂). */
export function projL2BallAt(n: i32, radius: f64, y: usize, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const norm = Math.sqrt(distSq(n, y, u));
  const f = norm > radius ? radius / norm : 1;
  const fv = vsplat(f);
  let c = i64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const yv = vld(y, i);
    const o = v128.add<Real>(yv, v128.mul<Real>(v128.sub<Real>(vld(u, i), yv), fv));
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  const fr = <Real>f;
  for (; i < n; i++) {
    const yi = ld(y, i);
    const o = yi + (ld(u, i) - yi) * fr;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, 0);
}

/** out = w·max(0, 1 − σr/‖w‖₂), w = v − σy; g*(out) = ⟨out, y⟩ + r‖out‖₂. */
export function proxL2BallAtConj(n: i32, sigma: f64, radius: f64, y: usize, v: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const sv = vsplat(sigma);
  const sr = <Real>sigma;
  let q = f64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) q = addSq(q, v128.sub<Real>(vld(v, i), v128.mul<Real>(sv, vld(y, i))));
  let sq = hsum(q);
  for (; i < n; i++) {
    const w = <f64>(ld(v, i) - sr * ld(y, i));
    sq += w * w;
  }
  const norm = Math.sqrt(sq);
  const thr = sigma * radius;
  const f = norm > thr ? 1 - thr / norm : 0;
  const fv = vsplat(f);
  let a = f64x2.splat(0);
  let o2 = f64x2.splat(0);
  let c = i64x2.splat(0);
  i = 0;
  for (; i + LANES <= n; i += LANES) {
    const yv = vld(y, i);
    const o = v128.mul<Real>(v128.sub<Real>(vld(v, i), v128.mul<Real>(sv, yv)), fv);
    vst(out, i, o);
    a = addDot(a, o, yv);
    o2 = addSq(o2, o);
    c = addNonzero(c, o);
  }
  let s = hsum(a);
  let oo = hsum(o2);
  let k = countTotal(c);
  const fr = <Real>f;
  for (; i < n; i++) {
    const yi = ld(y, i);
    const o = (ld(v, i) - sr * yi) * fr;
    st(out, i, o);
    s += <f64>o * <f64>yi;
    oo += <f64>o * <f64>o;
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, s + radius * Math.sqrt(oo));
}
