// Total-variation denoising (docs/design.md §7, reference problem 3):
//   E(x) = ½‖x − y‖² + λ TV(x),   TV(x) = Σ ‖(∇x)_ij‖₂ (isotropic),
// of a piecewise-constant image with Gaussian noise, made here.
import { CflowError, type Dtype, type FlowSpec, defineFlow, normal, readFlowParams, rngKey } from "@cflow/core";

export const PARAMS = {
  size: { type: "integer", description: "image side in pixels", default: 256, min: 8 },
  noise: { type: "number", description: "noise standard deviation (the image's range is [0, 1])", default: 0.1, min: 0 },
  lambda: { type: "number", description: "TV weight λ", default: 0.08, min: 0, exclusiveMin: true },
  dataSeed: { type: "integer", description: "seed of the noise", default: 1, min: 0 },
} as const;

/** Blocks, a disc and a ramp-free background: the images TV is made for (the ground truth, exported for tests). */
export function blocks(n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = i / n;
      const v = j / n;
      let val = 0.2;
      if (u > 0.15 && u < 0.45 && v > 0.1 && v < 0.5) val = 0.9;
      if ((u - 0.65) ** 2 + (v - 0.65) ** 2 < 0.04) val = 0.6;
      if (u > 0.7 && v < 0.3) val = 0.4;
      x[i * n + j] = val;
    }
  }
  return x;
}

export default defineFlow(({ dtype, seed, params }) => {
  const p = readFlowParams(params, PARAMS);
  return tvDenoise({ pixels: blocks(p.size), name: "piecewise-constant image" }, p, dtype, seed);
});

/**
 * The flow for any `size × size` image in [0, 1] (row-major): the blocks above, or an image of
 * one's own (the playground's PNG upload, apps/playground).
 */
export function tvDenoise(image: { pixels: Float64Array; name: string }, p: ReturnType<typeof readFlowParams<typeof PARAMS>>, dtype: Dtype, seed: number): FlowSpec {
  const n = p.size;
  const clean = image.pixels;
  if (clean.length !== n * n) {
    throw new CflowError("BAD_IMAGE", `tvDenoise: the ${image.name} has ${clean.length} pixels, size ${n} needs ${n * n}`, { path: "--param size", expected: `${n * n} pixels`, found: clean.length });
  }
  const e = normal(rngKey(p.dataSeed), n * n, "float64");
  const y = dtype === "float64" ? new Float64Array(n * n) : new Float32Array(n * n);
  for (let i = 0; i < y.length; i++) y[i] = clean[i] + p.noise * e[i];
  return {
    name: "tv-denoise",
    description: `Isotropic TV denoising of the ${n}×${n} ${image.name} with noise ${p.noise} (λ = ${p.lambda}).`,
    dtype,
    seed,
    state: { x: { shape: [n, n], init: { data: "y" } } },
    data: { y },
    terms: [
      { kind: "data", atom: "leastSquares", target: "y" },
      { kind: "regularizer", atom: "tvIsotropic", weight: p.lambda },
    ],
    policies: { flow: { family: "accelerated", restart: "function" }, budgets: { maxIters: 200, tol: 1e-9 } },
  };
}
