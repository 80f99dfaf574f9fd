// Poisson deblurring with total variation and non-negativity (issue 14's primal–dual example):
//   E(x) = KL(y ‖ Kx) + λ TV(x) + ι{x ≥ 0},   K a normalised Gaussian blur (circular),
// of a piecewise-constant image of photon counts (peak `peak`), blurred and Poisson-sampled here.
// No term is smooth: the primalDual family splits KL(y ‖ K·) and λ‖∇·‖ through their conjugates.
import { defineFlow, readFlowParams, rngKey, uniform } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "image side in pixels (a power of two: the blur runs by FFT)", default: 64, min: 8 },
  peak: { type: "number", description: "photon count of the brightest pixel", default: 30, min: 0, exclusiveMin: true },
  lambda: { type: "number", description: "TV weight λ (in counts)", default: 0.3, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of the Poisson sampling", default: 1, min: 0 },
} as const;

/** A block and a disc on a background, with the three grey levels given (also salt-pepper's scene). */
export function blocksAndDisc(n: number, level: { background: number; block: number; disc: number }): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = i / n;
      const v = j / n;
      let val = level.background;
      if (u > 0.15 && u < 0.45 && v > 0.2 && v < 0.8) val = level.block;
      if ((u - 0.7) ** 2 + (v - 0.5) ** 2 < 0.035) val = level.disc;
      x[i * n + j] = val;
    }
  }
  return x;
}

/** Blocks and a disc on a dim background, values in [0.1, 1] (the ground truth in units of `peak`, exported for tests). */
export function scene(n: number): Float64Array {
  return blocksAndDisc(n, { background: 0.1, block: 0.8, disc: 1 });
}

/** The normalised 5×5 Gaussian PSF (σ = 1 px). */
export function psf(): Float64Array {
  const k = Float64Array.from({ length: 25 }, (_, t) => Math.exp(-((Math.floor(t / 5) - 2) ** 2 + ((t % 5) - 2) ** 2) / 2));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Counts y ~ Poisson(K·peak·scene) (inversion of the CDF, small means). */
export function observation(n: number, peak: number, seed: number): Float64Array {
  const x = scene(n);
  const k = psf();
  const draws = uniform(rngKey(seed), n * n);
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let m = 0;
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) m += k[a * 5 + b] * x[((i - a + 2 + n) % n) * n + ((j - b + 2 + n) % n)];
      m *= peak;
      let c = 0;
      let p = Math.exp(-m);
      let cdf = p;
      const u = draws[i * n + j];
      while (u > cdf && c < 100_000) {
        c++;
        p *= m / c;
        cdf += p;
      }
      y[i * n + j] = c;
    }
  }
  return y;
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const y = observation(n, p.peak, p.dataSeed);
  const cast = (a: Float64Array) => (dtype === "float64" ? a : Float32Array.from(a));
  return {
    name: "poisson-deblur",
    description: `Poisson deblurring with TV + non-negativity of a ${n}×${n} count image (peak ${p.peak}, λ = ${p.lambda}).`,
    dtype,
    seed,
    state: { x: { shape: [n, n], init: { data: "y" } } },
    data: { y: cast(y), psf: cast(psf()) },
    ops: { K: { type: "conv2d", kernel: "psf", kernelShape: [5, 5], shape: [n, n], boundary: "circular" } },
    terms: [
      { kind: "data", atom: "poisson", op: "K", target: "y" },
      { kind: "regularizer", atom: "tvIsotropic", weight: p.lambda },
      { kind: "regularizer", atom: "nonneg" },
    ],
    policies: { flow: { family: "primalDual" }, budgets: { maxIters: 5000, rtol: 1e-4 } },
  };
});
