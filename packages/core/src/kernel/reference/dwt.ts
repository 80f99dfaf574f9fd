// Plain-TypeScript references for assembly/dwt.ts: the periodised analysis/synthesis formulas of
// the kernel's header, written the way a careful JavaScript implementation would (periodic
// extension into a padded row, then loops without modular indexing).
import type { RealArray } from "../../dtype.js";

const mod = (i: number, n: number): number => ((i % n) + n) % n;

let pad = new Float64Array(0);
function padded(len: number): Float64Array {
  if (pad.length < len) pad = new Float64Array(len);
  return pad;
}

export function dwtRows(rows: number, n: number, x: RealArray, filt: ArrayLike<number>, flen: number, a: RealArray, d: RealArray): void {
  const h = n >> 1;
  const off = flen / 2 - 1;
  const xp = padded(n + flen);
  for (let r = 0; r < rows; r++) {
    // xp[j] = x[(j − off) mod n]: a[k] = Σ_m lo[m]·xp[2k + m]
    for (let j = 0; j < n + flen; j++) xp[j] = x[r * n + mod(j - off, n)];
    for (let k = 0; k < h; k++) {
      let sa = 0;
      let sd = 0;
      for (let m = 0; m < flen; m++) {
        const v = xp[2 * k + m];
        sa += filt[flen - 1 - m] * v;
        sd += filt[2 * flen - 1 - m] * v;
      }
      a[r * h + k] = sa;
      d[r * h + k] = sd;
    }
  }
}

export function idwtRows(rows: number, n: number, a: RealArray, d: RealArray, filt: ArrayLike<number>, flen: number, x: RealArray): void {
  const h = n >> 1;
  const off = flen / 2 - 1;
  const yp = padded(n + flen);
  for (let r = 0; r < rows; r++) {
    // scatter into the padded row, then fold it back: yp[j] belongs to x[(j − off) mod n]
    yp.fill(0, 0, n + flen);
    for (let k = 0; k < h; k++) {
      const ak = a[r * h + k];
      const dk = d[r * h + k];
      for (let m = 0; m < flen; m++) yp[2 * k + m] += filt[2 * flen + m] * ak + filt[3 * flen + m] * dk;
    }
    for (let i = 0; i < n; i++) x[r * n + i] = 0;
    for (let j = 0; j < n + flen; j++) x[r * n + mod(j - off, n)] += yp[j];
  }
}

export function dwtCols(rows: number, cols: number, x: RealArray, filt: ArrayLike<number>, flen: number, a: RealArray, d: RealArray): void {
  const off = flen / 2 - 1;
  const acc = padded(2 * cols);
  for (let k = 0; k < rows >> 1; k++) {
    acc.fill(0, 0, 2 * cols);
    for (let m = 0; m < flen; m++) {
      const r = mod(2 * k + m - off, rows) * cols;
      const lo = filt[flen - 1 - m];
      const hi = filt[2 * flen - 1 - m];
      for (let c = 0; c < cols; c++) {
        acc[c] += lo * x[r + c];
        acc[cols + c] += hi * x[r + c];
      }
    }
    for (let c = 0; c < cols; c++) {
      a[k * cols + c] = acc[c];
      d[k * cols + c] = acc[cols + c];
    }
  }
}

export function idwtCols(rows: number, cols: number, a: RealArray, d: RealArray, filt: ArrayLike<number>, flen: number, x: RealArray): void {
  const off = flen / 2 - 1;
  for (let i = 0; i < rows * cols; i++) x[i] = 0;
  for (let k = 0; k < rows >> 1; k++) {
    for (let m = 0; m < flen; m++) {
      const r = mod(2 * k + m - off, rows) * cols;
      const g = filt[2 * flen + m];
      const q = filt[3 * flen + m];
      for (let c = 0; c < cols; c++) x[r + c] += g * a[k * cols + c] + q * d[k * cols + c];
    }
  }
}
