// Salt-and-pepper denoising with ℓ1 data and total variation (issue 14's primal–dual example):
//   E(x) = ‖x − y‖₁ + λ TV(x),
// of a piecewise-constant image where a share of the pixels is set to 0 or 1, made here. ℓ1 data
// ignores the outliers a squared loss would smear; nothing is smooth, so the primalDual family
// splits both terms through their conjugates, with Pock–Chambolle diagonal preconditioning.
import { defineFlow, readFlowParams, rngKey, uniform } from "@cflow/core";
import { blocksAndDisc } from "../poisson-deblur/spec.ts";

export const PARAMS = {
  size: { type: "integer", description: "image side in pixels", default: 128, min: 8 },
  density: { type: "number", description: "share of the pixels hit by salt or pepper", default: 0.2, min: 0, max: 1 },
  lambda: { type: "number", description: "TV weight λ", default: 0.6, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of the noise", default: 1, min: 0 },
} as const;

/** Blocks and a disc, values in [0.3, 0.8] (the ground truth, exported for tests). */
export function scene(n: number): Float64Array {
  return blocksAndDisc(n, { background: 0.3, block: 0.8, disc: 0.55 });
}

export function observation(n: number, density: number, seed: number): Float64Array {
  const draws = uniform(rngKey(seed), n * n);
  return scene(n).map((v, i) => {
    const u = draws[i];
    return u < density / 2 ? 0 : u < density ? 1 : v;
  });
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  const n = p.size;
  const y = observation(n, p.density, p.dataSeed);
  return {
    name: "salt-pepper",
    description: `ℓ1-data TV denoising of a ${n}×${n} image with ${Math.round(100 * p.density)}% salt-and-pepper noise (λ = ${p.lambda}).`,
    dtype,
    seed,
    state: { x: { shape: [n, n], init: { data: "y" } } },
    data: { y: dtype === "float64" ? y : Float32Array.from(y) },
    ops: { I: { type: "identity", shape: [n, n] } },
    terms: [
      { kind: "data", atom: "l1Data", op: "I", target: "y" },
      { kind: "regularizer", atom: "tvIsotropic", weight: p.lambda },
    ],
    policies: { flow: { family: "primalDual", preconditioning: "diagonal" }, budgets: { maxIters: 5000, rtol: 1e-4 } },
  };
});
