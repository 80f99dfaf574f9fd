// Plain-TypeScript references for assembly/fft.ts: the textbook iterative radix-2 Cooley–Tukey
// FFT (bit-reversal permutation, then log2 n butterfly passes), a real FFT taken as the complex
// FFT of the real signal, and a 2D FFT as row then column transforms. Same conventions and
// argument order as the kernel; plans and work buffers have this module's own sizes.
import type { RealArray } from "../../dtype.js";

/** Twiddles e^(−2πik/n), k < n/2, as (re, im). */
export function fftPlanSize(n: number): number {
  return n;
}

export function fftWorkSize(_n: number): number {
  return 0;
}

export function fftPlan(n: number, plan: RealArray): void {
  for (let k = 0; k < n / 2; k++) {
    plan[2 * k] = Math.cos((2 * Math.PI * k) / n);
    plan[2 * k + 1] = -Math.sin((2 * Math.PI * k) / n);
  }
}

/** In-place complex FFT of the n complexes in a. */
function transform(n: number, a: RealArray, plan: RealArray, inverse: boolean): void {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [a[2 * i], a[2 * j]] = [a[2 * j], a[2 * i]];
      [a[2 * i + 1], a[2 * j + 1]] = [a[2 * j + 1], a[2 * i + 1]];
    }
  }
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let j = 0; j < half; j++) {
        const wr = plan[2 * j * step];
        const wi = sign * plan[2 * j * step + 1];
        const u = 2 * (i + j);
        const v = 2 * (i + j + half);
        const vr = a[v] * wr - a[v + 1] * wi;
        const vi = a[v] * wi + a[v + 1] * wr;
        a[v] = a[u] - vr;
        a[v + 1] = a[u + 1] - vi;
        a[u] += vr;
        a[u + 1] += vi;
      }
    }
  }
}

export function fft(n: number, x: RealArray, y: RealArray, plan: RealArray, _work: RealArray): void {
  for (let i = 0; i < 2 * n; i++) y[i] = x[i];
  transform(n, y, plan, false);
}

export function ifft(n: number, x: RealArray, y: RealArray, plan: RealArray, _work: RealArray): void {
  for (let i = 0; i < 2 * n; i++) y[i] = x[i];
  transform(n, y, plan, true);
  for (let i = 0; i < 2 * n; i++) y[i] /= n;
}

export function rfftPlanSize(n: number): number {
  return fftPlanSize(n);
}

export function rfftWorkSize(n: number): number {
  return 2 * n;
}

export function rfftPlan(n: number, plan: RealArray): void {
  fftPlan(n, plan);
}

export function rfft(n: number, x: RealArray, out: RealArray, plan: RealArray, work: RealArray): void {
  for (let i = 0; i < n; i++) {
    work[2 * i] = x[i];
    work[2 * i + 1] = 0;
  }
  transform(n, work, plan, false);
  for (let i = 0; i < n + 2; i++) out[i] = work[i];
}

export function irfft(n: number, X: RealArray, out: RealArray, plan: RealArray, work: RealArray): void {
  for (let k = 0; k <= n / 2; k++) {
    work[2 * k] = X[2 * k];
    work[2 * k + 1] = k === 0 || k === n / 2 ? 0 : X[2 * k + 1];
  }
  for (let k = 1; k < n / 2; k++) {
    work[2 * (n - k)] = X[2 * k];
    work[2 * (n - k) + 1] = -X[2 * k + 1];
  }
  transform(n, work, plan, true);
  for (let i = 0; i < n; i++) out[i] = work[2 * i] / n;
}

export function rfft2PlanSize(h: number, w: number): number {
  return w + h;
}

export function rfft2WorkSize(h: number, w: number): number {
  return 2 * h * (w / 2 + 1) + 2 * Math.max(h, w);
}

export function rfft2Plan(h: number, w: number, plan: RealArray): void {
  fftPlan(w, plan.subarray(0, w));
  fftPlan(h, plan.subarray(w, w + h));
}

function columns(h: number, wb: number, a: RealArray, plan: RealArray, col: RealArray, inverse: boolean): void {
  for (let c = 0; c < wb; c++) {
    for (let r = 0; r < h; r++) {
      col[2 * r] = a[2 * (r * wb + c)];
      col[2 * r + 1] = a[2 * (r * wb + c) + 1];
    }
    transform(h, col, plan, inverse);
    for (let r = 0; r < h; r++) {
      a[2 * (r * wb + c)] = col[2 * r];
      a[2 * (r * wb + c) + 1] = col[2 * r + 1];
    }
  }
}

export function rfft2(h: number, w: number, x: RealArray, out: RealArray, plan: RealArray, work: RealArray): void {
  const wb = w / 2 + 1;
  const line = work.subarray(0, 2 * Math.max(h, w));
  for (let r = 0; r < h; r++) rfft(w, x.subarray(r * w, (r + 1) * w), out.subarray(2 * r * wb, 2 * (r + 1) * wb), plan.subarray(0, w), line);
  columns(h, wb, out, plan.subarray(w, w + h), line, false);
}

export function irfft2(h: number, w: number, X: RealArray, out: RealArray, plan: RealArray, work: RealArray): void {
  const wb = w / 2 + 1;
  const line = work.subarray(0, 2 * Math.max(h, w));
  const Y = work.subarray(2 * Math.max(h, w), 2 * Math.max(h, w) + 2 * h * wb);
  Y.set(X.subarray(0, 2 * h * wb));
  columns(h, wb, Y, plan.subarray(w, w + h), line, true);
  for (let r = 0; r < h; r++) {
    const row = out.subarray(r * w, (r + 1) * w);
    irfft(w, Y.subarray(2 * r * wb, 2 * (r + 1) * wb), row, plan.subarray(0, w), line);
    for (let i = 0; i < w; i++) row[i] /= h;
  }
}

export function cmul(nBins: number, a: RealArray, b: RealArray, out: RealArray): void {
  for (let k = 0; k < nBins; k++) {
    const ar = a[2 * k];
    const ai = a[2 * k + 1];
    const br = b[2 * k];
    const bi = b[2 * k + 1];
    out[2 * k] = ar * br - ai * bi;
    out[2 * k + 1] = ar * bi + ai * br;
  }
}

export function cmulConj(nBins: number, a: RealArray, b: RealArray, out: RealArray): void {
  for (let k = 0; k < nBins; k++) {
    const ar = a[2 * k];
    const ai = a[2 * k + 1];
    const br = b[2 * k];
    const bi = b[2 * k + 1];
    out[2 * k] = ar * br + ai * bi;
    out[2 * k + 1] = ai * br - ar * bi;
  }
}

export function cmulReal(nBins: number, a: RealArray, r: RealArray, out: RealArray): void {
  for (let k = 0; k < nBins; k++) {
    out[2 * k] = a[2 * k] * r[k];
    out[2 * k + 1] = a[2 * k + 1] * r[k];
  }
}
