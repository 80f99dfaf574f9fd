// Plain-TypeScript references for assembly/diff.ts: the difference formulas with their boundary
// cases spelled out.
import type { RealArray } from "../../dtype.js";

export function diff1D(n: number, x: RealArray, out: RealArray): void {
  for (let i = 0; i < n; i++) out[i] = i < n - 1 ? x[i + 1] - x[i] : 0;
}

export function diff1DAdjoint(n: number, y: RealArray, out: RealArray): void {
  for (let i = 0; i < n; i++) out[i] = (i >= 1 ? y[i - 1] : 0) - (i <= n - 2 ? y[i] : 0);
}

export function diff2D(rows: number, cols: number, x: RealArray, out: RealArray): void {
  const n = rows * cols;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      out[k] = i < rows - 1 ? x[k + cols] - x[k] : 0;
      out[n + k] = j < cols - 1 ? x[k + 1] - x[k] : 0;
    }
  }
}

export function diff2DAdjoint(rows: number, cols: number, y: RealArray, out: RealArray): void {
  const n = rows * cols;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const a0 = (i >= 1 ? y[k - cols] : 0) - (i <= rows - 2 ? y[k] : 0);
      const a1 = (j >= 1 ? y[n + k - 1] : 0) - (j <= cols - 2 ? y[n + k] : 0);
      out[k] = a0 + a1;
    }
  }
}
