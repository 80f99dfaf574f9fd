// Wavelet-L1 deconvolution of a piecewise-smooth signal (docs/design.md §7, reference problem 1):
//   E(x) = ½‖K x − y‖² + λ Σ_j λ_j ‖(W x)_j‖₁
// K: circular Gaussian blur (σ = 4 samples), W: db4, 6 levels, periodised; y = K x_true + noise.
import { conv1d, defineFlow, type Dtype, gaussianKernel1d, normal, type RealArray, readFlowParams, rngKey } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "signal length N", default: 1 << 20, min: 256 },
  sigma: { type: "number", description: "blur width in samples", default: 4, min: 0, exclusiveMin: true },
  noise: { type: "number", description: "noise standard deviation", default: 0.01, min: 0 },
  lambda: { type: "number", description: "initial λ on the detail bands", default: 2e-3, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of the synthetic signal's noise", default: 1, min: 0 },
} as const;

/** A piecewise-smooth test signal on [0, 1): a slow sine, two jumps, a ramp and a narrow bump. */
export function piecewiseSmooth(n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / n;
    x[i] = 0.5 * Math.sin(4 * Math.PI * t) + (t > 0.3 && t < 0.55 ? 0.8 : 0) + (t > 0.7 ? 1.5 * (t - 0.7) : 0) + Math.exp(-(((t - 0.85) / 0.01) ** 2));
  }
  return x;
}

/** The observation y = K x_true + noise of `piecewiseSmooth(n)` through a circular Gaussian blur, and its PSF. */
export function blurredSignal(n: number, p: { sigma: number; noise: number; dataSeed: number }, dtype: Dtype): { y: RealArray; psf: RealArray } {
  const psf = gaussianKernel1d(p.sigma, dtype);
  const clean = piecewiseSmooth(n);
  const blur = conv1d(psf, { shape: [n], boundary: "circular", dtype });
  const y = blur.apply(dtype === "float64" ? clean : Float32Array.from(clean));
  blur.dispose();
  const noise = normal(rngKey(p.dataSeed), n, dtype);
  for (let i = 0; i < n; i++) y[i] += p.noise * noise[i];
  return { y, psf };
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const { y, psf } = blurredSignal(n, p, dtype);
  return {
    name: "deconv-1d",
    description: `Wavelet-L1 deconvolution of a ${n}-sample piecewise-smooth signal blurred by a Gaussian (σ = ${p.sigma}) with noise ${p.noise}.`,
    dtype,
    seed,
    state: { x: { shape: [n], init: { adjoint: { op: "K", data: "y" } } } },
    data: { y, psf },
    ops: { K: { type: "conv1d", kernel: "psf", shape: [n], boundary: "circular" } },
    transforms: { W: { name: "db4", levels: 6 } },
    terms: [
      { kind: "data", atom: "leastSquares", op: "K", target: "y" },
      { kind: "regularizer", atom: "waveletL1", transform: "W", weight: p.lambda },
    ],
    policies: {
      flow: { family: "accelerated", restart: "function" },
      tuner: { widenFactor: 4 },
      control: { maxAttempts: 12, validationIters: 30 },
      budgets: { maxIters: 300 },
    },
  };
});
