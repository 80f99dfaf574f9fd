// Signatures of assembly/fft.ts. Complex arrays are interleaved (re, im) reals; sizes of plans
// and work buffers are in reals of the kernel's dtype.
export interface FftExports {
  fftPlanSize(n: number): number;
  fftWorkSize(n: number): number;
  fftPlan(n: number, plan: number): void;
  /** y ← FFT(x), n complexes (n a power of two). */
  fft(n: number, x: number, y: number, plan: number, work: number): void;
  /** y ← IFFT(x), scaled by 1/n. */
  ifft(n: number, x: number, y: number, plan: number, work: number): void;
  rfftPlanSize(n: number): number;
  rfftWorkSize(n: number): number;
  rfftPlan(n: number, plan: number): void;
  /** out (n/2 + 1 complexes) ← real FFT of x (n reals, n ≥ 2 a power of two). */
  rfft(n: number, x: number, out: number, plan: number, work: number): void;
  /** out (n reals) ← inverse real FFT of X (n/2 + 1 complexes), scaled by 1/n. */
  irfft(n: number, X: number, out: number, plan: number, work: number): void;
  rfft2PlanSize(h: number, w: number): number;
  rfft2WorkSize(h: number, w: number): number;
  rfft2Plan(h: number, w: number, plan: number): void;
  /** out (h × (w/2 + 1) complexes) ← 2D real FFT of x (h × w reals). */
  rfft2(h: number, w: number, x: number, out: number, plan: number, work: number): void;
  /** out (h × w reals) ← inverse 2D real FFT of X, scaled by 1/(h·w). */
  irfft2(h: number, w: number, X: number, out: number, plan: number, work: number): void;
  /** out[k] ← a[k]·b[k] (complex). */
  cmul(nBins: number, a: number, b: number, out: number): void;
  /** out[k] ← a[k]·conj(b[k]). */
  cmulConj(nBins: number, a: number, b: number, out: number): void;
  /** out[k] ← a[k]·r[k] for a real spectrum r. */
  cmulReal(nBins: number, a: number, r: number, out: number): void;
}
