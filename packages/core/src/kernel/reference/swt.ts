// Plain-TypeScript references for assembly/swt.ts: the à trous correlation of the kernel's header
// and its adjoint, with the row index reduced modulo n once per tap.
import type { RealArray } from "../../dtype.js";

const mod = (i: number, n: number): number => ((i % n) + n) % n;

export function swtRows(rows: number, n: number, dil: number, x: RealArray, filt: ArrayLike<number>, flen: number, a: RealArray, d: RealArray): void {
  const off = flen / 2 - 1;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let o = 0; o < n; o++) {
      let sa = 0;
      let sd = 0;
      for (let m = 0; m < flen; m++) {
        const v = x[base + mod(o + dil * (m - off), n)];
        sa += filt[flen - 1 - m] * v;
        sd += filt[2 * flen - 1 - m] * v;
      }
      a[base + o] = sa;
      d[base + o] = sd;
    }
  }
}

export function swtRowsAdjoint(rows: number, n: number, dil: number, a: RealArray, d: RealArray, filt: ArrayLike<number>, flen: number, x: RealArray): void {
  const off = flen / 2 - 1;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let p = 0; p < n; p++) {
      let s = 0;
      for (let m = 0; m < flen; m++) {
        const i = base + mod(p - dil * (m - off), n);
        s += filt[flen - 1 - m] * a[i] + filt[2 * flen - 1 - m] * d[i];
      }
      x[base + p] = s;
    }
  }
}

export function swtCols(rows: number, cols: number, dil: number, x: RealArray, filt: ArrayLike<number>, flen: number, a: RealArray, d: RealArray): void {
  const off = flen / 2 - 1;
  for (let i = 0; i < rows * cols; i++) a[i] = d[i] = 0;
  for (let o = 0; o < rows; o++) {
    for (let m = 0; m < flen; m++) {
      const r = mod(o + dil * (m - off), rows) * cols;
      const lo = filt[flen - 1 - m];
      const hi = filt[2 * flen - 1 - m];
      for (let c = 0; c < cols; c++) {
        a[o * cols + c] += lo * x[r + c];
        d[o * cols + c] += hi * x[r + c];
      }
    }
  }
}

export function swtColsAdjoint(rows: number, cols: number, dil: number, a: RealArray, d: RealArray, filt: ArrayLike<number>, flen: number, x: RealArray): void {
  const off = flen / 2 - 1;
  for (let i = 0; i < rows * cols; i++) x[i] = 0;
  for (let p = 0; p < rows; p++) {
    for (let m = 0; m < flen; m++) {
      const r = mod(p - dil * (m - off), rows) * cols;
      const lo = filt[flen - 1 - m];
      const hi = filt[2 * flen - 1 - m];
      for (let c = 0; c < cols; c++) x[p * cols + c] += lo * a[r + c] + hi * d[r + c];
    }
  }
}
