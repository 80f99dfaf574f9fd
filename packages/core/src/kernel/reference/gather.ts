// Plain-TypeScript references for assembly/gather.ts.
import type { RealArray } from "../../dtype.js";

export function gather(k: number, idx: Int32Array, x: RealArray, out: RealArray): void {
  for (let j = 0; j < k; j++) out[j] = x[idx[j]];
}

export function scatterAdd(k: number, idx: Int32Array, y: RealArray, out: RealArray): void {
  for (let j = 0; j < k; j++) out[idx[j]] += y[j];
}
