// A convolution-like banded operator in plain TS: L = KᵀK + μI for the circular Gaussian blur K
// of width σ (taps truncated at 4σ) — the normal operator of reference problem 1's data term,
// periodic with half-bandwidth 2·⌈4σ⌉.
import type { Dtype, RealArray } from "@cflow/core";

export interface ConvolutionOperator {
  n: number;
  dtype: Dtype;
  /** Half-bandwidth of L (entries vanish for cyclic |i − j| > bandwidth). */
  bandwidth: number;
  apply(v: RealArray, out: RealArray): void;
}

export function blurNormalOperator(n: number, sigma: number, mu: number, dtype: Dtype): ConvolutionOperator {
  const h = Math.ceil(4 * sigma);
  const g = new Float64Array(2 * h + 1);
  let sum = 0;
  for (let k = -h; k <= h; k++) sum += g[k + h] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < g.length; k++) g[k] /= sum;
  // autocorrelation c = g ⋆ g: (KᵀK)_{ij} = c[i − j]
  const b = 2 * h;
  const c = new Float64Array(2 * b + 1);
  for (let s = -b; s <= b; s++) {
    let acc = 0;
    for (let k = -h; k <= h; k++) if (Math.abs(k + s) <= h) acc += g[k + h] * g[k + s + h];
    c[s + b] = acc;
  }
  c[b] += mu;
  const taps = 2 * b + 1;
  const padded = new Float64Array(n + 2 * b);
  return {
    n,
    dtype,
    bandwidth: b,
    apply(v, out) {
      padded.set(v, b);
      for (let i = 0; i < b; i++) {
        padded[i] = v[n - b + i];
        padded[n + b + i] = v[i];
      }
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += c[k] * padded[i + k];
        out[i] = acc;
      }
    },
  };
}
