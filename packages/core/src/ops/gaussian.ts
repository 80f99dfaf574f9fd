import { type Dtype, type RealArray, zeros } from "../dtype.js";
import { CflowError } from "../errors.js";

/** The default Gaussian radius: ⌈3σ⌉ samples each side (the tails beyond hold < 0.3% of the mass). */
export function gaussianRadius(sigma: number): number {
  return Math.ceil(3 * sigma);
}

function checkGaussian(operation: string, sigma: number, radius: number): void {
  if (!Number.isFinite(sigma) || sigma <= 0) {
    throw new CflowError("BAD_OPTION", `${operation}: sigma must be a finite number > 0, found ${sigma}`, { path: `${operation}.sigma`, expected: "a finite number > 0", found: sigma });
  }
  if (!Number.isInteger(radius) || radius < 0) {
    throw new CflowError("BAD_OPTION", `${operation}: radius must be an integer ≥ 0, found ${radius}`, { path: `${operation}.radius`, expected: "an integer ≥ 0", found: radius });
  }
}

/** The sampled Gaussian exp(−t²/2σ²), t = −r..r, normalised to sum 1, in float64. */
function taps(sigma: number, radius: number): Float64Array {
  const g = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let t = -radius; t <= radius; t++) s += g[t + radius] = Math.exp(-(t * t) / (2 * sigma * sigma));
  for (let i = 0; i < g.length; i++) g[i] /= s;
  return g;
}

/**
 * A 1D Gaussian point-spread function of 2r + 1 taps (centre tap r), normalised to sum 1;
 * r = ⌈3σ⌉ unless given (σ = 2 gives the 13-tap kernel of the reference problems).
 */
export function gaussianKernel1d(sigma: number, dtype: Dtype, radius = gaussianRadius(sigma)): RealArray {
  checkGaussian("gaussianKernel1d", sigma, radius);
  const out = zeros(dtype, 2 * radius + 1);
  out.set(taps(sigma, radius));
  return out;
}

/**
 * An isotropic 2D Gaussian PSF of (2r + 1) × (2r + 1) taps, row-major, normalised to sum 1: the
 * outer product of two 1D kernels (so `{ row: g, col: g }` with g = gaussianKernel1d(σ) is its
 * separable form). r = ⌈3σ⌉ unless given.
 */
export function gaussianKernel2d(sigma: number, dtype: Dtype, radius = gaussianRadius(sigma)): RealArray {
  checkGaussian("gaussianKernel2d", sigma, radius);
  const g = taps(sigma, radius);
  const m = g.length;
  const out = zeros(dtype, m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = g[a] * g[b];
  return out;
}
