import { DTYPES, type Dtype, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { bandedColouring, estimateEtaGammaInW, type EstimateOptions } from "../src/index.js";
import { bandedMatrix, denseLApply, denseRowCertificates, denseTransform, jacobiEigenvalues, type Mat, mat, matmul, randomOrthogonal, scaled, sub, transpose, withSpectrum } from "./helpers.js";
import { expectScalarClose, logspace, mulberry32, tolFor, zerosOf } from "@cflow/test-kit";

/** W L Wᵀ (explicit). */
function congruence(w: Mat, l: Mat): Mat {
  return matmul(matmul(w, l), transpose(w));
}

/** Stacked orthogonal matrices [Q1; Q2; ...]: a tight frame with WᵀW = k·I. */
function stackedFrame(n: number, k: number, rand: () => number): Mat {
  const w = mat(k * n, n);
  for (let b = 0; b < k; b++) w.a.set(randomOrthogonal(n, rand).a, b * n * n);
  return w;
}

function randomSubset(m: number, size: number, rand: () => number): number[] {
  const idx = Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, size).sort((a, b) => a - b);
}

const METHODS = ["exact", "matrix-free"] as const;

describe.each(DTYPES as Dtype[])("estimateEtaGammaInW (%s)", (dtype) => {
  // Entries pass through the run's dtype: float32 certificates are accurate to its precision.
  const rtol = tolFor(dtype, 1e-10, 1e-4);
  const atolSpec = tolFor(dtype, 1e-13, 1e-5); // absolute, relative to ‖L‖ ≈ 1
  const n = 40;

  describe.each(METHODS)("%s path, orthogonal W from a random QR", (method) => {
    const rows = method === "matrix-free" ? { sampleRows: 1000 } : undefined; // every row exactly: η_dd comparable to dense

    it.each([
      ["random SPD", logspace(0.05, 1, n)],
      ["near-singular SPD (λ_min = 1e-6)", logspace(1e-6, 1, n)],
    ])("%s: η_dd, Gershgorin, γ, λ_max equal the dense computation on explicit L_W", (_, eigs) => {
      const rand = mulberry32(eigs.length * 7 + (method === "exact" ? 1 : 2));
      const l = withSpectrum(eigs, rand);
      const q = randomOrthogonal(n, rand);
      const lw = congruence(q, l);
      const truth = jacobiEigenvalues(lw);
      const dense = denseRowCertificates(lw);
      const est = estimateEtaGammaInW(denseLApply(l), denseTransform(q, "unitary", 1, dtype), { key: rngKey(1), method, rows });
      expect(est.method).toBe(method);
      expect(est.subspace).toBe("full");
      expect(est.size).toBe(n);
      expect(est.rows).toBe("exact");
      expect(est.gammaConverged).toBe(true);
      expectScalarClose(est.etaDD, dense.etaDD, rtol);
      expectScalarClose(est.gammaGershgorin, dense.gershgorin, rtol, atolSpec);
      if (dtype === "float64") expectScalarClose(est.gamma, truth[0], 1e-8); // the Lanczos criterion
      else expectScalarClose(est.gamma, truth[0], 0, atolSpec);
      expectScalarClose(est.lambdaMax as number, truth[n - 1], rtol, atolSpec);
      expect(est.gammaGershgorin).toBeLessThanOrEqual(truth[0] + atolSpec);
      expect(est.cost.applications).toBeGreaterThan(0);
    });

    it("restricted to an active set: equal to the dense computation on the sub-matrix", () => {
      const rand = mulberry32(31);
      const l = withSpectrum(logspace(1e-4, 1, n), rand);
      const q = randomOrthogonal(n, rand);
      const lw = congruence(q, l);
      const active = randomSubset(n, 17, rand);
      const ls = sub(lw, active);
      const truth = jacobiEigenvalues(ls);
      const dense = denseRowCertificates(ls);
      const W = denseTransform(q, "unitary", 1, dtype);
      const est = estimateEtaGammaInW(denseLApply(l), W, { key: rngKey(2), method, activeSet: active, rows });
      expect(est.subspace).toBe("restricted");
      expect(est.size).toBe(17);
      expectScalarClose(est.etaDD, dense.etaDD, rtol);
      expectScalarClose(est.gammaGershgorin, dense.gershgorin, rtol, atolSpec);
      expectScalarClose(est.gamma, truth[0], tolFor(dtype, 1e-8, 0), atolSpec);
      expectScalarClose(est.lambdaMax as number, truth[16], rtol, atolSpec);
      expect(est.gammaGershgorin).toBeLessThanOrEqual(truth[0] + atolSpec);
      expect(active).toContain(est.worstRow?.index);
      // the same active set from the coefficients after a prox (zeros elsewhere)
      const u = zerosOf(dtype, n);
      for (const i of active) u[i] = i % 2 ? 0.5 : -2;
      const fromCoeffs = estimateEtaGammaInW(denseLApply(l), W, { key: rngKey(2), method, coefficients: u, rows });
      expect(fromCoeffs.size).toBe(17);
      expect(fromCoeffs.etaDD).toBe(est.etaDD);
      expect(fromCoeffs.gamma).toBe(est.gamma);
    });

    it("tight frame of stacked orthogonal matrices (c = 2): certificates of W L Wᵀ / c", () => {
      const rand = mulberry32(77);
      const nn = 24;
      const l = withSpectrum(logspace(1e-3, 2, nn), rand);
      const w = stackedFrame(nn, 2, rand);
      const W = denseTransform(w, "tight", 2, dtype, "stacked");
      const lw = congruence(w, l); // unnormalised, 48×48, rank 24
      const active = randomSubset(2 * nn, 15, rand);
      const ls = sub(lw, active);
      const truth = jacobiEigenvalues(ls);
      const dense = denseRowCertificates(ls);
      const est = estimateEtaGammaInW(denseLApply(l), W, { key: rngKey(3), method, activeSet: active, rows });
      expect(est.frameScale).toBe(2);
      expectScalarClose(est.etaDD, dense.etaDD, rtol); // η_dd is scale-free
      expectScalarClose(est.gamma, truth[0] / 2, tolFor(dtype, 1e-8, 0), atolSpec);
      expectScalarClose(est.gammaGershgorin, dense.gershgorin / 2, rtol, atolSpec);
      expectScalarClose(est.lambdaMax as number, truth[14] / 2, rtol, atolSpec);
      // Without sparsity, γ is taken on range(W), where W L Wᵀ / c has the spectrum of L; the
      // 24 structural zero eigenvalues off range(W) are excluded.
      const full = estimateEtaGammaInW(denseLApply(l), W, { key: rngKey(3), method, rows });
      const lTruth = jacobiEigenvalues(l);
      expect(full.subspace).toBe("range");
      expect(full.size).toBe(2 * nn);
      expectScalarClose(full.gamma, lTruth[0], tolFor(dtype, 1e-8, 0), atolSpec);
      expectScalarClose(full.lambdaMax as number, lTruth[nn - 1], rtol, atolSpec);
      const lwHalf = scaled(lw, 0.5);
      expect(jacobiEigenvalues(lwHalf)[0]).toBeLessThan(1e-12); // the full W-space operator is singular
      expectScalarClose(full.gammaGershgorin, denseRowCertificates(lwHalf).gershgorin, rtol, atolSpec);
    });
  });

  it("frame rescaling: W = √3·Q declared tight with c = 3 certifies like the unitary Q; declared general it does not", () => {
    const rand = mulberry32(5);
    const l = withSpectrum(logspace(0.01, 1, n), rand);
    const q = randomOrthogonal(n, rand);
    const active = randomSubset(n, 25, rand);
    const opts: EstimateOptions = { key: rngKey(4), activeSet: active };
    const unitary = estimateEtaGammaInW(denseLApply(l), denseTransform(q, "unitary", 1, dtype), opts);
    const tight = estimateEtaGammaInW(denseLApply(l), denseTransform(scaled(q, Math.sqrt(3)), "tight", 3, dtype), opts);
    const general = estimateEtaGammaInW(denseLApply(l), denseTransform(scaled(q, Math.sqrt(3)), "general", 3, dtype), opts);
    const r = tolFor(dtype, 1e-12, 1e-5);
    expectScalarClose(tight.gamma, unitary.gamma, r, atolSpec);
    expectScalarClose(tight.gammaGershgorin, unitary.gammaGershgorin, r, atolSpec);
    expectScalarClose(tight.lambdaMax as number, unitary.lambdaMax as number, r);
    expectScalarClose(tight.etaDD, unitary.etaDD, r);
    expect(general.frameScale).toBe(1);
    expectScalarClose(general.gamma, 3 * unitary.gamma, r, 3 * atolSpec);
    expectScalarClose(general.etaDD, unitary.etaDD, r);
    expect(() => estimateEtaGammaInW(denseLApply(l), denseTransform(q, "tight", 0, dtype), opts)).toThrow(/frame constant c = 0/);
  });

  it("chooses exact up to exactThreshold and matrix-free above", () => {
    const rand = mulberry32(6);
    const l = withSpectrum(logspace(0.1, 1, n), rand);
    const base = { key: rngKey(1), n, dtype };
    expect(estimateEtaGammaInW(denseLApply(l), null, base).method).toBe("exact");
    const mf = estimateEtaGammaInW(denseLApply(l), null, { ...base, exactThreshold: 39 });
    expect(mf.method).toBe("matrix-free");
    expect(mf.rows).toBe("sampled");
  });

  describe("matrix-free η_dd", () => {
    it.each([
      [false, 151, 4],
      [true, 151, 4], // 151 is not a multiple of 2b + 1 = 9: the tail gets colours of its own
      [true, 64, 7],
    ])("coloured probing is exact for banded operators (periodic %s, n = %i, b = %i)", (periodic, nb, b) => {
      const rand = mulberry32(nb + b);
      const l = bandedMatrix(nb, b, 3 * b, rand, periodic);
      const dense = denseRowCertificates(l);
      const truth = jacobiEigenvalues(l);
      const est = estimateEtaGammaInW(denseLApply(l), null, {
        key: rngKey(5),
        n: nb,
        dtype,
        method: "matrix-free",
        rows: { probing: { bandwidth: b, periodic } },
      });
      expect(est.rows).toBe("probed");
      expect(est.probingValid).toBe(true);
      expectScalarClose(est.etaDD, dense.etaDD, rtol);
      expectScalarClose(est.gammaGershgorin, dense.gershgorin, rtol, tolFor(dtype, 1e-12, 1e-4));
      expect(est.gammaGershgorin).toBeLessThanOrEqual(truth[0] + atolSpec * 10);
      const colours = (est.diagnostics.probing as { colours: number }).colours;
      // 151 = 16·9 + 7 and 64 = 4·15 + 4 on a cycle: blocks of 9|10 and 15|16 indices, one extra colour
      expect(colours).toBe(periodic ? 2 * b + 2 : 2 * b + 1);
      // the same from an explicit colouring, and on an active subset (bandwidth carries over)
      const explicit = estimateEtaGammaInW(denseLApply(l), null, {
        key: rngKey(5),
        n: nb,
        dtype,
        method: "matrix-free",
        rows: { probing: { colours: bandedColouring(nb, b, periodic).colours } },
      });
      expect(explicit.etaDD).toBe(est.etaDD);
      const active = randomSubset(nb, Math.floor(nb / 3), rand);
      const restricted = estimateEtaGammaInW(denseLApply(l), null, {
        key: rngKey(5),
        n: nb,
        dtype,
        method: "matrix-free",
        activeSet: active,
        rows: { probing: { bandwidth: b, periodic } },
      });
      const subDense = denseRowCertificates(sub(l, active));
      expect(restricted.probingValid).toBe(true);
      expectScalarClose(restricted.etaDD, subDense.etaDD, rtol);
      expectScalarClose(restricted.gamma, jacobiEigenvalues(sub(l, active))[0], tolFor(dtype, 1e-8, 0), atolSpec * 10);
    });

    it("a colouring too coarse for the operator is caught by the spot-checked rows", () => {
      const rand = mulberry32(8);
      const l = bandedMatrix(200, 6, 10, rand, true);
      const est = estimateEtaGammaInW(denseLApply(l), null, {
        key: rngKey(6),
        n: 200,
        dtype,
        method: "matrix-free",
        rows: { probing: { bandwidth: 2, periodic: true }, spotCheckRows: 8 },
      });
      expect(est.probingValid).toBe(false);
      expect(est.probingError).toBeGreaterThan(1e-3);
    });

    it("sampled rows: the exact maximum over the sample, a lower bound of η_dd, with the stated quantile", () => {
      const rand = mulberry32(9);
      const l = withSpectrum(logspace(0.1, 1, 120), rand);
      const dense = denseRowCertificates(l);
      const est = estimateEtaGammaInW(denseLApply(l), null, { key: rngKey(7), n: 120, dtype, method: "matrix-free", rows: { sampleRows: 16 } });
      expect(est.rows).toBe("sampled");
      expect(est.etaDD).toBeLessThanOrEqual(dense.etaDD * (1 + rtol));
      expect(est.gammaGershgorin).toBeGreaterThanOrEqual(dense.gershgorin - atolSpec);
      const w = est.worstRow as { index: number; diag: number; offAbs: number };
      let off = 0;
      for (let j = 0; j < 120; j++) if (j !== w.index) off += Math.abs(l.a[w.index * 120 + j]);
      expectScalarClose(w.offAbs, off, rtol);
      expectScalarClose(w.diag, l.a[w.index * 121], rtol);
      const s = est.diagnostics.sampling as { rows: number; exceedFraction: number; statement: string };
      expect(s.rows).toBe(16);
      expectScalarClose(s.exceedFraction, Math.log(20) / 16, 1e-12);
      expect(s.statement).toMatch(/lower bound/);
      expect(est.cost.applications).toBe(16 + (est.diagnostics.lanczos as { iterations: number }).iterations);
    });
  });

  it("an empty active set has nothing to certify", () => {
    const l = withSpectrum(logspace(0.1, 1, 10), mulberry32(1));
    const est = estimateEtaGammaInW(denseLApply(l), null, { key: rngKey(1), n: 10, dtype, coefficients: zerosOf(dtype, 10) });
    expect(est.size).toBe(0);
    expect(est.gamma).toBeNaN();
    expect(est.cost.applications).toBe(0);
  });

  it("rejects bad input with the path, the value found and what was expected", () => {
    const l = withSpectrum(logspace(0.1, 1, 8), mulberry32(1));
    const L = denseLApply(l);
    const W = denseTransform(randomOrthogonal(8, mulberry32(2)), "unitary", 1, dtype);
    expect(() => estimateEtaGammaInW(L, null, { key: rngKey(1), dtype })).toThrow(/options.n .* required, found undefined/);
    expect(() => estimateEtaGammaInW(L, W, { key: rngKey(1), n: 9 })).toThrow(/shape mismatch — expected length 8, found length 9/);
    const other: Dtype = dtype === "float64" ? "float32" : "float64";
    expect(() => estimateEtaGammaInW(L, W, { key: rngKey(1), dtype: other })).toThrow(/dtype mismatch/);
    expect(() => estimateEtaGammaInW(L, W, { key: rngKey(1), activeSet: [0, 8] })).toThrow(/activeSet\[1\] = 8 is not an index of W-space \[0, 8\)/);
    expect(() => estimateEtaGammaInW(L, W, { key: rngKey(1), activeSet: [0], coefficients: zerosOf(dtype, 8) })).toThrow(/either activeSet or coefficients/);
    expect(() => estimateEtaGammaInW(L, W, { key: rngKey(1), coefficients: zerosOf(dtype, 7) })).toThrow(/coefficients.*expected length 8, found length 7/);
    const nan = (v: Float32Array | Float64Array, out: Float32Array | Float64Array) => {
      L(v, out);
      out[3] = Number.NaN;
    };
    expect(() => estimateEtaGammaInW(nan, W, { key: rngKey(1) })).toThrow(/L_apply returned NaN at index 3/);
  });
});

describe("bandedColouring", () => {
  it.each([
    [100, 3, false],
    [100, 3, true],
    [97, 4, true],
    [90, 4, true],
    [40, 6, true],
    [2048, 32, true], // 2048 = 31·66 + 2: blocks of 66 and 67
    [22, 7, true], // one block of 22
    [5, 3, true],
  ])("every window of 2b + 1 consecutive indices is rainbow (n = %i, b = %i, periodic %s)", (n, b, periodic) => {
    const { colours, count } = bandedColouring(n, b, periodic);
    const p = 2 * b + 1;
    for (let start = 0; start < (periodic ? n : n - Math.min(p, n) + 1); start++) {
      const seen = new Set<number>();
      for (let k = 0; k < Math.min(p, n); k++) seen.add(colours[(start + k) % n]);
      expect(seen.size).toBe(Math.min(p, n));
    }
    expect(Math.max(...colours) + 1).toBe(count);
    expect(count).toBeLessThanOrEqual(periodic && n > p ? p + Math.ceil(p / Math.floor(n / p)) : Math.min(n, p));
  });
});
