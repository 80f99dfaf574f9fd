// Plain-TypeScript references for assembly/dct.ts: the orthonormal DCT-II and its transpose by
// their defining sums (no plan or work needed; the arguments keep the kernel's order).
import type { RealArray } from "../../dtype.js";

export function dctPlanSize(_n: number): number {
  return 0;
}

export function dctWorkSize(_n: number): number {
  return 0;
}

export function dctPlan(_n: number, _plan: RealArray): void {}

function scaleOf(k: number, n: number): number {
  return Math.sqrt((k === 0 ? 1 : 2) / n);
}

export function dct(n: number, x: RealArray, out: RealArray, _plan: RealArray, _work: RealArray): void {
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let m = 0; m < n; m++) s += x[m] * Math.cos((Math.PI * (2 * m + 1) * k) / (2 * n));
    out[k] = scaleOf(k, n) * s;
  }
}

export function idct(n: number, X: RealArray, out: RealArray, _plan: RealArray, _work: RealArray): void {
  for (let m = 0; m < n; m++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += scaleOf(k, n) * X[k] * Math.cos((Math.PI * (2 * m + 1) * k) / (2 * n));
    out[m] = s;
  }
}

export function dct2PlanSize(_h: number, _w: number): number {
  return 0;
}

export function dct2WorkSize(_h: number, _w: number): number {
  return 0;
}

export function dct2Plan(_h: number, _w: number, _plan: RealArray): void {}

function separable(h: number, w: number, x: RealArray, out: RealArray, f: typeof dct): void {
  const none = x.subarray(0, 0);
  for (let r = 0; r < h; r++) f(w, x.subarray(r * w, (r + 1) * w), out.subarray(r * w, (r + 1) * w), none, none);
  const col = new Float64Array(h);
  const res = new Float64Array(h);
  for (let c = 0; c < w; c++) {
    for (let r = 0; r < h; r++) col[r] = out[r * w + c];
    f(h, col, res, none, none);
    for (let r = 0; r < h; r++) out[r * w + c] = res[r];
  }
}

export function dct2(h: number, w: number, x: RealArray, out: RealArray, _plan: RealArray, _work: RealArray): void {
  separable(h, w, x, out, dct);
}

export function idct2(h: number, w: number, X: RealArray, out: RealArray, _plan: RealArray, _work: RealArray): void {
  separable(h, w, X, out, idct);
}
