import { type CertificateContext, DTYPES, type Dtype, rngKey, type TransformOp } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { type CertTransform, DEFAULT_GATES, fda } from "../src/index.js";
import { bandedMatrix, blurNormalMatrix, denseLApply, denseTransform, haarMatrix, type Mat, withSpectrum } from "./helpers.js";
import { logspace, mulberry32, zerosOf } from "@cflow/test-kit";

// The hook reads only the CertTransform part of the context's TransformOp, so dense test transforms stand in for it.
function context(l: Mat, dtype: Dtype, extra: Partial<Omit<CertificateContext, "W">> & { W?: CertTransform } = {}): CertificateContext {
  return { L_apply: denseLApply(l), n: l.rows, dtype, coefficients: null, gates: { ...DEFAULT_GATES }, key: rngKey(11), ...extra, W: (extra.W ?? null) as TransformOp | null };
}

describe.each(DTYPES as Dtype[])("fda hook (%s)", (dtype) => {
  it("passes a diagonally dominant, well-conditioned operator with no reasons", () => {
    const l = bandedMatrix(60, 2, 20, mulberry32(1));
    const cert = fda().certify(context(l, dtype));
    expect(cert.pass).toBe(true);
    expect(cert.reasons).toEqual([]);
    expect(cert.method).toBe("exact");
    expect(cert.etaDD).toBeLessThan(0.9);
    expect(cert.gammaGershgorin).toBeGreaterThan(0);
    expect(cert.gamma).toBeGreaterThanOrEqual(cert.gammaGershgorin);
    expect(cert.diagnostics.gates).toEqual({ etaMax: 0.9, gammaMin: 1e-6 });
    expect(cert.cost.applications).toBe(60);
    expect(JSON.parse(JSON.stringify(cert.diagnostics))).toBeTruthy();
  });

  it("fails the η gate with the value, the gate and the worst row", () => {
    const l = withSpectrum(logspace(0.5, 1, 30), mulberry32(2));
    const cert = fda().certify(context(l, dtype));
    expect(cert.etaDD).toBeGreaterThan(0.9);
    expect(cert.gamma).toBeGreaterThan(0.49);
    expect(cert.pass).toBe(false);
    expect(cert.reasons).toHaveLength(1);
    expect(cert.reasons[0]).toMatch(/^η_dd = [0-9.]+ > η_max = 0\.9000: L_W \(30×30\) is not diagonally dominant enough — worst row \d+: Σ_\{j≠i\}\|L_ij\| = /);
  });

  it("the naive deconvolution fails on γ; restricted to a coarse wavelet support it is certified", () => {
    const n = 64;
    const l = blurNormalMatrix(n, 2);
    const W = denseTransform(haarMatrix(n, 4), "unitary", 1, dtype, "haar");
    const hook = fda();
    const naive = hook.certify(context(l, dtype, { W }));
    expect(naive.pass).toBe(false);
    expect(naive.gamma).toBeLessThan(1e-6);
    expect(naive.reasons.some((r) => /^γ = λ_min = .* < γ_min = 1\.000e-6: L_W \(64×64\) is \(near-\)singular — the smooth part alone/.test(r))).toBe(true);
    // after a strong prox only the approximation band (4 coefficients of width 16) survives
    const u = zerosOf(dtype, n);
    for (let i = 0; i < 4; i++) u[i] = 1 + i;
    const sparse = hook.certify(context(l, dtype, { W, coefficients: u }));
    expect(sparse.size).toBe(4);
    expect(sparse.pass).toBe(true);
    expect(sparse.gamma).toBeGreaterThan(0.1);
    expect(sparse.diagnostics.subspace).toBe("restricted");
    // ...but not with the finest details active: the restricted gap closes again
    for (let i = n / 2; i < n; i++) u[i] = 1;
    const fine = hook.certify(context(l, dtype, { W, coefficients: u }));
    expect(fine.pass).toBe(false);
    expect(fine.reasons.join("\n")).toMatch(/restricted to the 36 active coefficients is \(near-\)singular — a larger λ shrinks the active set/);
  });

  it("a few sampled rows over the gate fail η_dd for certain, without running Lanczos", () => {
    const l = withSpectrum(logspace(1e-9, 1, 200), mulberry32(3));
    const cert = fda({ method: "matrix-free" }).certify(context(l, dtype));
    expect(cert.pass).toBe(false);
    expect(cert.diagnostics.gammaSource).toBe("not evaluated");
    expect((cert.diagnostics.lanczos as { iterations: number }).iterations).toBe(0);
    expect(cert.cost.applications).toBe(8);
    expect(cert.reasons.join(" ")).toMatch(/η_dd = .* > η_max/);
  });

  it("matrix-free: stops Lanczos as soon as γ < γ_min is proven, and says the value is an upper bound", () => {
    const l = withSpectrum(logspace(1e-9, 1, 200), mulberry32(3));
    // quick: false — this test is about the Lanczos path (the quick verdict would fail η_dd first)
    const cert = fda({ method: "matrix-free", quick: false }).certify(context(l, dtype));
    expect(cert.pass).toBe(false);
    const lz = cert.diagnostics.lanczos as { iterations: number; decided: string | null };
    expect(lz.decided).toBe("below");
    expect(lz.iterations).toBeLessThan(200);
    expect(cert.reasons.join("\n")).toMatch(/λ_min ≤ .* \(Lanczos Ritz value, an upper bound; stopped once below γ_min\) < γ_min/);
    const full = fda({ method: "matrix-free", stopWhenDecided: false, quick: false }).certify(context(l, dtype));
    expect((full.diagnostics.lanczos as { iterations: number }).iterations).toBeGreaterThan(lz.iterations);
  });

  it("passes γ once the probabilistic Lanczos lower bound clears γ_min, with a note", () => {
    const l = withSpectrum(logspace(0.2, 1, 150), mulberry32(4));
    const cert = fda({ method: "matrix-free" }).certify(context(l, dtype, { gates: { etaMax: 100, gammaMin: 1e-3 } }));
    expect(cert.pass).toBe(true);
    expect((cert.diagnostics.lanczos as { decided: string | null }).decided).toBe("above");
    const lower = (cert.diagnostics.lanczos as { gammaLowerBound: number }).gammaLowerBound;
    expect(lower).toBeGreaterThanOrEqual(1e-3);
    expect(lower).toBeLessThanOrEqual(0.2);
    expect(cert.reasons.some((r) => /^note: λ_min ≥ .* ≥ γ_min with probability ≥ 0.9999 \(Kuczyński–Woźniakowski bound after \d+ steps of Lanczos/.test(r))).toBe(true);
  });

  it("fails closed when Lanczos has neither converged nor decided, unless told otherwise", () => {
    const l = withSpectrum(logspace(0.2, 1, 150), mulberry32(4));
    const opts = { method: "matrix-free" as const, lanczos: { maxIter: 3 }, stopWhenDecided: false };
    const cert = fda(opts).certify(context(l, dtype, { gates: { etaMax: 100, gammaMin: 1e-6 } }));
    expect(cert.pass).toBe(false);
    expect(cert.reasons[0]).toMatch(/^γ not certified: Lanczos did not converge in 3 steps \(residual .*\) and no lower bound yet; λ_min ≤ .* is only an upper bound/);
    const lax = fda({ ...opts, requireConvergence: false }).certify(context(l, dtype, { gates: { etaMax: 100, gammaMin: 1e-6 } }));
    expect(lax.pass).toBe(true);
    // the sampled η_dd would pass, so every row was computed before passing it
    expect(lax.diagnostics.etaRows).toMatch(/escalated/);
    expect(lax.diagnostics.etaVerified).toBe(true);
  });

  it("an empty active set fails with a reason; bad gates are rejected", () => {
    const l = bandedMatrix(20, 1, 5, mulberry32(5));
    const cert = fda().certify(context(l, dtype, { coefficients: zerosOf(dtype, 20) }));
    expect(cert.pass).toBe(false);
    expect(cert.reasons[0]).toMatch(/active set is empty/);
    expect(() => fda().certify(context(l, dtype, { gates: { etaMax: 0, gammaMin: 1e-6 } }))).toThrow(/η_max > 0 .* found η_max = 0/);
  });

  it("takes the row estimator from the context when given a function", () => {
    const l = bandedMatrix(90, 3, 12, mulberry32(6), true);
    const hook = fda({ method: "matrix-free", rows: (ctx) => ({ probing: { bandwidth: 3, periodic: ctx.n === 90 } }) });
    const cert = hook.certify(context(l, dtype));
    expect(cert.diagnostics.rows).toBe("probed");
    expect(cert.diagnostics.probingValid).toBe(true);
    expect(cert.pass).toBe(true);
  });

  it("notes an asymmetric L_apply and certifies its symmetric part", () => {
    const l = bandedMatrix(30, 1, 10, mulberry32(7));
    l.a[1] += 0.5; // L_01 ≠ L_10
    const cert = fda().certify(context(l, dtype));
    expect(cert.diagnostics.asymmetry).toBeGreaterThan(1e-2);
    expect(cert.reasons.some((r) => /^note: L_apply is not symmetric \(relative asymmetry .*\); certificates use \(L \+ Lᵀ\)\/2$/.test(r))).toBe(true);
  });
});

describe.each(DTYPES as Dtype[])("a sampled η_dd never certifies on its own (%s)", (dtype) => {
  // diagonally dominant except one row: 200 rows, the matrix-free path samples 8 of them
  function oneBadRow(): Mat {
    const l = bandedMatrix(200, 1, 10, mulberry32(9));
    const n = l.rows;
    const bad = 137;
    // row/column `bad` couples strongly to its neighbours (kept symmetric and positive definite)
    for (const j of [bad - 1, bad + 1]) {
      l.a[bad * n + j] = 4;
      l.a[j * n + bad] = 4;
    }
    l.a[bad * n + bad] = 6;
    return l;
  }
  const options = { exactThreshold: 16, rows: { sampleRows: 8 } };

  it("escalates to every row when the sample would pass, and then fails on the bad row", () => {
    const l = oneBadRow();
    const hook = fda(options);
    const sampled = hook.estimate(context(l, dtype));
    expect(sampled.rows).toBe("sampled");
    const cert = hook.certify(context(l, dtype));
    expect(cert.method).toBe("matrix-free");
    expect(cert.diagnostics.etaVerified).toBe(true);
    expect(cert.etaDD).toBeGreaterThan(1);
    expect(cert.pass).toBe(false);
    if (sampled.etaDD <= 0.9) expect(cert.diagnostics.etaRows).toMatch(/escalated/);
  });

  it("fails closed when the rows are too many to compute exactly", () => {
    const l = bandedMatrix(200, 1, 10, mulberry32(9));
    const cert = fda({ ...options, exactRowsLimit: 50 }).certify(context(l, dtype));
    expect(cert.pass).toBe(false);
    expect(cert.reasons.join(" ")).toMatch(/lower bound.*fail closed/);
    // with the limit above the size, the same operator certifies (every row exactly)
    const ok = fda({ ...options, exactRowsLimit: 200 }).certify(context(l, dtype));
    expect(ok.pass).toBe(true);
    expect(ok.diagnostics.etaVerified).toBe(true);
  });
});
