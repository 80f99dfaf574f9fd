// FFTs of power-of-two lengths and spectral products. Complex arrays are interleaved (re, im)
// Real arrays. Conventions follow numpy.fft: forward unnormalised, inverse scaled by 1/n; a real
// FFT of n reals gives the n/2 + 1 bins k = 0..n/2. Plans (twiddle tables) are filled once by
// the *Plan exports into caller-provided buffers of *PlanSize reals; kernels take a work buffer
// of *WorkSize reals and never allocate. Inputs are only read and must not overlap outputs.
import {
  cfft, cfftPlanSize, cfftWorkSize, cfftPlanFill, rfftPlanSize as rPlanSize, rfftWorkSize as rWorkSize, rfftPlanFill,
  rfftCore, irfftCore, rfft2PlanSize as r2PlanSize, rfft2WorkSize as r2WorkSize, rfft2PlanFill, rfft2Core, irfft2Core,
} from "./common/fftcore";
import { cat, cpv, vcmul, vcmulConj, ld1, st1 } from "./common/complex";

/** Reals in the plan of the complex FFT of length n. */
export function fftPlanSize(n: i32): i32 {
  return cfftPlanSize(n);
}

/** Reals of work for the complex FFT of length n. */
export function fftWorkSize(n: i32): i32 {
  return cfftWorkSize(n);
}

export function fftPlan(n: i32, plan: usize): void {
  cfftPlanFill(n, plan);
}

/** y ← FFT(x), n complexes. */
export function fft(n: i32, x: usize, y: usize, plan: usize, work: usize): void {
  cfft(n, x, y, plan, work, false, 1);
}

/** y ← IFFT(x) = (1/n)·Σ x_k e^(+2πijk/n). */
export function ifft(n: i32, x: usize, y: usize, plan: usize, work: usize): void {
  cfft(n, x, y, plan, work, true, 1 / <f64>n);
}

export function rfftPlanSize(n: i32): i32 {
  return rPlanSize(n);
}

export function rfftWorkSize(n: i32): i32 {
  return rWorkSize(n);
}

export function rfftPlan(n: i32, plan: usize): void {
  rfftPlanFill(n, plan);
}

/** out (n/2 + 1 complexes) ← the real FFT of x (n reals, n ≥ 2). */
export function rfft(n: i32, x: usize, out: usize, plan: usize, work: usize): void {
  rfftCore(n, x, out, plan, work);
}

/** out (n reals) ← the inverse real FFT of X (n/2 + 1 complexes), scaled by 1/n. */
export function irfft(n: i32, X: usize, out: usize, plan: usize, work: usize): void {
  irfftCore(n, X, out, plan, work, 1 / <f64>n);
}

export function rfft2PlanSize(h: i32, w: i32): i32 {
  return r2PlanSize(h, w);
}

export function rfft2WorkSize(h: i32, w: i32): i32 {
  return r2WorkSize(h, w);
}

export function rfft2Plan(h: i32, w: i32, plan: usize): void {
  rfft2PlanFill(h, w, plan);
}

/** out (h × (w/2 + 1) complexes, row-major) ← the 2D real FFT of x (h × w reals). */
export function rfft2(h: i32, w: i32, x: usize, out: usize, plan: usize, work: usize): void {
  rfft2Core(h, w, x, out, plan, work);
}

/** out (h × w reals) ← the inverse 2D real FFT of X, scaled by 1/(h·w). */
export function irfft2(h: i32, w: i32, X: usize, out: usize, plan: usize, work: usize): void {
  irfft2Core(h, w, X, out, plan, work);
}

/** out[k] ← a[k]·b[k] over nBins complexes (out may alias a or b). */
export function cmul(nBins: i32, a: usize, b: usize, out: usize): void {
  let k = 0;
  for (; k + cpv() <= nBins; k += cpv()) v128.store(cat(out, k), vcmul(v128.load(cat(a, k)), v128.load(cat(b, k))));
  for (; k < nBins; k++) st1(cat(out, k), vcmul(ld1(cat(a, k)), ld1(cat(b, k))));
}

/** out[k] ← a[k]·conj(b[k]) (out may alias a or b). */
export function cmulConj(nBins: i32, a: usize, b: usize, out: usize): void {
  let k = 0;
  for (; k + cpv() <= nBins; k += cpv()) v128.store(cat(out, k), vcmulConj(v128.load(cat(a, k)), v128.load(cat(b, k))));
  for (; k < nBins; k++) st1(cat(out, k), vcmulConj(ld1(cat(a, k)), ld1(cat(b, k))));
}

/** out[k] ← a[k]·r[k] for a real spectrum r of nBins reals, e.g. |k̂|² (out may alias a). */
export function cmulReal(nBins: i32, a: usize, r: usize, out: usize): void {
  let k = 0;
  const rb = <usize>alignof<Real>();
  for (; k + cpv() <= nBins; k += cpv()) {
    // r[k], r[k+1] → (r_k, r_k, r_k+1, r_k+1): duplicate each real across its complex
    let rv: v128;
    if (sizeof<Real>() == 8) rv = v128.load64_splat(r + (<usize>k << rb));
    else {
      const v = v128.load64_zero(r + (<usize>k << rb));
      rv = v128.shuffle<f32>(v, v, 0, 0, 1, 1);
    }
    v128.store(cat(out, k), v128.mul<Real>(v128.load(cat(a, k)), rv));
  }
  for (; k < nBins; k++) {
    const rr = load<Real>(r + (<usize>k << rb));
    st1(cat(out, k), v128.mul<Real>(ld1(cat(a, k)), v128.splat<Real>(rr)));
  }
}
