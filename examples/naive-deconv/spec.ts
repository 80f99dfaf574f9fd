// The flow that must fail certification (docs/design.md §7): plain least-squares deconvolution,
//   E(x) = ½‖K x − y‖²,
// of the deconv-1d problem without its wavelet-L1 term. KᵀK of a Gaussian blur has eigenvalues
// e^{−σ²ω²} that reach ~0 at high frequencies: γ ≈ 0, and there is no λ for the Gap Dial to widen.
import { defineFlow, readFlowParams } from "@cflow/core";
import { blurredSignal } from "../deconv-1d/spec.ts";

export const PARAMS = {
  size: { type: "integer", description: "signal length N", default: 1024, min: 64 },
  sigma: { type: "number", description: "blur width in samples", default: 4, min: 0, exclusiveMin: true },
  noise: { type: "number", description: "noise standard deviation", default: 0.01, min: 0 },
  dataSeed: { type: "integer", description: "seed of the synthetic signal's noise", default: 1, min: 0 },
} as const;

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const { y, psf } = blurredSignal(n, p, dtype);
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
