// Orthonormal DCT-II (and its inverse/transpose, the DCT-III) in 1D and 2D:
//   X[k] = s_k Σ_m x[m] cos(π(2m+1)k / 2n),   s_0 = √(1/n), s_k = √(2/n).
// Power-of-two lengths go through one real FFT of length n (Makhoul 1980: v = even samples then
// odd samples reversed; X[k] = s_k Re(e^(−iπk/2n) V[k]), and e^(−iπk/2n) V[k] = C[k] − i C[n−k]
// gives two outputs per bin); other lengths use the O(n²) sum with a cosine table.
import { at, ld, st } from "./common/real";
import { cosFrac, sinFrac, rfftPlanSize, rfftWorkSize, rfftPlanFill, rfftCore, irfftCore } from "./common/fftcore";

@inline function isFftLength(n: i32): bool {
  return n >= 2 && (n & (n - 1)) == 0;
}

@inline function rb(nReals: i32): usize {
  return <usize>nReals << alignof<Real>();
}

/** Reals in the DCT plan: the rfft plan and e^(−iπk/2n), k ∈ [0, n/2]; or cos(πj/2n), j < 4n. */
export function dctPlanSize(n: i32): i32 {
  return isFftLength(n) ? rfftPlanSize(n) + 2 * ((n >> 1) + 1) : 4 * n;
}

/** Reals of work: the reordered signal, its spectrum and the rfft work (none for the direct sum). */
export function dctWorkSize(n: i32): i32 {
  return isFftLength(n) ? n + (n + 2) + rfftWorkSize(n) : 0;
}

export function dctPlan(n: i32, plan: usize): void {
  if (isFftLength(n)) {
    rfftPlanFill(n, plan);
    const W = plan + rb(rfftPlanSize(n));
    for (let k = 0; k <= n >> 1; k++) {
      // e^(−iπk/2n) = e^(−2πik/4n)
      st(W, 2 * k, <Real>cosFrac(k, 4 * n));
      st(W, 2 * k + 1, <Real>-sinFrac(k, 4 * n));
    }
  } else {
    for (let j = 0; j < 4 * n; j++) st(plan, j, <Real>cosFrac(j, 4 * n));
  }
}

/** out ← DCT-II(x), orthonormal; x and out (n reals) must not overlap. */
export function dct(n: i32, x: usize, out: usize, plan: usize, work: usize): void {
  if (!isFftLength(n)) {
    dctDirect(n, x, out, plan, false);
    return;
  }
  const h = n >> 1;
  const v = work;
  const V = work + rb(n);
  const fw = V + rb(n + 2);
  for (let m = 0; m < h; m++) {
    st(v, m, ld(x, 2 * m));
    st(v, n - 1 - m, ld(x, 2 * m + 1));
  }
  rfftCore(n, v, V, plan, fw);
  const W = plan + rb(rfftPlanSize(n));
  const s0 = Math.sqrt(1 / <f64>n);
  const s = Math.sqrt(2 / <f64>n);
  st(out, 0, <Real>(s0 * <f64>ld(V, 0)));
  for (let k = 1; k < h; k++) {
    const vr = <f64>ld(V, 2 * k);
    const vi = <f64>ld(V, 2 * k + 1);
    const wr = <f64>ld(W, 2 * k);
    const wi = <f64>ld(W, 2 * k + 1);
    st(out, k, <Real>(s * (vr * wr - vi * wi)));
    st(out, n - k, <Real>(-s * (vr * wi + vi * wr)));
  }
  st(out, h, <Real>(s * Math.SQRT1_2 * <f64>ld(V, 2 * h)));
}

/** out ← DCT-III(X) = DCT-IIᵀ X, the inverse of `dct`; X and out must not overlap. */
export function idct(n: i32, X: usize, out: usize, plan: usize, work: usize): void {
  if (!isFftLength(n)) {
    dctDirect(n, X, out, plan, true);
    return;
  }
  const h = n >> 1;
  const v = work;
  const V = work + rb(n);
  const fw = V + rb(n + 2);
  const W = plan + rb(rfftPlanSize(n));
  // C[k] = X[k]/s_k;  V[k] = conj(w_k)·(C[k] − i C[n−k])
  const is = Math.sqrt(<f64>n / 2);
  st(V, 0, <Real>(Math.sqrt(<f64>n) * <f64>ld(X, 0)));
  st(V, 1, 0);
  for (let k = 1; k < h; k++) {
    const a = is * <f64>ld(X, k);
    const b = -is * <f64>ld(X, n - k);
    const wr = <f64>ld(W, 2 * k);
    const wi = -<f64>ld(W, 2 * k + 1);
    st(V, 2 * k, <Real>(a * wr - b * wi));
    st(V, 2 * k + 1, <Real>(a * wi + b * wr));
  }
  st(V, 2 * h, <Real>(Math.SQRT2 * is * <f64>ld(X, h)));
  st(V, 2 * h + 1, 0);
  irfftCore(n, V, v, plan, fw, 1 / <f64>n);
  for (let m = 0; m < h; m++) {
    st(out, 2 * m, ld(v, m));
    st(out, 2 * m + 1, ld(v, n - 1 - m));
  }
}

/** The O(n²) orthonormal DCT-II (or its transpose) with the table cos(πj/2n), j < 4n. */
function dctDirect(n: i32, x: usize, out: usize, T: usize, transpose: bool): void {
  const n4 = 4 * n;
  const s0 = Math.sqrt(1 / <f64>n);
  const s = Math.sqrt(2 / <f64>n);
  if (!transpose) {
    for (let k = 0; k < n; k++) {
      // cos(π(2m+1)k/2n) = T[(2m+1)k mod 4n], stepping the index by 2k
      let idx = k % n4;
      const step = (2 * k) % n4;
      let acc: f64 = 0;
      for (let m = 0; m < n; m++) {
        acc += <f64>ld(x, m) * <f64>ld(T, idx);
        idx += step;
        if (idx >= n4) idx -= n4;
      }
      st(out, k, <Real>((k == 0 ? s0 : s) * acc));
    }
  } else {
    for (let m = 0; m < n; m++) {
      let idx = 0;
      const step = (2 * m + 1) % n4;
      let acc: f64 = 0;
      for (let k = 0; k < n; k++) {
        acc += (k == 0 ? s0 : s) * <f64>ld(x, k) * <f64>ld(T, idx);
        idx += step;
        if (idx >= n4) idx -= n4;
      }
      st(out, m, <Real>acc);
    }
  }
}

export function dct2PlanSize(h: i32, w: i32): i32 {
  return dctPlanSize(w) + dctPlanSize(h);
}

export function dct2WorkSize(h: i32, w: i32): i32 {
  return 2 * h + max(dctWorkSize(w), dctWorkSize(h));
}

export function dct2Plan(h: i32, w: i32, plan: usize): void {
  dctPlan(w, plan);
  dctPlan(h, plan + rb(dctPlanSize(w)));
}

/** out ← the separable 2D DCT-II of the h × w image x (rows, then columns). */
export function dct2(h: i32, w: i32, x: usize, out: usize, plan: usize, work: usize): void {
  separable(h, w, x, out, plan, work, false);
}

/** out ← the inverse of dct2 (its transpose). */
export function idct2(h: i32, w: i32, X: usize, out: usize, plan: usize, work: usize): void {
  separable(h, w, X, out, plan, work, true);
}

function separable(h: i32, w: i32, x: usize, out: usize, plan: usize, work: usize, inverse: bool): void {
  const planH = plan + rb(dctPlanSize(w));
  const colIn = work;
  const colOut = work + rb(h);
  const inner = work + rb(2 * h);
  for (let r = 0; r < h; r++) {
    if (inverse) idct(w, at(x, r * w), at(out, r * w), plan, inner);
    else dct(w, at(x, r * w), at(out, r * w), plan, inner);
  }
  for (let c = 0; c < w; c++) {
    for (let r = 0; r < h; r++) st(colIn, r, ld(out, r * w + c));
    if (inverse) idct(h, colIn, colOut, planH, inner);
    else dct(h, colIn, colOut, planH, inner);
    for (let r = 0; r < h; r++) st(out, r * w + c, ld(colOut, r));
  }
}
