import { DTYPES, compileFlow, normal, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { dataFit, haarNoiseSigma } from "../src/run/data-fit.js";

describe("haarNoiseSigma: Donoho's MAD estimate of white noise", () => {
  it.each([0.01, 0.3])("recovers σ = %f of Gaussian noise in 1D and 2D, on top of a smooth signal", (sigma) => {
    const n = 1 << 16;
    const z = normal(rngKey(7), n, "float64");
    const y1 = Float64Array.from(z, (v, i) => Math.sin((2 * Math.PI * i) / n) + sigma * v);
    expect(Math.abs(haarNoiseSigma(y1, [n])! / sigma - 1)).toBeLessThan(0.03);
    const y2 = Float64Array.from(z, (v, i) => (i % 256) / 256 + Math.floor(i / 256) / 512 + sigma * v);
    expect(Math.abs(haarNoiseSigma(y2, [256, 256])! / sigma - 1)).toBeLessThan(0.03);
  });

  it("is null for noise-free piecewise-constant data and for shapes too small to pair", () => {
    expect(haarNoiseSigma(Float64Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 2)), [64])).toBeNull();
    expect(haarNoiseSigma(Float64Array.of(1), [1])).toBeNull();
    expect(haarNoiseSigma(Float64Array.of(1, 2, 3), [1, 3])).toBeNull();
  });
});

describe.each(DTYPES)("dataFit (%s)", (dtype) => {
  it("‖K x − y‖² through the flow's own circular convolution equals the dense computation; the ratio uses σ̂ of y", () => {
    const n = 64;
    const taps = [0.25, 0.5, 0.25];
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i / 5) + 0.05 * Math.sin(i * 91.7));
    const Arr = dtype === "float64" ? Float64Array : Float32Array;
    const { compiled } = compileFlow(
      {
        name: "fit",
        dtype,
        state: { x: { shape: [n] } },
        data: { y: Arr.from(y), psf: Arr.from(taps) },
        ops: { K: { type: "conv1d", kernel: "psf", shape: [n], boundary: "circular" } },
        terms: [
          { kind: "data", atom: "leastSquares", op: "K", target: "y" },
          { kind: "regularizer", atom: "l1", weight: 0.1 },
        ],
      },
      { dtype },
    );
    const x = Arr.from(Array.from({ length: n }, (_, i) => Math.cos(i / 5) * 0.9));
    const fit = dataFit(compiled, { x })!;
    // the kernel is centred: (K x)_i = Σ_k taps[k] x_{i+k−1}, indices modulo n
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      let kx = 0;
      for (let k = 0; k < 3; k++) kx += taps[k] * x[(i + k - 1 + n) % n];
      r2 += (kx - Number(Arr.from(y)[i])) ** 2;
    }
    expect(fit.terms).toHaveLength(1);
    expect(fit.terms[0]).toMatchObject({ term: "terms[0]", atom: "leastSquares", op: "K", target: "y", m: n });
    expect(fit.terms[0].residual_norm2).toBeCloseTo(r2, dtype === "float64" ? 12 : 5);
    expect(fit.terms[0].rms).toBeCloseTo(Math.sqrt(r2 / n), dtype === "float64" ? 12 : 5);
    const sigma = haarNoiseSigma(Arr.from(y), [n])!;
    expect(fit.noise_sigma).toBe(sigma);
    expect(fit.discrepancy).toBeCloseTo(fit.terms[0].residual_norm2 / (n * sigma * sigma), 10);
    compiled.dispose();
  });

  it("is null without a data term against a target", () => {
    const { compiled } = compileFlow({ name: "none", dtype, state: { x: { shape: [4] } }, terms: [{ kind: "regularizer", atom: "tikhonov", weight: 1 }] }, { dtype });
    expect(dataFit(compiled, { x: new (dtype === "float64" ? Float64Array : Float32Array)(4) })).toBeNull();
    compiled.dispose();
  });
});
