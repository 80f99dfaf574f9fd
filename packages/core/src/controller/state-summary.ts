import type { RealArray } from "../dtype.js";

/** Non-array summary of a state slot for the manifest: range, mean and 2-norm. */
export function summarize(v: RealArray): { min: number; max: number; mean: number; norm2: number } {
  let min = Infinity;
  let max = -Infinity;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
    s += v[i];
    s2 += v[i] * v[i];
  }
  return { min, max, mean: v.length ? s / v.length : 0, norm2: Math.sqrt(s2) };
}
