// Total-variation proximal maps, prox_{t·λ·TV}(v), by fast gradient projection on the dual
// (Beck & Teboulle 2009, FGP). With D the Neumann forward differences of assembly/diff.ts and
// μ = tλ, the prox is x = v − μDᵀp where p minimises ½‖v − μDᵀp‖² over the dual set P: |p_i| ≤ 1
// per component (anisotropic TV) or ‖(p⁰_ij, p¹_ij)‖₂ ≤ 1 per pixel (isotropic). FGP takes
// projected gradient steps of length 1/(μ‖D‖²) (‖D‖² ≤ 4 in 1D, 8 in 2D) from a Nesterov momentum
// point r, and stops after `iters` steps or when the primal iterate moves less than tol·‖x‖
// (tol = 0: always `iters` steps).
//
// scratch holds the dual p, the momentum point r (each the gradient's size, n in 1D and 2n in 2D)
// and a copy of v (n), so `out` may alias `u`. With warm ≠ 0 the dual in scratch from the previous
// call is the starting point (a flow's successive proxes are close); otherwise it starts at 0.
// Dual entries paired with a zero row of D (last element in 1D, last row / column in 2D) stay 0,
// which makes Dᵀ uniform away from the first row and column.
import { at, ld, st, vld, vst, vsplat, hsum } from "./common/real";
import { addSq } from "./common/stats";

// ‖x_new − x_old‖² and ‖x_new‖² of the last primal pass.
let gDx: f64 = 0;
let gXx: f64 = 0;

/** Reals of scratch the FGP kernels need for a 1D (dims = 1) or 2D (dims = 2) signal of n values. */
export function tvScratchSize(dims: i32, n: i32): i32 {
  return (2 * dims + 1) * n;
}

@inline function clampUnit(a: v128): v128 {
  return v128.pmin<Real>(v128.pmax<Real>(a, vsplat(-1)), vsplat(1));
}

@inline function clampUnitS(a: Real): Real {
  return a < -1 ? <Real>-1 : a > 1 ? <Real>1 : a;
}

// ── 1D ─────────────────────────────────────────────────────────────────────────────────────────

/** x = v − μDᵀq; with track, gDx = ‖x − x_old‖² (x_old: x on entry) and gXx = ‖x‖². */
function primal1D(n: i32, mu: f64, v: usize, q: usize, x: usize, track: bool): void {
  const mv = vsplat(mu);
  const m = <Real>mu;
  let dx = i64x2.splat(0);
  let xx = i64x2.splat(0);
  let x0 = ld(v, 0) + m * ld(q, 0);
  if (track) {
    const d = <f64>x0 - <f64>ld(x, 0);
    gDx = d * d;
    gXx = <f64>x0 * <f64>x0;
  }
  st(x, 0, x0);
  let i = 1;
  for (; i + LANES <= n; i += LANES) {
    const xn = v128.sub<Real>(vld(v, i), v128.mul<Real>(mv, v128.sub<Real>(vld(q, i - 1), vld(q, i))));
    if (track) {
      dx = addSq(dx, v128.sub<Real>(xn, vld(x, i)));
      xx = addSq(xx, xn);
    }
    vst(x, i, xn);
  }
  let sdx = hsum(dx);
  let sxx = hsum(xx);
  for (; i < n; i++) {
    const xn = ld(v, i) - m * (ld(q, i - 1) - ld(q, i));
    if (track) {
      const d = <f64>xn - <f64>ld(x, i);
      sdx += d * d;
      sxx += <f64>xn * <f64>xn;
    }
    st(x, i, xn);
  }
  if (track) {
    gDx += sdx;
    gXx += sxx;
  }
}

/** p⁺ = Π_P(r + s·Dx); r ← p⁺ + β(p⁺ − p); p ← p⁺ (entries 0..n−2; entry n−1 stays 0). */
function dual1D(n: i32, s: f64, beta: f64, x: usize, p: usize, r: usize): void {
  const sv = vsplat(s);
  const bv = vsplat(beta);
  const sr = <Real>s;
  const br = <Real>beta;
  let i = 0;
  for (; i + LANES < n; i += LANES) {
    const xi = vld(x, i);
    const pn = clampUnit(v128.add<Real>(vld(r, i), v128.mul<Real>(sv, v128.sub<Real>(vld(x, i + 1), xi))));
    const pk = vld(p, i);
    vst(p, i, pn);
    vst(r, i, v128.add<Real>(pn, v128.mul<Real>(bv, v128.sub<Real>(pn, pk))));
  }
  for (; i < n - 1; i++) {
    const pn = clampUnitS(ld(r, i) + sr * (ld(x, i + 1) - ld(x, i)));
    const pk = ld(p, i);
    st(p, i, pn);
    st(r, i, pn + br * (pn - pk));
  }
}

/** λ Σ|x[i+1] − x[i]|. */
export function tvValue1D(n: i32, lam: f64, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n - 1; i++) s += Math.abs(<f64>ld(x, i + 1) - <f64>ld(x, i));
  return lam * s;
}

/**
 * out = prox_{tλTV}(u) for a 1D signal of n values (scratch: tvScratchSize(1, n) reals). Writes
 * g(out) = λTV(out) at valOut and NaN at nnzOut (TV does not make the state sparse); returns the
 * number of dual steps taken.
 */
export function tvProx1D(n: i32, t: f64, lam: f64, iters: i32, tol: f64, u: usize, out: usize, scratch: usize, warm: i32, nnzOut: usize, valOut: usize): f64 {
  const mu = t * lam;
  const p = scratch;
  const r = at(scratch, n);
  const v = at(scratch, 2 * n);
  let k = 0;
  if (n > 0) {
    memory.copy(v, u, <usize>n << alignof<Real>());
    if (mu > 0 && n > 1) {
      if (warm == 0) memory.fill(p, 0, <usize>n << alignof<Real>());
      memory.copy(r, p, <usize>n << alignof<Real>());
      const s = 1 / (4 * mu);
      let tk: f64 = 1;
      for (; k < iters; k++) {
        primal1D(n, mu, v, r, out, k > 0);
        if (k > 0 && gDx < tol * tol * gXx) break;
        const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
        dual1D(n, s, (tk - 1) / tn, out, p, r);
        tk = tn;
      }
      primal1D(n, mu, v, p, out, false);
    } else if (out != u) {
      memory.copy(out, v, <usize>n << alignof<Real>());
    }
  }
  store<f64>(nnzOut, NaN);
  store<f64>(valOut, tvValue1D(n, lam, out));
  return <f64>k;
}

// ── 2D ─────────────────────────────────────────────────────────────────────────────────────────

/** x = v − μDᵀq for q = (q⁰, q¹) (2n reals); tracking as in primal1D. */
function primal2D(rows: i32, cols: i32, mu: f64, v: usize, q: usize, x: usize, track: bool): void {
  const n = rows * cols;
  const q1 = at(q, n);
  const mv = vsplat(mu);
  const m = <Real>mu;
  let dx = i64x2.splat(0);
  let xx = i64x2.splat(0);
  let sdx: f64 = 0;
  let sxx: f64 = 0;
  for (let rr = 0; rr < rows; rr++) {
    const o = rr * cols;
    // column 0: q¹ has no left neighbour
    {
      const a0 = rr > 0 ? ld(q, o - cols) - ld(q, o) : -ld(q, o);
      const xn = ld(v, o) - m * (a0 - ld(q1, o));
      if (track) {
        const d = <f64>xn - <f64>ld(x, o);
        sdx += d * d;
        sxx += <f64>xn * <f64>xn;
      }
      st(x, o, xn);
    }
    let j = 1;
    if (rr > 0) {
      for (; j + LANES <= cols; j += LANES) {
        const a0 = v128.sub<Real>(vld(q, o + j - cols), vld(q, o + j));
        const a1 = v128.sub<Real>(vld(q1, o + j - 1), vld(q1, o + j));
        const xn = v128.sub<Real>(vld(v, o + j), v128.mul<Real>(mv, v128.add<Real>(a0, a1)));
        if (track) {
          dx = addSq(dx, v128.sub<Real>(xn, vld(x, o + j)));
          xx = addSq(xx, xn);
        }
        vst(x, o + j, xn);
      }
    } else {
      for (; j + LANES <= cols; j += LANES) {
        const a1 = v128.sub<Real>(vld(q1, o + j - 1), vld(q1, o + j));
        const xn = v128.sub<Real>(vld(v, o + j), v128.mul<Real>(mv, v128.sub<Real>(a1, vld(q, o + j))));
        if (track) {
          dx = addSq(dx, v128.sub<Real>(xn, vld(x, o + j)));
          xx = addSq(xx, xn);
        }
        vst(x, o + j, xn);
      }
    }
    for (; j < cols; j++) {
      const a0 = rr > 0 ? ld(q, o + j - cols) - ld(q, o + j) : -ld(q, o + j);
      const xn = ld(v, o + j) - m * (a0 + (ld(q1, o + j - 1) - ld(q1, o + j)));
      if (track) {
        const d = <f64>xn - <f64>ld(x, o + j);
        sdx += d * d;
        sxx += <f64>xn * <f64>xn;
      }
      st(x, o + j, xn);
    }
  }
  if (track) {
    gDx = sdx + hsum(dx);
    gXx = sxx + hsum(xx);
  }
}

/** Dual step on lanes: a, b are r + s·Dx; projects, then updates p and r at element k. */
@inline function dualStepV(p: usize, r: usize, n: i32, k: i32, a: v128, b: v128, iso: i32, bv: v128): void {
  let pa: v128;
  let pb: v128;
  if (iso != 0) {
    const nrm = v128.pmax<Real>(v128.sqrt<Real>(v128.add<Real>(v128.mul<Real>(a, a), v128.mul<Real>(b, b))), vsplat(1));
    pa = v128.div<Real>(a, nrm);
    pb = v128.div<Real>(b, nrm);
  } else {
    pa = clampUnit(a);
    pb = clampUnit(b);
  }
  const ka = vld(p, k);
  const kb = vld(p, n + k);
  vst(p, k, pa);
  vst(p, n + k, pb);
  vst(r, k, v128.add<Real>(pa, v128.mul<Real>(bv, v128.sub<Real>(pa, ka))));
  vst(r, n + k, v128.add<Real>(pb, v128.mul<Real>(bv, v128.sub<Real>(pb, kb))));
}

@inline function dualStepS(p: usize, r: usize, n: i32, k: i32, a: Real, b: Real, iso: i32, br: Real): void {
  let pa: Real;
  let pb: Real;
  if (iso != 0) {
    const nrm = <Real>Math.max(Math.sqrt(<f64>a * <f64>a + <f64>b * <f64>b), 1);
    pa = a / nrm;
    pb = b / nrm;
  } else {
    pa = clampUnitS(a);
    pb = clampUnitS(b);
  }
  const ka = ld(p, k);
  const kb = ld(p, n + k);
  st(p, k, pa);
  st(p, n + k, pb);
  st(r, k, pa + br * (pa - ka));
  st(r, n + k, pb + br * (pb - kb));
}

/** p⁺ = Π_P(r + s·Dx), r ← p⁺ + β(p⁺ − p), p ← p⁺, over all pixels (zero rows of D give a = 0 or b = 0). */
function dual2D(rows: i32, cols: i32, s: f64, beta: f64, iso: i32, x: usize, p: usize, r: usize): void {
  const n = rows * cols;
  const sv = vsplat(s);
  const bv = vsplat(beta);
  const sr = <Real>s;
  const br = <Real>beta;
  const zv = vsplat(0);
  for (let rr = 0; rr < rows; rr++) {
    const o = rr * cols;
    const below = rr < rows - 1;
    let j = 0;
    for (; j + LANES < cols; j += LANES) {
      const k = o + j;
      const xk = vld(x, k);
      const d0 = below ? v128.sub<Real>(vld(x, k + cols), xk) : zv;
      const d1 = v128.sub<Real>(vld(x, k + 1), xk);
      const a = v128.add<Real>(vld(r, k), v128.mul<Real>(sv, d0));
      const b = v128.add<Real>(vld(r, n + k), v128.mul<Real>(sv, d1));
      dualStepV(p, r, n, k, a, b, iso, bv);
    }
    for (; j < cols; j++) {
      const k = o + j;
      const xk = ld(x, k);
      const d0: Real = below ? ld(x, k + cols) - xk : 0;
      const d1: Real = j < cols - 1 ? ld(x, k + 1) - xk : 0;
      dualStepS(p, r, n, k, ld(r, k) + sr * d0, ld(r, n + k) + sr * d1, iso, br);
    }
  }
}

/** λ·TV(x) of a rows × cols image: Σ|D⁰x| + |D¹x| (iso = 0) or Σ‖(D⁰x, D¹x)_ij‖₂ (iso ≠ 0). */
export function tvValue2D(rows: i32, cols: i32, lam: f64, iso: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let rr = 0; rr < rows; rr++) {
    const o = rr * cols;
    for (let j = 0; j < cols; j++) {
      const xk = <f64>ld(x, o + j);
      const d0 = rr < rows - 1 ? <f64>ld(x, o + j + cols) - xk : 0;
      const d1 = j < cols - 1 ? <f64>ld(x, o + j + 1) - xk : 0;
      s += iso != 0 ? Math.sqrt(d0 * d0 + d1 * d1) : Math.abs(d0) + Math.abs(d1);
    }
  }
  return lam * s;
}

/**
 * out = prox_{tλTV}(u) for a rows × cols image, anisotropic (iso = 0) or isotropic TV (scratch:
 * tvScratchSize(2, rows·cols) reals). Stats and return value as tvProx1D.
 */
export function tvProx2D(rows: i32, cols: i32, t: f64, lam: f64, iters: i32, tol: f64, iso: i32, u: usize, out: usize, scratch: usize, warm: i32, nnzOut: usize, valOut: usize): f64 {
  const n = rows * cols;
  const mu = t * lam;
  const p = scratch;
  const r = at(scratch, 2 * n);
  const v = at(scratch, 4 * n);
  let k = 0;
  if (n > 0) {
    memory.copy(v, u, <usize>n << alignof<Real>());
    if (mu > 0 && n > 1) {
      if (warm == 0) memory.fill(p, 0, <usize>(2 * n) << alignof<Real>());
      memory.copy(r, p, <usize>(2 * n) << alignof<Real>());
      const s = 1 / (8 * mu);
      let tk: f64 = 1;
      for (; k < iters; k++) {
        primal2D(rows, cols, mu, v, r, out, k > 0);
        if (k > 0 && gDx < tol * tol * gXx) break;
        const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
        dual2D(rows, cols, s, (tk - 1) / tn, iso, out, p, r);
        tk = tn;
      }
      primal2D(rows, cols, mu, v, p, out, false);
    } else if (out != u) {
      memory.copy(out, v, <usize>n << alignof<Real>());
    }
  }
  store<f64>(nnzOut, NaN);
  store<f64>(valOut, tvValue2D(rows, cols, lam, iso, out));
  return <f64>k;
}
