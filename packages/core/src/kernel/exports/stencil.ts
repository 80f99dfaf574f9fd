// Signatures of assembly/stencil.ts. c, x, out: f64 arrays; src: i32 offsets, in kernel memory.
export interface StencilExports {
  /** out[i] ← Σ_k c[k]·x[src[k] + i], lo ≤ i < hi, summed in order over k (float64 in both builds). */
  stencilSums(lo: number, hi: number, t: number, c: number, src: number, x: number, out: number): void;
}
