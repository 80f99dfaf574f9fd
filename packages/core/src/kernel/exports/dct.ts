// Signatures of assembly/dct.ts: the orthonormal DCT-II, X[k] = s_k Σ_m x[m] cos(π(2m+1)k/2n),
// and its inverse (transpose). Power-of-two lengths use one real FFT, others the O(n²) sum.
export interface DctExports {
  dctPlanSize(n: number): number;
  dctWorkSize(n: number): number;
  dctPlan(n: number, plan: number): void;
  dct(n: number, x: number, out: number, plan: number, work: number): void;
  idct(n: number, X: number, out: number, plan: number, work: number): void;
  dct2PlanSize(h: number, w: number): number;
  dct2WorkSize(h: number, w: number): number;
  dct2Plan(h: number, w: number, plan: number): void;
  /** Separable 2D DCT-II of an h × w image (rows, then columns). */
  dct2(h: number, w: number, x: number, out: number, plan: number, work: number): void;
  idct2(h: number, w: number, X: number, out: number, plan: number, work: number): void;
}
