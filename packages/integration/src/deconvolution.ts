import { type Dtype, type FlowFactory, type FlowSpec, type PoliciesSpec, type RealArray, conv1d, conv2d, defineFlow, gaussianKernel1d, gaussianKernel2d, normal, rngKey } from "@cflow/core";

/**
 * The deconvolution problems of docs/design.md §7: a piecewise-smooth truth blurred by a circular
 * Gaussian, plus white noise, restored either by plain least squares (`lambda: null`, the
 * "naive flow" that must fail certification) or with a wavelet-L1 prior on the detail bands.
 */
export interface DeconvolutionOptions {
  /** [n] for the 1D problem (reference problem 1), [h, w] for the 2D one (reference problem 2). */
  shape: [number] | [number, number];
  /** Blur width in samples / pixels. */
  sigma: number;
  /** Standard deviation of the additive noise. */
  noise?: number;
  /** λ of the wavelet-L1 term on the detail bands; null: naive least squares ½‖Kx − y‖². */
  lambda: number | null;
  wavelet?: string;
  levels: number;
  policies?: PoliciesSpec;
  /** Declare the noise level in the spec (`noise.y.sigma`); otherwise a target estimates it from y. */
  declareNoise?: boolean;
}

/** Reference problem 1: 1D, N = 2^20, σ = 4, noise 0.01, db4 with 6 levels, λ = 2e-3. */
export const REFERENCE_1D: DeconvolutionOptions = { shape: [2 ** 20], sigma: 4, noise: 0.01, lambda: 2e-3, wavelet: "db4", levels: 6 };

/** Reference problem 2: 2D, 512×512, σ = 2 px, noise 0.01, db4 with 4 levels, λ = 2e-3. */
export const REFERENCE_2D: DeconvolutionOptions = { shape: [512, 512], sigma: 2, noise: 0.01, lambda: 2e-3, wavelet: "db4", levels: 4 };

export function deconvolution(o: DeconvolutionOptions): FlowFactory {
  return defineFlow(({ dtype, seed }): FlowSpec => {
    const n = o.shape.reduce((a, b) => a * b, 1);
    const truth = o.shape.length === 1 ? piecewiseSmooth1d(o.shape[0], dtype) : piecewiseSmooth2d(o.shape[0], o.shape[1], dtype);
    const psf = o.shape.length === 1 ? gaussianKernel1d(o.sigma, dtype) : gaussianKernel2d(o.sigma, dtype);
    const K = o.shape.length === 1 ? conv1d(psf, { shape: o.shape, boundary: "circular", dtype }) : conv2d(psf, { shape: o.shape, boundary: "circular", dtype });
    const y = K.apply(truth);
    K.dispose();
    const noise = normal(rngKey(seed), n, dtype);
    for (let i = 0; i < n; i++) y[i] += (o.noise ?? 0.01) * noise[i];
    const dims = o.shape.length === 1 ? "1d" : "2d";
    return {
      name: `deconvolution-${dims}${o.lambda === null ? "-naive" : ""}`,
      dtype,
      seed,
      state: { x: { shape: [...o.shape], init: { adjoint: { op: "K", data: "y" } } } },
      data: { y, psf },
      ...(o.declareNoise ? { noise: { y: { sigma: o.noise ?? 0.01 } } } : {}),
      ops: { K: { type: o.shape.length === 1 ? "conv1d" : "conv2d", kernel: "psf", shape: [...o.shape], boundary: "circular" } },
      transforms: { W: { name: o.wavelet ?? "db4", levels: o.levels } },
      terms:
        o.lambda === null
          ? [{ kind: "data", atom: "leastSquares", op: "K", target: "y" }]
          : [
              { kind: "data", atom: "leastSquares", op: "K", target: "y" },
              { kind: "regularizer", atom: "waveletL1", transform: "W", weight: o.lambda },
            ],
      policies: o.policies,
    };
  });
}

/** Blocks, a ramp and two smooth bumps on [0, 1): piecewise smooth, so compressible in db4. */
export function piecewiseSmooth1d(n: number, dtype: Dtype): RealArray {
  const x = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / n;
    let v = 0;
    if (t >= 0.1 && t < 0.25) v = 1;
    else if (t >= 0.3 && t < 0.45) v = 0.5 + 2 * (t - 0.3);
    else if (t >= 0.5 && t < 0.7) v = 0.8 * Math.sin(Math.PI * (t - 0.5) / 0.2);
    else if (t >= 0.75 && t < 0.8) v = -0.6;
    v += 0.3 * Math.exp(-(((t - 0.88) / 0.03) ** 2));
    x[i] = v;
  }
  return x;
}

/** A disc and a bar on a zero background (the image of the lead's end-to-end check). */
export function piecewiseSmooth2d(h: number, w: number, dtype: Dtype): RealArray {
  const x = dtype === "float64" ? new Float64Array(h * w) : new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const u = (i - h / 2) / h;
      const v = (j - w / 2) / w;
      x[i * w + j] = (u * u + v * v < 0.15 ? 1 : 0) + (Math.abs(u - 0.1) < 0.05 && Math.abs(v) < 0.2 ? 0.5 : 0);
    }
  }
  return x;
}
