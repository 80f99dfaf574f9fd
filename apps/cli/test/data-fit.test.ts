import { DTYPES, compileFlow, noiseLevel } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { dataFit } from "../src/run/data-fit.js";

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
    const x = Arr.from(Float64Array.from({ length: n }, (_, i) => Math.cos(i / 5) * 0.9));
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
    const sigma = noiseLevel(Arr.from(y), [n])!;
    expect(fit.noise_sigma).toBe(sigma);
    expect(fit.noise_sigma_source).toBe("estimated");
    expect(fit.discrepancy).toBeCloseTo(fit.terms[0].residual_norm2 / (n * sigma * sigma), 10);
    compiled.dispose();
  });

  it("takes σ from the spec's noise.<target>.sigma when given", () => {
    const Arr = dtype === "float64" ? Float64Array : Float32Array;
    const y = new Arr(16);
    for (let i = 0; i < 16; i++) y[i] = i;
    const { compiled } = compileFlow({ name: "given", dtype, state: { x: { shape: [16] } }, data: { y }, noise: { y: { sigma: 0.5 } }, terms: [{ kind: "data", atom: "leastSquares", target: "y" }] }, { dtype });
    const fit = dataFit(compiled, { x: new Arr(16) })!;
    expect(fit.noise_sigma).toBe(0.5);
    expect(fit.noise_sigma_source).toBe("given");
    expect(fit.discrepancy).toBeCloseTo(fit.terms[0].residual_norm2 / (16 * 0.25), 10);
    compiled.dispose();
  });

  it("is null without a data term against a target", () => {
    const { compiled } = compileFlow({ name: "none", dtype, state: { x: { shape: [4] } }, terms: [{ kind: "regularizer", atom: "tikhonov", weight: 1 }] }, { dtype });
    expect(dataFit(compiled, { x: new (dtype === "float64" ? Float64Array : Float32Array)(4) })).toBeNull();
    compiled.dispose();
  });
});
