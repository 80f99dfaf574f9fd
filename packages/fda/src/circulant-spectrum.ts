import { type CirculantStencil, gridCoordinates } from "@cflow/core";
import { Kernel, RealFft, isPowerOfTwo } from "@cflow/core/kernel";

/** The extreme eigenvalues of a symmetric circulant, and the rounding margin that makes them bounds. */
export interface CirculantSpectrum {
  /** Smallest computed eigenvalue (the true λ_min lies within `margin` of it). */
  min: number;
  /** Largest computed eigenvalue (the true λ_max lies within `margin` of it). */
  max: number;
  /**
   * A bound on the rounding error of every computed eigenvalue: (n + 8√n·(log₂n + 2) + 32)·u·‖c‖₁
   * with u = 2⁻⁵³. It covers both evaluations: a direct sum of nnz ≤ n terms with accurate
   * twiddles (error ≤ (nnz + O(1))·u·‖c‖₁), and a radix-2 FFT (2-norm error ≤ ~7·log₂n·u times
   * ‖ĉ‖₂ = √n‖c‖₂ ≤ √n‖c‖₁, the standard bound for accurately computed twiddles; the real FFT's
   * post-processing adds one stage). So λ_min ≥ min − margin and λ_max ≤ max + margin, soundly.
   */
  margin: number;
  /** How the DFT was evaluated: the float64 kernel FFT (power-of-two grids) or a separable direct sum over the stencil. */
  method: "fft" | "dft";
}

/** Above this many multiply-adds the direct DFT is not attempted (null: the caller falls back). */
const DFT_BUDGET = 2 ** 28;

/**
 * Eigenvalues of a symmetric circulant on a 1D or 2D grid: the DFT of its first column (real,
 * since the column is even). Power-of-two grids use the float64 kernel's real FFT (O(n log n));
 * other grids the DFT evaluated separably over the stencil's rows (O(rows·w·cols + n·rows)).
 * Null when the grid has more than two axes or the direct sum would exceed its budget.
 */
export function circulantSpectrum(shape: readonly number[], stencil: CirculantStencil): CirculantSpectrum | null {
  if (shape.length < 1 || shape.length > 2) return null;
  const [h, w] = shape.length === 1 ? [1, shape[0]] : shape;
  const n = h * w;
  let l1 = 0;
  for (const v of stencil.values) l1 += Math.abs(v);
  const margin = (n + 8 * Math.sqrt(n) * (Math.log2(n) + 2) + 32) * 2 ** -53 * l1;
  const pow2 = isPowerOfTwo(h) && isPowerOfTwo(w) && w >= 2;
  const range = pow2 ? fftRange(shape.length === 1 ? [w] : [h, w], n, stencil) : dftRange(h, w, stencil);
  return range ? { ...range, margin, method: pow2 ? "fft" : "dft" } : null;
}

function fftRange(shape: number[], n: number, stencil: CirculantStencil): { min: number; max: number } {
  const k = Kernel.get("float64");
  const fft = new RealFft(k, shape, "circulantSpectrum");
  const column = k.alloc(n);
  const X = k.alloc(2 * fft.bins);
  try {
    const c = column.view;
    c.fill(0);
    for (let e = 0; e < stencil.offsets.length; e++) c[stencil.offsets[e]] = stencil.values[e];
    fft.forward(column, X);
    // the half spectrum of a real signal holds every eigenvalue (the rest are their conjugates)
    const bins = X.view;
    let min = Infinity;
    let max = -Infinity;
    for (let b = 0; b < fft.bins; b++) {
      const re = bins[2 * b];
      if (re < min) min = re;
      if (re > max) max = re;
    }
    return { min, max };
  } finally {
    column.free();
    X.free();
    fft.dispose();
  }
}

function dftRange(h: number, w: number, stencil: CirculantStencil): { min: number; max: number } | null {
  // the stencil grouped by row offset a: entries (b, c[a, b])
  const rows = new Map<number, { b: number[]; v: number[] }>();
  for (let e = 0; e < stencil.offsets.length; e++) {
    const [a, b] = gridCoordinates([h, w], stencil.offsets[e]);
    const r = rows.get(a) ?? { b: [], v: [] };
    r.b.push(b);
    r.v.push(stencil.values[e]);
    rows.set(a, r);
  }
  const cost = w * stencil.offsets.length + h * w * rows.size;
  if (cost > DFT_BUDGET) return null;
  const cosW = Float64Array.from({ length: w }, (_, t) => Math.cos((2 * Math.PI * t) / w));
  const sinW = Float64Array.from({ length: w }, (_, t) => Math.sin((2 * Math.PI * t) / w));
  const cosH = Float64Array.from({ length: h }, (_, t) => Math.cos((2 * Math.PI * t) / h));
  const sinH = Float64Array.from({ length: h }, (_, t) => Math.sin((2 * Math.PI * t) / h));
  // R_a(ν) = Σ_b c[a, b]·e^{−2πi bν/w}
  const as = [...rows.keys()];
  const R = as.map((a) => {
    const { b, v } = rows.get(a)!;
    const re = new Float64Array(w);
    const im = new Float64Array(w);
    for (let nu = 0; nu < w; nu++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < b.length; k++) {
        const t = (b[k] * nu) % w;
        sr += v[k] * cosW[t];
        si -= v[k] * sinW[t];
      }
      re[nu] = sr;
      im[nu] = si;
    }
    return { re, im };
  });
  // λ(l, ν) = Re Σ_a R_a(ν)·e^{−2πi al/h}
  let min = Infinity;
  let max = -Infinity;
  for (let l = 0; l < h; l++) {
    for (let nu = 0; nu < w; nu++) {
      let s = 0;
      for (let i = 0; i < as.length; i++) {
        const t = (as[i] * l) % h;
        s += R[i].re[nu] * cosH[t] + R[i].im[nu] * sinH[t];
      }
      if (s < min) min = s;
      if (s > max) max = s;
    }
  }
  return { min, max };
}
