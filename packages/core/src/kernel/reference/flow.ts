// Plain-TypeScript references for assembly/flow.ts.
import type { RealArray } from "../../dtype.js";

export function stepMetrics(n: number, y: RealArray, x: RealArray, xPrev: RealArray, out: Float64Array): void {
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - y[i];
    a += d * d;
    b += (y[i] - x[i]) * (x[i] - xPrev[i]);
  }
  out[0] = a;
  out[1] = b;
}

export function dotDiff(n: number, g: RealArray, x: RealArray, y: RealArray): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += g[i] * (x[i] - y[i]);
  return s;
}

export function scaleCell(a: number, cell: Float64Array): void {
  cell[0] *= a;
}
