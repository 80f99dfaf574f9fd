// Plain-TypeScript references for assembly/flow.ts.
import type { RealArray } from "../../dtype.js";

export function stepMetrics(n: number, y: RealArray, x: RealArray, xPrev: RealArray, out: Float64Array): void {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - y[i];
    a += d * d;
    b += (y[i] - x[i]) * (x[i] - xPrev[i]);
    c += x[i] * x[i];
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
}

export function dotDiff(n: number, g: RealArray, x: RealArray, y: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += g[i] * (x[i] - y[i]);
  return s;
}

export function scaleCell(a: number, cell: Float64Array): void {
  cell[0] *= a;
}

export function precondStep(n: number, a: number, y: RealArray, dinv: RealArray, g: RealArray, z: RealArray): void {
  for (let i = 0; i < n; i++) z[i] = y[i] + a * dinv[i] * g[i];
}

export function precondMetrics(n: number, d: RealArray, y: RealArray, x: RealArray, out: Float64Array): void {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const e = x[i] - y[i];
    a += d[i] * e * e;
    b += (d[i] * e) ** 2;
    c += (d[i] * x[i]) ** 2;
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
}
