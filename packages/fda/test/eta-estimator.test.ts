// The matrix-free η_dd estimators measured against exact rows on operator families (README
// "η_dd estimator"; bench/eta-accuracy.bench.ts prints the same study at larger sizes).
import { DTYPES, type Dtype, rngKey, split } from "@cflow/core";
import { describe, expect, it } from "vitest";
import {
  bandedColouring,
  estimateEtaGammaInW,
  exactRows,
  probedRows,
  restrictColouring,
  summarizeRows,
  wSpaceOperator,
} from "../src/index.js";
import { blurNormalMatrix, denseLApply, denseTransform, haarMatrix } from "./helpers.js";
import { mulberry32, tolFor } from "@cflow/test-kit";

const all = (s: number) => Int32Array.from({ length: s }, (_, i) => i);

describe.each(DTYPES as Dtype[])("η_dd estimators against exact rows (%s)", (dtype) => {
  const n = 256;
  const blur = blurNormalMatrix(n, 3); // KᵀK: numerically banded (Gaussian tails below 1e-16 beyond ~|i−j| = 40)
  for (let i = 0; i < n; i++) blur.a[i * n + i] += 1e-2;

  it("coloured probing recovers every row of a convolution operator (bandwidth 48) exactly", () => {
    const counter = { L: 0, W: 0 };
    const op = wSpaceOperator(denseLApply(blur), null, { n, dtype, active: null, counter });
    const exact = exactRows(op, all(n));
    const colouring = bandedColouring(n, 48, true);
    const probed = probedRows(op, colouring);
    expect(colouring.count).toBe(128); // 256 = 2·128: two blocks of 128
    expect(counter.L).toBe(n + 128);
    const tol = tolFor(dtype, 1e-12, 2e-6);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(probed.offAbs[i] - exact.offAbs[i])).toBeLessThanOrEqual(tol * (exact.offAbs[i] + Math.abs(exact.diag[i])));
      expect(Math.abs(probed.diag[i] - exact.diag[i])).toBeLessThanOrEqual(tol * Math.abs(exact.diag[i]));
    }
  });

  it("in a wavelet basis the index colouring aliases: probed off-diagonal sums are lower bounds, and the spot check says so", () => {
    const W = denseTransform(haarMatrix(n, 5), "unitary", 1, dtype, "haar");
    const op = wSpaceOperator(denseLApply(blur), W, { n, dtype, active: null, counter: { L: 0, W: 0 } });
    const exact = exactRows(op, all(n));
    const probed = probedRows(op, restrictColouring(bandedColouring(n, 8, true).colours, null));
    let aliased = 0;
    const slack = tolFor(dtype, 1e-12, 1e-5);
    for (let i = 0; i < n; i++) {
      expect(probed.offAbs[i]).toBeLessThanOrEqual(exact.offAbs[i] * (1 + slack) + slack);
      if (probed.offAbs[i] < exact.offAbs[i] * (1 - 1e-3)) aliased++;
    }
    expect(aliased).toBeGreaterThan(n / 10);
    const est = estimateEtaGammaInW(denseLApply(blur), W, { key: rngKey(3), method: "matrix-free", rows: { probing: { bandwidth: 8, periodic: true }, spotCheckRows: 16 } });
    expect(est.probingValid).toBe(false);
  });

  it("sampled rows keep their stated confidence: the exceed fraction is below q in ≥ 95% of draws", () => {
    // a family with heavy-tailed row ratios: diagonal dominance varies over rows by orders of magnitude
    const rand = mulberry32(17);
    const m = blur.a.slice();
    for (let i = 0; i < n; i++) m[i * n + i] *= 0.05 + 20 * rand() ** 4;
    const op = wSpaceOperator(denseLApply({ rows: n, cols: n, a: m }), null, { n, dtype, active: null, counter: { L: 0, W: 0 } });
    const exact = exactRows(op, all(n));
    const ratios = Array.from(exact.diag, (d, i) => exact.offAbs[i] / Math.abs(d)).sort((a, b) => a - b);
    const trueEta = summarizeRows(exact).etaDD;
    const r = 24;
    const draws = 120;
    let misses = 0;
    let exceedMax = 0;
    for (const key of split(rngKey(99), draws)) {
      const est = estimateEtaGammaInW(denseLApply({ rows: n, cols: n, a: m }), null, {
        key,
        n,
        dtype,
        method: "matrix-free",
        lanczos: { maxIter: 2, tol: 1 },
        rows: { sampleRows: r, confidence: 0.95 },
      });
      // (ε = 1e-12·max|L_ii| is taken over the rows seen, hence the 1e-9 slack)
      expect(est.etaDD).toBeLessThanOrEqual(trueEta * (1 + tolFor(dtype, 1e-9, 1e-5)));
      const q = (est.diagnostics.sampling as { exceedFraction: number }).exceedFraction;
      const exceed = ratios.filter((x) => x > est.etaDD * (1 + 1e-9)).length / n;
      exceedMax = Math.max(exceedMax, exceed);
      if (exceed > q) misses++;
    }
    expect(misses / draws).toBeLessThanOrEqual(0.05 + 0.04); // binomial slack at 120 draws
    expect(exceedMax).toBeGreaterThan(0); // the sample max does miss the top rows: it is not the maximum
  });
});
