// The two models issue 14 names, run by the primal–dual family in both dtypes: Poisson deblurring
// with total variation and non-negativity (KL data through a blur), and salt-and-pepper denoising
// with ℓ1 data and total variation. Each run must stop on its optimality rule and return an image
// clearly closer to the truth than its input.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES } from "../src/dtype.js";
import { PrimalDualRunner } from "../src/runtime/primal-dual.js";
import { defineFlow } from "../src/spec/define.js";
import type { FlowSpec } from "../src/spec/types.js";
import { mulberry32, randn } from "@cflow/test-kit";

const R = 32;
const N = R * R;

/** Blocks and a disc, values in [0, 1]. */
function truthImage(): Float64Array {
  return Float64Array.from({ length: N }, (_, k) => {
    const i = Math.floor(k / R);
    const j = k % R;
    const block = i > 4 && i < 14 && j > 6 && j < 26 ? 0.8 : 0;
    const disc = (i - 22) ** 2 + (j - 16) ** 2 < 36 ? 1 : 0;
    return Math.max(0.1, block, disc);
  });
}

function psnr(x: ArrayLike<number>, truth: ArrayLike<number>, peak: number): number {
  let se = 0;
  for (let i = 0; i < N; i++) se += (x[i] - truth[i]) ** 2;
  return 10 * Math.log10((peak * peak) / (se / N));
}

/** A normalised 5×5 Gaussian point-spread function (σ = 1 px). */
function gaussianPsf(): Float64Array {
  const k = Float64Array.from({ length: 25 }, (_, t) => Math.exp(-((Math.floor(t / 5) - 2) ** 2 + ((t % 5) - 2) ** 2) / 2));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / s);
}

/** Circular 2D convolution with the 5×5 PSF, written directly (the observation model). */
function blur(x: Float64Array, psf: Float64Array): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      let s = 0;
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) s += psf[a * 5 + b] * x[((i - a + 2 + R) % R) * R + ((j - b + 2 + R) % R)];
      out[i * R + j] = s;
    }
  }
  return out;
}

/** Poisson counts by inversion of the CDF (small means) — independent of the library's RNG. */
function poisson(mean: number, rand: () => number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let c = p;
  const u = rand();
  while (u > c && k < 10_000) {
    k++;
    p *= mean / k;
    c += p;
  }
  return k;
}

describe.each(DTYPES)("issue 14's primal–dual models (%s)", (dtype) => {
  const cast = (a: Float64Array) => (dtype === "float64" ? a : Float32Array.from(a));

  it("Poisson deblurring with TV + non-negativity: converges and beats the observation by > 3 dB", () => {
    const rand = mulberry32(1402);
    const peak = 30;
    const truth = truthImage().map((v) => v * peak);
    const psf = gaussianPsf();
    const y = blur(truth, psf).map((m) => poisson(m, rand));
    const spec = defineFlow(() => ({
      dtype,
      state: { x: { shape: [R, R], init: { data: "y" } } },
      data: { y: cast(y), psf: cast(psf) },
      ops: { K: { type: "conv2d", kernel: "psf", kernelShape: [5, 5], shape: [R, R], boundary: "circular" } },
      terms: [
        { kind: "data", atom: "poisson", op: "K", target: "y" },
        { kind: "regularizer", atom: "tvIsotropic", weight: 0.3 },
        { kind: "regularizer", atom: "nonneg" },
      ],
      policies: { flow: { family: "primalDual" } },
    }) as unknown as FlowSpec);
    const { compiled } = compileFlow(spec, { dtype });
    expect(compiled.dual.map((d) => d.term.atom).sort()).toEqual(["poisson", "tvIsotropic"]);
    expect(compiled.prox.map((p) => p.term.atom)).toEqual(["nonneg"]);
    const r = new PrimalDualRunner(compiled);
    // ‖K‖ ≤ √(1 + 8): the blur's exact norm (a normalised non-negative PSF: 1) and the gradient's √8
    expect(r.norm.bound).toBeCloseTo(3, dtype === "float64" ? 12 : 5);
    const out = r.run({ maxIters: 5000, rtol: 1e-4, atol: 0 });
    expect(out.reason).toBe("converged");
    const x = r.state;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(psnr(x, truth, peak)).toBeGreaterThan(psnr(y, truth, peak) + 3);
    r.dispose();
    compiled.dispose();
  });

  it("salt-and-pepper denoising with ℓ1 data + TV: converges and beats the observation by > 8 dB", () => {
    const rand = mulberry32(1403);
    const truth = truthImage();
    const y = Float64Array.from(truth, (v) => {
      const u = rand();
      return u < 0.1 ? 0 : u < 0.2 ? 1 : v + 0.01 * randn(rand);
    });
    const spec = defineFlow(() => ({
      dtype,
      state: { x: { shape: [R, R], init: { data: "y" } } },
      data: { y: cast(y) },
      ops: { I: { type: "identity", shape: [R, R] } },
      terms: [
        { kind: "data", atom: "l1Data", op: "I", target: "y" },
        { kind: "regularizer", atom: "tvIsotropic", weight: 0.6 },
      ],
      policies: { flow: { family: "primalDual", preconditioning: "diagonal" } },
    }) as unknown as FlowSpec);
    const { compiled } = compileFlow(spec, { dtype });
    const r = new PrimalDualRunner(compiled);
    expect(r.norm.route).toBe("preconditioned");
    const out = r.run({ maxIters: 20000, rtol: 1e-4, atol: 0 });
    expect(out.reason).toBe("converged");
    expect(psnr(r.state, truth, 1)).toBeGreaterThan(psnr(y, truth, 1) + 8);
    r.dispose();
    compiled.dispose();
  });
});
