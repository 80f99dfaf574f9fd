// Total-variation proximal maps, prox_{t·λ·TV}(v), by fast gradient projection on the dual
// (Beck & Teboulle 2009, FGP). With D the Neumann forward differences of assembly/diff.ts and
// μ = tλ, the prox is x = v − μDᵀp where p minimises ½‖v − μDᵀp‖² over the dual set P: |p_i| ≤ 1
// per component (anisotropic TV) or ‖(p⁰_ij, p¹_ij)‖₂ ≤ 1 per pixel (isotropic). FGP takes
// projected gradient steps of length 1/(μ‖D‖²) (‖D‖² ≤ 4 in 1D, 8 in 2D) from a Nesterov momentum
// point r, restarting the momentum whenever it points uphill, ⟨r − p⁺, p⁺ − p⟩ > 0 (O'Donoghue &
// Candès 2015, gradient scheme).
//
// Stopping: the duality gap of the subproblem min_x ½‖x − v‖² + μTV(x) at the pair (x(p), p),
// x(p) = v − μDᵀp, is G = μ·Σ_ij (‖(Dx)_ij‖ − ⟨(Dx)_ij, p_ij⟩) — a sum of non-negative terms
// (p ∈ P), so it is computed without cancellation; it bounds the subproblem's suboptimality and
// ½‖x − x*‖². A prox stops once the relative gap G / (½‖x − v‖² + μTV(x)) — free of the image's
// mean, which neither term sees — is at most ε_k = max(tol·k^(−decay), FLOOR), k counting the
// proxes of this dual state (a summable sequence for decay > 1, floored at the dtype's rounding),
// or after `iters` dual steps. The gap is checked before the first step (a warm start may already
// meet ε_k), after steps 1, 2, 4, 8, 16 and then every 16 steps, and on the way out.
//
// scratch holds the dual p, the momentum point r (each the gradient's size, n in 1D and 2n in 2D)
// and a copy of v (n), so `out` may alias `u`. With warm ≠ 0 the dual in scratch from the previous
// call and its momentum (r and t_k) are the starting point — a flow's successive proxes are close,
// and while its input stays the same successive proxes continue one FGP run; otherwise it starts
// at 0. state (4 f64) holds k (proxes so far, incremented by each call), receives the relative
// gap reached and ε_k, and carries t_k (0: no momentum yet). Dual entries paired with a zero row of D (last element in 1D, last row /
// column in 2D) stay 0, which makes Dᵀ uniform away from the first row and column.
import { at, at64, ld, st, vld, vst, vsplat, hsum } from "./common/real";
import { addDot, addSq } from "./common/stats";

// Relative-gap floor: below it the gap of a prox computed in the dtype is rounding, not progress
// (float32 proxes of 64²…512² images plateau at 1–3·10⁻⁷; float64 ones far below 10⁻¹³).
const FLOOR: f64 = sizeof<Real>() == 8 ? 1e-13 : 5e-7;

// Σ(x − v)² of the last tracked primal pass; Σ‖d‖ and Σ(‖d‖ − ⟨d, p⟩) of the last gap pass.
let gFit: f64 = 0;
let gTv: f64 = 0;
let gGap: f64 = 0;
// ⟨r − p⁺, p⁺ − p⟩ of the last dual pass: > 0 when the momentum points uphill (restart).
let gUp: f64 = 0;

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

/** The gap is checked before dual step j = 0, after steps 1, 2, 4, 8, 16, then every 16. */
@inline function checkAt(j: i32): bool {
  return j < 16 ? (j & (j - 1)) == 0 : (j & 15) == 0;
}

/** ε_k of the k-th prox (k ≥ 1): max(tol·k^(−decay), FLOOR). */
@inline function target(tol: f64, decay: f64, k: f64): f64 {
  return Math.max(tol * Math.pow(k, -decay), FLOOR);
}

/** The relative duality gap of the last (tracked primal, gap) pair of passes. */
@inline function relGap(mu: f64): f64 {
  const den = 0.5 * gFit + mu * gTv;
  return den > 0 ? (mu * gGap) / den : 0;
}

// ── 1D ─────────────────────────────────────────────────────────────────────────────────────────

/** x = v − μDᵀq; with track, gFit = ‖x − v‖². */
function primal1D(n: i32, mu: f64, v: usize, q: usize, x: usize, track: bool): void {
  const mv = vsplat(mu);
  const m = <Real>mu;
  let acc = i64x2.splat(0);
  const x0 = ld(v, 0) + m * ld(q, 0);
  let fit: f64 = 0;
  if (track) {
    const d = <f64>x0 - <f64>ld(v, 0);
    fit = d * d;
  }
  st(x, 0, x0);
  let i = 1;
  for (; i + LANES <= n; i += LANES) {
    const vi = vld(v, i);
    const xn = v128.sub<Real>(vi, v128.mul<Real>(mv, v128.sub<Real>(vld(q, i - 1), vld(q, i))));
    if (track) acc = addSq(acc, v128.sub<Real>(xn, vi));
    vst(x, i, xn);
  }
  for (; i < n; i++) {
    const xn = ld(v, i) - m * (ld(q, i - 1) - ld(q, i));
    if (track) {
      const d = <f64>xn - <f64>ld(v, i);
      fit += d * d;
    }
    st(x, i, xn);
  }
  if (track) gFit = fit + hsum(acc);
}

/** gTv = Σ|x[i+1] − x[i]|, gGap = Σ |d_i| − d_i p_i (i < n − 1). */
function gap1D(n: i32, x: usize, p: usize): void {
  let tv: f64 = 0;
  let gap: f64 = 0;
  for (let i = 0; i < n - 1; i++) {
    const d = <f64>ld(x, i + 1) - <f64>ld(x, i);
    const a = Math.abs(d);
    tv += a;
    gap += a - d * <f64>ld(p, i);
  }
  gTv = tv;
  gGap = gap;
}

/**
 * p⁺ = Π_P(r + s·Dx); gUp = ⟨r − p⁺, p⁺ − p⟩; r ← p⁺ + β(p⁺ − p); p ← p⁺ (entries 0..n−2; entry
 * n−1 stays 0).
 */
function dual1D(n: i32, s: f64, beta: f64, x: usize, p: usize, r: usize): void {
  const sv = vsplat(s);
  const bv = vsplat(beta);
  const sr = <Real>s;
  const br = <Real>beta;
  let up = f64x2.splat(0);
  let i = 0;
  for (; i + LANES < n; i += LANES) {
    const xi = vld(x, i);
    const ri = vld(r, i);
    const pn = clampUnit(v128.add<Real>(ri, v128.mul<Real>(sv, v128.sub<Real>(vld(x, i + 1), xi))));
    const pk = vld(p, i);
    const dp = v128.sub<Real>(pn, pk);
    up = addDot(up, v128.sub<Real>(ri, pn), dp);
    vst(p, i, pn);
    vst(r, i, v128.add<Real>(pn, v128.mul<Real>(bv, dp)));
  }
  let u = hsum(up);
  for (; i < n - 1; i++) {
    const ri = ld(r, i);
    const pn = clampUnitS(ri + sr * (ld(x, i + 1) - ld(x, i)));
    const pk = ld(p, i);
    const dp = pn - pk;
    u += <f64>(ri - pn) * <f64>dp;
    st(p, i, pn);
    st(r, i, pn + br * dp);
  }
  gUp = u;
}

/** λ Σ|x[i+1] − x[i]|. */
export function tvValue1D(n: i32, lam: f64, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n - 1; i++) s += Math.abs(<f64>ld(x, i + 1) - <f64>ld(x, i));
  return lam * s;
}

/**
 * out = prox_{tλTV}(u) for a 1D signal of n values (scratch: tvScratchSize(1, n) reals; state: 4
 * f64, see the top of the file). Writes g(out) = λTV(out) at valOut and NaN at nnzOut (TV does
 * not make the state sparse); returns the number of dual steps taken.
 */
export function tvProx1D(n: i32, t: f64, lam: f64, iters: i32, tol: f64, decay: f64, u: usize, out: usize, scratch: usize, warm: i32, state: usize, nnzOut: usize, valOut: usize): f64 {
  const mu = t * lam;
  const p = scratch;
  const r = at(scratch, n);
  const v = at(scratch, 2 * n);
  const calls = load<f64>(state) + 1;
  const eps = target(tol, decay, calls);
  store<f64>(state, calls);
  let k = 0;
  let rel: f64 = 0;
  let tkOut: f64 = 0;
  if (n > 0) {
    memory.copy(v, u, <usize>n << alignof<Real>());
    if (mu > 0 && n > 1) {
      let tk = load<f64>(at64(state, 3));
      if (warm == 0 || !(tk >= 1)) {
        if (warm == 0) memory.fill(p, 0, <usize>n << alignof<Real>());
        memory.copy(r, p, <usize>n << alignof<Real>());
        tk = 1;
      }
      const s = 1 / (4 * mu);
      for (;;) {
        if (checkAt(k) || k == iters) {
          primal1D(n, mu, v, p, out, true);
          gap1D(n, out, p);
          rel = relGap(mu);
          if (rel <= eps || k == iters) {
            tkOut = tk;
            break;
          }
        }
        primal1D(n, mu, v, r, out, false);
        const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
        dual1D(n, s, (tk - 1) / tn, out, p, r);
        tk = tn;
        if (gUp > 0) {
          memory.copy(r, p, <usize>n << alignof<Real>());
          tk = 1;
        }
        k++;
      }
    } else if (out != u) {
      memory.copy(out, v, <usize>n << alignof<Real>());
    }
  }
  store<f64>(at64(state, 1), rel);
  store<f64>(at64(state, 2), eps);
  store<f64>(at64(state, 3), tkOut);
  store<f64>(nnzOut, NaN);
  store<f64>(valOut, lam * (mu > 0 && n > 1 ? gTv : tvValue1D(n, 1, out)));
  return <f64>k;
}

// ── 2D ─────────────────────────────────────────────────────────────────────────────────────────

/** x = v − μDᵀq for q = (q⁰, q¹) (2n reals); with track, gFit = ‖x − v‖². */
function primal2D(rows: i32, cols: i32, mu: f64, v: usize, q: usize, x: usize, track: bool): void {
  const n = rows * cols;
  const q1 = at(q, n);
  const mv = vsplat(mu);
  const m = <Real>mu;
  let acc = i64x2.splat(0);
  let fit: f64 = 0;
  for (let rr = 0; rr < rows; rr++) {
    const o = rr * cols;
    // column 0: q¹ has no left neighbour
    {
      const a0 = rr > 0 ? ld(q, o - cols) - ld(q, o) : -ld(q, o);
      const xn = ld(v, o) - m * (a0 - ld(q1, o));
      if (track) {
        const d = <f64>xn - <f64>ld(v, o);
        fit += d * d;
      }
      st(x, o, xn);
    }
    let j = 1;
    if (rr > 0) {
      for (; j + LANES <= cols; j += LANES) {
        const a0 = v128.sub<Real>(vld(q, o + j - cols), vld(q, o + j));
        const a1 = v128.sub<Real>(vld(q1, o + j - 1), vld(q1, o + j));
        const vj = vld(v, o + j);
        const xn = v128.sub<Real>(vj, v128.mul<Real>(mv, v128.add<Real>(a0, a1)));
        if (track) acc = addSq(acc, v128.sub<Real>(xn, vj));
        vst(x, o + j, xn);
      }
    } else {
      for (; j + LANES <= cols; j += LANES) {
        const a1 = v128.sub<Real>(vld(q1, o + j - 1), vld(q1, o + j));
        const vj = vld(v, o + j);
        const xn = v128.sub<Real>(vj, v128.mul<Real>(mv, v128.sub<Real>(a1, vld(q, o + j))));
        if (track) acc = addSq(acc, v128.sub<Real>(xn, vj));
        vst(x, o + j, xn);
      }
    }
    for (; j < cols; j++) {
      const a0 = rr > 0 ? ld(q, o + j - cols) - ld(q, o + j) : -ld(q, o + j);
      const xn = ld(v, o + j) - m * (a0 + (ld(q1, o + j - 1) - ld(q1, o + j)));
      if (track) {
        const d = <f64>xn - <f64>ld(v, o + j);
        fit += d * d;
      }
      st(x, o + j, xn);
    }
  }
  if (track) gFit = fit + hsum(acc);
}

/** gTv = Σ‖(Dx)_ij‖ and gGap = Σ ‖(Dx)_ij‖ − ⟨(Dx)_ij, p_ij⟩ (ℓ1 norms when iso = 0), in f64. */
function gap2D(rows: i32, cols: i32, iso: i32, x: usize, p: usize): void {
  const n = rows * cols;
  let tv: f64 = 0;
  let gap: f64 = 0;
  for (let rr = 0; rr < rows; rr++) {
    const o = rr * cols;
    for (let j = 0; j < cols; j++) {
      const k = o + j;
      const xk = <f64>ld(x, k);
      const d0 = rr < rows - 1 ? <f64>ld(x, k + cols) - xk : 0;
      const d1 = j < cols - 1 ? <f64>ld(x, k + 1) - xk : 0;
      const a = iso != 0 ? Math.sqrt(d0 * d0 + d1 * d1) : Math.abs(d0) + Math.abs(d1);
      tv += a;
      gap += a - (d0 * <f64>ld(p, k) + d1 * <f64>ld(p, n + k));
    }
  }
  gTv = tv;
  gGap = gap;
}

/**
 * Dual step on lanes: a, b are r + s·Dx; projects, then updates p and r at element k; returns
 * up + ⟨r − p⁺, p⁺ − p⟩ over the lanes (f64x2).
 */
@inline function dualStepV(p: usize, r: usize, n: i32, k: i32, a: v128, b: v128, iso: i32, bv: v128, up: v128): v128 {
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
  const da = v128.sub<Real>(pa, vld(p, k));
  const db = v128.sub<Real>(pb, vld(p, n + k));
  const ra = vld(r, k);
  const rb = vld(r, n + k);
  const u = addDot(addDot(up, v128.sub<Real>(ra, pa), da), v128.sub<Real>(rb, pb), db);
  vst(p, k, pa);
  vst(p, n + k, pb);
  vst(r, k, v128.add<Real>(pa, v128.mul<Real>(bv, da)));
  vst(r, n + k, v128.add<Real>(pb, v128.mul<Real>(bv, db)));
  return u;
}

/** The scalar dual step; returns ⟨r − p⁺, p⁺ − p⟩ at element k. */
@inline function dualStepS(p: usize, r: usize, n: i32, k: i32, a: Real, b: Real, iso: i32, br: Real): f64 {
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
  const da = pa - ld(p, k);
  const db = pb - ld(p, n + k);
  const u = <f64>(ld(r, k) - pa) * <f64>da + <f64>(ld(r, n + k) - pb) * <f64>db;
  st(p, k, pa);
  st(p, n + k, pb);
  st(r, k, pa + br * da);
  st(r, n + k, pb + br * db);
  return u;
}

/**
 * p⁺ = Π_P(r + s·Dx), gUp = ⟨r − p⁺, p⁺ − p⟩, r ← p⁺ + β(p⁺ − p), p ← p⁺, over all pixels (zero
 * rows of D give a = 0 or b = 0).
 */
function dual2D(rows: i32, cols: i32, s: f64, beta: f64, iso: i32, x: usize, p: usize, r: usize): void {
  const n = rows * cols;
  const sv = vsplat(s);
  const bv = vsplat(beta);
  const sr = <Real>s;
  const br = <Real>beta;
  const zv = vsplat(0);
  let up = f64x2.splat(0);
  let us: f64 = 0;
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
      up = dualStepV(p, r, n, k, a, b, iso, bv, up);
    }
    for (; j < cols; j++) {
      const k = o + j;
      const xk = ld(x, k);
      const d0: Real = below ? ld(x, k + cols) - xk : 0;
      const d1: Real = j < cols - 1 ? ld(x, k + 1) - xk : 0;
      us += dualStepS(p, r, n, k, ld(r, k) + sr * d0, ld(r, n + k) + sr * d1, iso, br);
    }
  }
  gUp = us + hsum(up);
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
 * tvScratchSize(2, rows·cols) reals). State, stats and return value as tvProx1D.
 */
export function tvProx2D(rows: i32, cols: i32, t: f64, lam: f64, iters: i32, tol: f64, decay: f64, iso: i32, u: usize, out: usize, scratch: usize, warm: i32, state: usize, nnzOut: usize, valOut: usize): f64 {
  const n = rows * cols;
  const mu = t * lam;
  const p = scratch;
  const r = at(scratch, 2 * n);
  const v = at(scratch, 4 * n);
  const calls = load<f64>(state) + 1;
  const eps = target(tol, decay, calls);
  store<f64>(state, calls);
  let k = 0;
  let rel: f64 = 0;
  let tkOut: f64 = 0;
  if (n > 0) {
    memory.copy(v, u, <usize>n << alignof<Real>());
    if (mu > 0 && n > 1) {
      let tk = load<f64>(at64(state, 3));
      if (warm == 0 || !(tk >= 1)) {
        if (warm == 0) memory.fill(p, 0, <usize>(2 * n) << alignof<Real>());
        memory.copy(r, p, <usize>(2 * n) << alignof<Real>());
        tk = 1;
      }
      const s = 1 / (8 * mu);
      for (;;) {
        if (checkAt(k) || k == iters) {
          primal2D(rows, cols, mu, v, p, out, true);
          gap2D(rows, cols, iso, out, p);
          rel = relGap(mu);
          if (rel <= eps || k == iters) {
            tkOut = tk;
            break;
          }
        }
        primal2D(rows, cols, mu, v, r, out, false);
        const tn = 0.5 * (1 + Math.sqrt(1 + 4 * tk * tk));
        dual2D(rows, cols, s, (tk - 1) / tn, iso, out, p, r);
        tk = tn;
        if (gUp > 0) {
          memory.copy(r, p, <usize>(2 * n) << alignof<Real>());
          tk = 1;
        }
        k++;
      }
    } else if (out != u) {
      memory.copy(out, v, <usize>n << alignof<Real>());
    }
  }
  store<f64>(at64(state, 1), rel);
  store<f64>(at64(state, 2), eps);
  store<f64>(at64(state, 3), tkOut);
  store<f64>(nnzOut, NaN);
  store<f64>(valOut, lam * (mu > 0 && n > 1 ? gTv : tvValue2D(rows, cols, 1, iso, out)));
  return <f64>k;
}
