// Proximal maps of convex conjugates, prox_{σ·g*}. Any g reaches its conjugate through the Moreau
// identity prox_{σg*}(v) = v − σ·prox_{g/σ}(v/σ): moreauScale and moreauCombine wrap a recorded
// prox of g (src/atoms/conjugate.ts), and moreauCombine fuses g*(out) by the Fenchel–Young
// equality g*(p) = ⟨x, p⟩ − g(x), which holds with equality at p = v − σx ∈ ∂g(x). Where the
// conjugate is a projection it is computed directly (the conjugate of a norm is the indicator of
// its dual-norm ball): projLinfBall for λ‖·‖₁. Stats as in assembly/prox.ts: nnz of out at
// nnzOut, g*(out) at valOut; `out` may alias the input.
import { ld, st, vld, vst, vsplat, hsum } from "./common/real";
import { addDot, addNonzero, countTotal } from "./common/stats";

/** w = v/σ, and 1/σ into the f64 cell at invSigmaOut (the step of the inner prox_{g/σ}). */
export function moreauScale(n: i32, sigma: f64, v: usize, w: usize, invSigmaOut: usize): void {
  const sv = vsplat(sigma);
  let i = 0;
  for (; i + LANES <= n; i += LANES) vst(w, i, v128.div<Real>(vld(v, i), sv));
  const s = <Real>sigma;
  for (; i < n; i++) st(w, i, ld(v, i) / s);
  store<f64>(invSigmaOut, 1 / sigma);
}

/**
 * out = v − σx for x = prox_{g/σ}(v/σ); g*(out) = ⟨x, out⟩ − g(x) with g(x) read from the f64 cell
 * at gxIn (the value the inner prox fused).
 */
export function moreauCombine(n: i32, sigma: f64, v: usize, x: usize, out: usize, gxIn: usize, nnzOut: usize, valOut: usize): void {
  const sv = vsplat(sigma);
  let acc = f64x2.splat(0);
  let c = i64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const xv = vld(x, i);
    const o = v128.sub<Real>(vld(v, i), v128.mul<Real>(sv, xv));
    vst(out, i, o);
    acc = addDot(acc, xv, o);
    c = addNonzero(c, o);
  }
  let d = hsum(acc);
  let k = countTotal(c);
  const s = <Real>sigma;
  for (; i < n; i++) {
    const xi = ld(x, i);
    const o = ld(v, i) - s * xi;
    st(out, i, o);
    d += <f64>xi * <f64>o;
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, d - load<f64>(gxIn));
}

/** Projection onto the ∞-ball {‖x‖∞ ≤ radius} (clip to [−radius, radius]): prox of the conjugate of radius·‖·‖₁. */
export function projLinfBall(n: i32, radius: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const hv = vsplat(radius);
  const lv = vsplat(-radius);
  let c = i64x2.splat(0);
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.pmin<Real>(v128.pmax<Real>(vld(u, i), lv), hv);
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  const h = <Real>radius;
  for (; i < n; i++) {
    const x = ld(u, i);
    const o = x < -h ? -h : x > h ? h : x;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, 0);
}

/**
 * Projection onto {‖(u_k, u_{n+k})‖₂ ≤ radius for every k < n} (2n reals: the two components of a
 * 2D gradient, as ops/gradient.ts lays them out): the prox of the conjugate of radius·Σ_k‖·‖₂, the
 * isotropic TV norm of a gradient field. Value 0.
 */
export function projL2PairBall(n: i32, radius: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  let k: f64 = 0;
  for (let i = 0; i < n; i++) {
    const a = <f64>ld(u, i);
    const b = <f64>ld(u, n + i);
    const m = Math.sqrt(a * a + b * b);
    const f = m > radius ? radius / m : 1;
    const oa = <Real>(a * f);
    const ob = <Real>(b * f);
    st(out, i, oa);
    st(out, n + i, ob);
    if (oa != 0) k += 1;
    if (ob != 0) k += 1;
  }
  store<f64>(nnzOut, k);
  store<f64>(valOut, 0);
}
