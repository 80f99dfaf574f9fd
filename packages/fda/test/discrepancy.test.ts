// Noise level and Morozov's choice: the MAD estimate of σ from pure Gaussian noise and from the
// finest diagonal band of a blurred, noised image (the blur leaves almost nothing else there), in
// both dtypes; the discrepancy ratio; and the choice on a λ grid (largest λ within τ).
import { DTYPES, type Dtype, conv2d, createTransform, gaussianKernel2d, normal, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { discrepancyRatio, estimateNoiseLevel, finestDiagonalBand, madNoiseLevel, morozovChoice } from "../src/index.js";

describe.each(DTYPES)("noise level (%s)", (dtype: Dtype) => {
  it("MAD/0.6745 recovers σ of Gaussian noise to a few percent", () => {
    const e = normal(rngKey(1), 1 << 16, dtype);
    for (let i = 0; i < e.length; i++) e[i] *= 0.03;
    expect(Math.abs(madNoiseLevel(e) / 0.03 - 1)).toBeLessThan(0.02);
  });

  it("from the finest diagonal wavelet band of a blurred, noised image", () => {
    const n = 128;
    const img = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) img[i * n + j] = ((i - 64) ** 2 + (j - 50) ** 2 < 900 ? 1 : 0) + 0.5 * ((i > 20 && i < 40) ? 1 : 0);
    const K = conv2d(gaussianKernel2d(2, dtype), { shape: [n, n], boundary: "circular", dtype });
    const y = K.apply(dtype === "float64" ? img : Float32Array.from(img));
    const e = normal(rngKey(2), n * n, dtype);
    for (let i = 0; i < y.length; i++) y[i] += 0.01 * e[i];
    const W = createTransform("db4", { shape: [n, n], levels: 3, dtype });
    const band = finestDiagonalBand(W.bands);
    expect(band).toMatchObject({ level: 1, orientation: "d" });
    expect(Math.abs(estimateNoiseLevel(W.forward(y), W.bands) / 0.01 - 1)).toBeLessThan(0.05);
    K.dispose();
    W.dispose();
  });
});

describe("discrepancy principle", () => {
  it("ratio and the Morozov choice on a grid", () => {
    expect(discrepancyRatio(200, 100, 2)).toBe(0.5);
    const grid = [
      { lambda: 0.1, discrepancy: 3 },
      { lambda: 1e-3, discrepancy: 0.8 },
      { lambda: 0.01, discrepancy: 1.05 },
      { lambda: 3e-3, discrepancy: 0.95 },
    ];
    const t1 = morozovChoice(grid, 1);
    expect(t1.lambda).toBe(3e-3);
    expect(t1.index).toBe(3);
    expect(t1.crossing).toBeGreaterThan(3e-3);
    expect(t1.crossing).toBeLessThan(0.01);
    expect(morozovChoice(grid, 1.1).lambda).toBe(0.01);
    expect(morozovChoice(grid, 0.5)).toEqual({ index: -1, lambda: null, crossing: null });
  });

  it("names the missing band", () => {
    expect(() => finestDiagonalBand([{ level: 0, orientation: "a", offset: 0, shape: [4] }])).toThrow(/no level-1 diagonal band/);
    expect(() => madNoiseLevel([])).toThrow(/no coefficients/);
  });
});
