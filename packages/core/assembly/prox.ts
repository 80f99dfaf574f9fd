// Proximal maps and projections of the non-smooth atoms, prox_{t·g}(u), with g carrying its weight λ.
// Every prox kernel fuses the statistics the flow step needs into its pass: it stores the number
// of non-zero outputs at nnzOut and g(out) at valOut (two f64 cells), so the step makes no extra
// pass for sparsity or energy. Indicators of convex sets are 0 on their set, so a projection
// stores 0 as its value. `out` may alias `u` everywhere.
import { at, at32, at64, ld, st, vld, vst, vsplat, hsum } from "./common/real";
import { addAbs, addSq, addNonzero, countTotal } from "./common/stats";

// Feasibility slack of the indicator evaluations, relative to the set's size: covers the rounding
// of a projection computed in the dtype (a few ulps), and nothing more.
const SLACK: f64 = sizeof<Real>() == 8 ? 1e-10 : 1e-5;

// Results of the range helpers (module globals: AssemblyScript functions return one value).
let rAbs: f64 = 0;
let rSq: f64 = 0;
let rNnz: f64 = 0;

@inline function putStats(nnzOut: usize, valOut: usize, nnz: f64, val: f64): void {
  store<f64>(nnzOut, nnz);
  store<f64>(valOut, val);
}

@inline function zero(): v128 {
  return i64x2.splat(0);
}

/** out[lo, hi) ← soft(u, thr) = u − clamp(u, −thr, thr); rAbs = Σ|out|, rNnz = #out ≠ 0. */
function softRange(lo: i32, hi: i32, thr: f64, u: usize, out: usize): void {
  const tv = vsplat(thr);
  const nv = vsplat(-thr);
  let a0 = zero();
  let a1 = zero();
  let c0 = zero();
  let c1 = zero();
  let i = lo;
  for (; i + 2 * LANES <= hi; i += 2 * LANES) {
    const x0 = vld(u, i);
    const x1 = vld(u, i + LANES);
    const o0 = v128.sub<Real>(x0, v128.pmin<Real>(v128.pmax<Real>(x0, nv), tv));
    const o1 = v128.sub<Real>(x1, v128.pmin<Real>(v128.pmax<Real>(x1, nv), tv));
    vst(out, i, o0);
    vst(out, i + LANES, o1);
    a0 = addAbs(a0, o0);
    a1 = addAbs(a1, o1);
    c0 = addNonzero(c0, o0);
    c1 = addNonzero(c1, o1);
  }
  for (; i + LANES <= hi; i += LANES) {
    const x0 = vld(u, i);
    const o0 = v128.sub<Real>(x0, v128.pmin<Real>(v128.pmax<Real>(x0, nv), tv));
    vst(out, i, o0);
    a0 = addAbs(a0, o0);
    c0 = addNonzero(c0, o0);
  }
  let s = hsum(f64x2.add(a0, a1));
  let c = countTotal(c0) + countTotal(c1);
  const th = <Real>thr;
  for (; i < hi; i++) {
    const x = ld(u, i);
    const o = x - (x < -th ? -th : x > th ? th : x);
    st(out, i, o);
    s += Math.abs(<f64>o);
    if (o != 0) c += 1;
  }
  rAbs = s;
  rNnz = c;
}

/** rAbs = Σ|u| over [lo, hi), rNnz = #u ≠ 0. */
function absRange(lo: i32, hi: i32, u: usize): void {
  let a = zero();
  let c = zero();
  let i = lo;
  for (; i + LANES <= hi; i += LANES) {
    const x = vld(u, i);
    a = addAbs(a, x);
    c = addNonzero(c, x);
  }
  let s = hsum(a);
  let k = countTotal(c);
  for (; i < hi; i++) {
    const x = <f64>ld(u, i);
    s += Math.abs(x);
    if (x != 0) k += 1;
  }
  rAbs = s;
  rNnz = k;
}

/** rSq = Σu² over [0, n), rAbs = Σ|u|. */
function sqRange(n: i32, u: usize): void {
  let a = zero();
  let q = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const x = vld(u, i);
    a = addAbs(a, x);
    q = addSq(q, x);
  }
  let s = hsum(a);
  let sq = hsum(q);
  for (; i < n; i++) {
    const x = <f64>ld(u, i);
    s += Math.abs(x);
    sq += x * x;
  }
  rAbs = s;
  rSq = sq;
}

// ── ℓ1 ─────────────────────────────────────────────────────────────────────────────────────────

/** g = λ‖·‖₁: out = soft(u, tλ); g(out) = λΣ|out|. */
export function softThreshold(n: i32, t: f64, lam: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  softRange(0, n, t * lam, u, out);
  putStats(nnzOut, valOut, rNnz, lam * rAbs);
}

/**
 * g = λ Σ_j w_j ‖u_j‖₁ over nb contiguous bands: band j is [offsets[j], offsets[j+1]) (i32
 * offsets, nb + 1 of them) with multiplier weights[j] (f64); out_j = soft(u_j, tλw_j). With
 * skipFirst ≠ 0 band 0 (a wavelet approximation) is passed through unthresholded and is not part
 * of g. nnz counts every band.
 */
export function softThresholdBands(nb: i32, offsets: usize, weights: usize, t: f64, lam: f64, skipFirst: i32, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  let val: f64 = 0;
  let nnz: f64 = 0;
  for (let j = 0; j < nb; j++) {
    const lo = load<i32>(at32(offsets, j));
    const hi = load<i32>(at32(offsets, j + 1));
    if (j == 0 && skipFirst != 0) {
      if (out != u) memory.copy(at(out, lo), at(u, lo), <usize>(hi - lo) << alignof<Real>());
      absRange(lo, hi, out);
      nnz += rNnz;
      continue;
    }
    const w = load<f64>(at64(weights, j));
    // an infinite weight locks the band at zero (the multiscale schedule's locked levels)
    if (w == Infinity) {
      memory.fill(at(out, lo), 0, <usize>(hi - lo) << alignof<Real>());
      continue;
    }
    softRange(lo, hi, t * lam * w, u, out);
    val += lam * w * rAbs;
    nnz += rNnz;
  }
  putStats(nnzOut, valOut, nnz, val);
}

/** λ‖u‖₁. */
export function l1Value(n: i32, lam: f64, u: usize): f64 {
  absRange(0, n, u);
  return lam * rAbs;
}

/** λ Σ_j w_j ‖u_j‖₁ over the bands of softThresholdBands (band 0 left out when skipFirst ≠ 0; w_j = ∞: 0 on a zero band, else ∞). */
export function l1BandsValue(nb: i32, offsets: usize, weights: usize, lam: f64, skipFirst: i32, u: usize): f64 {
  let val: f64 = 0;
  for (let j = skipFirst != 0 ? 1 : 0; j < nb; j++) {
    absRange(load<i32>(at32(offsets, j)), load<i32>(at32(offsets, j + 1)), u);
    const w = load<f64>(at64(weights, j));
    // a locked band (infinite weight) is the indicator of zero
    val += w == Infinity ? (rAbs > 0 ? Infinity : 0) : lam * w * rAbs;
  }
  return val;
}

// ── boxes ──────────────────────────────────────────────────────────────────────────────────────

/** Projection onto the box [lo, hi]ⁿ (lo ≤ hi, infinite bounds allowed). */
export function projBox(n: i32, lo: f64, hi: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const lv = vsplat(lo);
  const hv = vsplat(hi);
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.pmin<Real>(v128.pmax<Real>(vld(u, i), lv), hv);
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  const l = <Real>lo;
  const h = <Real>hi;
  for (; i < n; i++) {
    const x = ld(u, i);
    const o = x < l ? l : x > h ? h : x;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, 0);
}

/** Projection onto the non-negative orthant. */
export function projNonneg(n: i32, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const z = zero();
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.pmax<Real>(vld(u, i), z);
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  for (; i < n; i++) {
    const x = ld(u, i);
    const o = x < 0 ? <Real>0 : x;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, 0);
}

/** Indicator of [lo, hi]ⁿ at u: 0 inside, +∞ outside (bounds rounded to the dtype, as the projection uses them). */
export function boxIndicator(n: i32, lo: f64, hi: f64, u: usize): f64 {
  const l = <Real>lo;
  const h = <Real>hi;
  for (let i = 0; i < n; i++) {
    const x = ld(u, i);
    if (!(x >= l && x <= h)) return Infinity;
  }
  return 0;
}

// ── composites ─────────────────────────────────────────────────────────────────────────────────
// For a separable g = Σ φ(u_i) + ι_C with φ convex on R and C an interval, prox_{tg} is the clip
// to C of prox_{tφ}: the 1D objective ½(x − u)² + tφ(x) is convex, so its minimiser over an
// interval is the unconstrained minimiser clipped to the interval. Hence prox of tλ‖·‖₁ + box is
// clip(soft(u, tλ), lo, hi), and with the non-negative orthant max(u − tλ, 0).

/** g = λ‖·‖₁ + ι_{≥0}: out = max(u − tλ, 0); g(out) = λΣout. */
export function proxL1Nonneg(n: i32, t: f64, lam: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const thr = t * lam;
  const tv = vsplat(thr);
  const z = zero();
  let a = zero();
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.pmax<Real>(v128.sub<Real>(vld(u, i), tv), z);
    vst(out, i, o);
    a = addAbs(a, o);
    c = addNonzero(c, o);
  }
  let s = hsum(a);
  let k = countTotal(c);
  const th = <Real>thr;
  for (; i < n; i++) {
    const d = ld(u, i) - th;
    const o = d < 0 ? <Real>0 : d;
    st(out, i, o);
    s += <f64>o;
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, lam * s);
}

/** g = λ‖·‖₁ + ι_[lo,hi]: out = clip(soft(u, tλ), lo, hi); g(out) = λΣ|out|. */
export function proxL1Box(n: i32, t: f64, lam: f64, lo: f64, hi: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const thr = t * lam;
  const tv = vsplat(thr);
  const nv = vsplat(-thr);
  const lv = vsplat(lo);
  const hv = vsplat(hi);
  let a = zero();
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const x = vld(u, i);
    const s = v128.sub<Real>(x, v128.pmin<Real>(v128.pmax<Real>(x, nv), tv));
    const o = v128.pmin<Real>(v128.pmax<Real>(s, lv), hv);
    vst(out, i, o);
    a = addAbs(a, o);
    c = addNonzero(c, o);
  }
  let sum = hsum(a);
  let k = countTotal(c);
  const th = <Real>thr;
  const l = <Real>lo;
  const h = <Real>hi;
  for (; i < n; i++) {
    const x = ld(u, i);
    const s = x - (x < -th ? -th : x > th ? th : x);
    const o = s < l ? l : s > h ? h : s;
    st(out, i, o);
    sum += Math.abs(<f64>o);
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, lam * sum);
}

/** λ‖u‖₁ + ι_[lo,hi](u) (the value of both composites; hi = +∞ for the non-negative one). */
export function l1BoxValue(n: i32, lam: f64, lo: f64, hi: f64, u: usize): f64 {
  if (boxIndicator(n, lo, hi, u) != 0) return Infinity;
  return l1Value(n, lam, u);
}

// ── elastic net ────────────────────────────────────────────────────────────────────────────────

/**
 * g = λ(α‖·‖₁ + ½(1 − α)‖·‖²), α ∈ [0, 1]: out = soft(u, tλα) / (1 + tλ(1 − α));
 * g(out) = λ(αΣ|out| + ½(1 − α)Σout²).
 */
export function proxElasticNet(n: i32, t: f64, lam: f64, alpha: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const thr = t * lam * alpha;
  const sc = 1 / (1 + t * lam * (1 - alpha));
  const tv = vsplat(thr);
  const nv = vsplat(-thr);
  const sv = vsplat(sc);
  let a = zero();
  let q = zero();
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const x = vld(u, i);
    const o = v128.mul<Real>(v128.sub<Real>(x, v128.pmin<Real>(v128.pmax<Real>(x, nv), tv)), sv);
    vst(out, i, o);
    a = addAbs(a, o);
    q = addSq(q, o);
    c = addNonzero(c, o);
  }
  let s = hsum(a);
  let sq = hsum(q);
  let k = countTotal(c);
  const th = <Real>thr;
  const scr = <Real>sc;
  for (; i < n; i++) {
    const x = ld(u, i);
    const o = (x - (x < -th ? -th : x > th ? th : x)) * scr;
    st(out, i, o);
    const od = <f64>o;
    s += Math.abs(od);
    sq += od * od;
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, lam * (alpha * s + 0.5 * (1 - alpha) * sq));
}

/** λ(α‖u‖₁ + ½(1 − α)‖u‖²). */
export function elasticNetValue(n: i32, lam: f64, alpha: f64, u: usize): f64 {
  sqRange(n, u);
  return lam * (alpha * rAbs + 0.5 * (1 - alpha) * rSq);
}

// ── group ℓ2,1 ─────────────────────────────────────────────────────────────────────────────────

/**
 * g = λ Σ_G ‖u_G‖₂ over contiguous groups of `size` elements (the last one may be shorter):
 * out_G = u_G · max(0, 1 − tλ/‖u_G‖₂); g(out) = λ Σ_G ‖out_G‖₂. Groups are short, so scalar loops.
 */
export function proxGroupL1(n: i32, size: i32, t: f64, lam: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  const thr = t * lam;
  let val: f64 = 0;
  let k: f64 = 0;
  for (let g = 0; g < n; g += size) {
    const e = min(g + size, n);
    let sq: f64 = 0;
    for (let i = g; i < e; i++) {
      const x = <f64>ld(u, i);
      sq += x * x;
    }
    const norm = Math.sqrt(sq);
    const f = norm > thr ? 1 - thr / norm : 0;
    const fr = <Real>f;
    let osq: f64 = 0;
    for (let i = g; i < e; i++) {
      const o = ld(u, i) * fr;
      st(out, i, o);
      const od = <f64>o;
      osq += od * od;
      if (o != 0) k += 1;
    }
    val += Math.sqrt(osq);
  }
  putStats(nnzOut, valOut, k, lam * val);
}

/** λ Σ_G ‖u_G‖₂ over contiguous groups of `size`. */
export function groupL1Value(n: i32, size: i32, lam: f64, u: usize): f64 {
  let val: f64 = 0;
  for (let g = 0; g < n; g += size) {
    const e = min(g + size, n);
    let sq: f64 = 0;
    for (let i = g; i < e; i++) {
      const x = <f64>ld(u, i);
      sq += x * x;
    }
    val += Math.sqrt(sq);
  }
  return lam * val;
}

// ── balls and the simplex ──────────────────────────────────────────────────────────────────────

/** Projection onto {‖x‖₂ ≤ radius}: out = u · min(1, radius/‖u‖₂). */
export function projL2Ball(n: i32, radius: f64, u: usize, out: usize, nnzOut: usize, valOut: usize): void {
  sqRange(n, u);
  const norm = Math.sqrt(rSq);
  const f = norm > radius ? radius / norm : 1;
  const fv = vsplat(f);
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.mul<Real>(vld(u, i), fv);
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  const fr = <Real>f;
  for (; i < n; i++) {
    const o = ld(u, i) * fr;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, 0);
}

/** Indicator of {‖x‖₂ ≤ radius}. */
export function l2BallIndicator(n: i32, radius: f64, u: usize): f64 {
  sqRange(n, u);
  return Math.sqrt(rSq) <= radius * (1 + SLACK) ? 0 : Infinity;
}

// Max-heap over the n reals at s (children of i at 2i + 1, 2i + 2).
function siftDown(s: usize, root: i32, n: i32): void {
  let r = root;
  const v = ld(s, r);
  while (true) {
    let c = 2 * r + 1;
    if (c >= n) break;
    if (c + 1 < n && ld(s, c + 1) > ld(s, c)) c++;
    const cv = ld(s, c);
    if (!(cv > v)) break;
    st(s, r, cv);
    r = c;
  }
  st(s, r, v);
}

/**
 * θ with Σ max(y_i − θ, 0) = radius for the n values at s (scratch, destroyed): the values are
 * visited in decreasing order by popping a max-heap, and the scan stops at the first k with
 * y_(k) ≤ (Σ_{i≤k} y_(i) − radius)/k — O(n + ρ log n) for a support of size ρ
 * (Held, Wolfe & Crowder 1974; Duchi et al. 2008, sort-based form).
 */
function simplexThreshold(n: i32, radius: f64, s: usize): f64 {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(s, i, n);
  let cs: f64 = 0;
  let theta: f64 = 0;
  let m = n;
  for (let k = 1; k <= n; k++) {
    const y = <f64>ld(s, 0);
    const tk = (cs + y - radius) / <f64>k;
    if (k > 1 && y <= tk) break;
    cs += y;
    theta = tk;
    m--;
    st(s, 0, ld(s, m));
    siftDown(s, 0, m);
  }
  return theta;
}

/**
 * Projection onto the ℓ1 ball {‖x‖₁ ≤ radius}: u itself when inside, else soft(u, θ) with θ the
 * simplex threshold of |u|. scratch: n reals.
 */
export function projL1Ball(n: i32, radius: f64, u: usize, out: usize, scratch: usize, nnzOut: usize, valOut: usize): void {
  absRange(0, n, u);
  if (rAbs <= radius) {
    if (out != u) memory.copy(out, u, <usize>n << alignof<Real>());
    putStats(nnzOut, valOut, rNnz, 0);
    return;
  }
  for (let i = 0; i < n; i++) st(scratch, i, <Real>Math.abs(<f64>ld(u, i)));
  const theta = simplexThreshold(n, radius, scratch);
  softRange(0, n, theta, u, out);
  putStats(nnzOut, valOut, rNnz, 0);
}

/** Indicator of {‖x‖₁ ≤ radius}. */
export function l1BallIndicator(n: i32, radius: f64, u: usize): f64 {
  absRange(0, n, u);
  return rAbs <= radius * (1 + SLACK) ? 0 : Infinity;
}

/** Projection onto the simplex {x ≥ 0, Σx = radius}: max(u − θ, 0). scratch: n reals. */
export function projSimplex(n: i32, radius: f64, u: usize, out: usize, scratch: usize, nnzOut: usize, valOut: usize): void {
  if (n == 0) {
    putStats(nnzOut, valOut, 0, 0);
    return;
  }
  memory.copy(scratch, u, <usize>n << alignof<Real>());
  const theta = simplexThreshold(n, radius, scratch);
  const tv = vsplat(theta);
  const z = zero();
  let c = zero();
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const o = v128.pmax<Real>(v128.sub<Real>(vld(u, i), tv), z);
    vst(out, i, o);
    c = addNonzero(c, o);
  }
  let k = countTotal(c);
  const th = <Real>theta;
  for (; i < n; i++) {
    const d = ld(u, i) - th;
    const o = d < 0 ? <Real>0 : d;
    st(out, i, o);
    if (o != 0) k += 1;
  }
  putStats(nnzOut, valOut, k, 0);
}

/** Indicator of {x ≥ 0, Σx = radius}. */
export function simplexIndicator(n: i32, radius: f64, u: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = <f64>ld(u, i);
    if (!(x >= 0)) return Infinity;
    s += x;
  }
  return Math.abs(s - radius) <= SLACK * radius ? 0 : Infinity;
}
