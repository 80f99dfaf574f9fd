// The flow that must fail certification (docs/design.md §7): plain least-squares deconvolution,
//   E(x) = ½‖K x − y‖²,
// of the deconv-1d problem without its wavelet-L1 term. KᵀK of a Gaussian blur has eigenvalues
// e^{−σ²ω²} that reach ~0 at high frequencies: γ ≈ 0, and there is no λ for the Gap Dial to widen.
import { conv1d, defineFlow, gaussianKernel1d, normal, readFlowParams, rngKey } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "signal length N", default: 1024, min: 64 },
  sigma: { type: "number", description: "blur width in samples", default: 4, min: 0, exclusiveMin: true },
  noise: { type: "number", description: "noise standard deviation", default: 0.01, min: 0 },
  dataSeed: { type: "integer", description: "seed of the synthetic signal's noise", default: 1, min: 0 },
} as const;

/** deconv-1d's test signal: a slow sine, two jumps, a ramp and a narrow bump. */
function piecewiseSmooth(n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / n;
    x[i] = 0.5 * Math.sin(4 * Math.PI * t) + (t > 0.3 && t < 0.55 ? 0.8 : 0) + (t > 0.7 ? 1.5 * (t - 0.7) : 0) + Math.exp(-(((t - 0.85) / 0.01) ** 2));
  }
  return x;
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const psf = gaussianKernel1d(p.sigma, dtype);
  const clean = piecewiseSmooth(n);
  const blur = conv1d(psf, { shape: [n], boundary: "circular", dtype });
  const y = blur.apply(dtype === "float64" ? clean : Float32Array.from(clean));
  blur.dispose();
  const noise = normal(rngKey(p.dataSeed), n, dtype);
  for (let i = 0; i < n; i++) y[i] += p.noise * noise[i];
  return {
    name: "naive-deconv",
    description: `Plain least-squares deconvolution of a ${n}-sample signal (Gaussian blur σ = ${p.sigma}): the flow that cannot be certified.`,
    dtype,
    seed,
    state: { x: { shape: [n], init: { adjoint: { op: "K", data: "y" } } } },
    data: { y, psf },
    ops: { K: { type: "conv1d", kernel: "psf", shape: [n], boundary: "circular" } },
    terms: [{ kind: "data", atom: "leastSquares", op: "K", target: "y" }],
    policies: { flow: { family: "accelerated", restart: "function" }, budgets: { maxIters: 300 } },
  };
});
