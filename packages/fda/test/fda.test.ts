import { type CertificateContext, DTYPES, type Dtype, rngKey, type TransformOp } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { type CertTransform, DEFAULT_GATES, fda } from "../src/index.js";
import { bandedMatrix, blurNormalMatrix, denseLApply, denseTransform, haarMatrix, jacobiEigenvalues, type Mat, withSpectrum } from "./helpers.js";
import { logspace, mulberry32, zerosOf } from "@cflow/test-kit";

// The hook reads only the CertTransform part of the context's TransformOp, so dense test transforms stand in for it.
function context(l: Mat, dtype: Dtype, extra: Partial<Omit<CertificateContext, "W">> & { W?: CertTransform } = {}): CertificateContext {
  return { L_apply: denseLApply(l), n: l.rows, dtype, coefficients: null, gates: { ...DEFAULT_GATES }, key: rngKey(11), ...extra, W: (extra.W ?? null) as TransformOp | null };
}

describe.each(DTYPES as Dtype[])("fda hook (%s)", (dtype) => {
  it("passes a diagonally dominant, well-conditioned operator by Gershgorin, with no violations", () => {
    const l = bandedMatrix(60, 2, 20, mulberry32(1));
    const cert = fda().certify(context(l, dtype));
    expect(cert.pass).toBe(true);
    expect(cert.violations).toEqual([]);
    expect(cert.reasons).toEqual([]);
    expect(cert.method).toBe("exact");
    expect(cert.route).toBe("gershgorin");
    expect(cert.failureProbability).toBe(0);
    expect(cert.etaDD).toBeLessThan(0.9);
    expect(cert.gamma).toBeGreaterThan(0);
    expect(cert.gamma).toBeLessThanOrEqual(Math.min(...jacobiEigenvalues(l)));
    expect(cert.notes.some((n) => /^γ ≥ .*: Gershgorin lower bound, proven$/.test(n))).toBe(true);
    expect(cert.diagnostics.gates).toEqual({ etaMax: 6, gammaMin: 1e-6 });
    expect(cert.cost.applications).toBe(60);
    expect(JSON.parse(JSON.stringify(cert.diagnostics))).toBeTruthy();
  });

  it("fails the η gate with a structured violation, the scaled dominance and no γ", () => {
    const l = withSpectrum(logspace(0.5, 1, 30), mulberry32(2));
    const cert = fda().certify(context(l, dtype, { gates: { etaMax: 0.2, gammaMin: 1e-6 } }));
    expect(cert.pass).toBe(false);
    expect(cert.violations).toHaveLength(1);
    expect(cert.violations[0]).toMatchObject({ gate: "eta", threshold: 0.2 });
    expect(cert.violations[0].value).toBe(cert.etaDD);
    expect(cert.dominance).toBe("scaled");
    expect(cert.reasons[0]).toMatch(/^η_dd = [0-9.]+ \(optimally scaled: ρ\(D⁻¹\|L − D\|\) ≤ this\) > η_max = 0\.2000: L_W \(30×30\) is not diagonally dominant enough/);
    expect(Number.isNaN(cert.gamma)).toBe(true);
    // with the default η_max the same operator certifies, by a route past plain Gershgorin
    const ok = fda().certify(context(l, dtype));
    expect(ok.pass, ok.reasons.join("; ")).toBe(true);
    expect(ok.gamma).toBeLessThanOrEqual(0.5);
  });

  it("the naive deconvolution fails on γ; restricted to a coarse wavelet support it is certified", () => {
    const n = 64;
    const l = blurNormalMatrix(n, 2);
    const W = denseTransform(haarMatrix(n, 4), "unitary", 1, dtype, "haar");
    const hook = fda();
    const loose = { etaMax: 1e3, gammaMin: 1e-6 };
    const naive = hook.certify(context(l, dtype, { W, gates: loose }));
    expect(naive.pass).toBe(false);
    expect(naive.violations.map((v) => v.gate)).toContain("gamma");
    expect(naive.reasons.find((r) => r.startsWith("γ"))).toMatch(/< γ_min = 1\.000e-6: L_W \(64×64\) is \(near-\)singular — the smooth part alone/);
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
    const fine = hook.certify(context(l, dtype, { W, coefficients: u, gates: loose }));
    expect(fine.pass).toBe(false);
    expect(fine.reasons.join("\n")).toMatch(/restricted to the 36 active coefficients is \(near-\)singular — a larger λ shrinks the active set/);
  });

  it("matrix-free: a few sampled rows over the gate fail η_dd for certain, without running Lanczos", () => {
    const l = withSpectrum(logspace(1e-9, 1, 200), mulberry32(3));
    const cert = fda({ method: "matrix-free" }).certify(context(l, dtype));
    expect(cert.pass).toBe(false);
    expect(cert.route).toBe("none");
    expect(cert.cost.applications).toBe(8);
    expect(cert.violations[0].gate).toBe("eta");
  });

  it("matrix-free: a Ritz value below γ_min fails, and is said to be only an upper bound", () => {
    const l = withSpectrum(logspace(1e-9, 1, 200), mulberry32(3));
    const cert = fda({ method: "matrix-free", quick: false }).certify(context(l, dtype, { gates: { etaMax: 1e3, gammaMin: 1e-6 } }));
    expect(cert.pass).toBe(false);
    const g = cert.violations.find((v) => v.gate === "gamma")!;
    expect(g.message).toMatch(/θ_min = .* is only an upper bound of λ_min/);
  });

  it("matrix-free: passes γ once the Kuczyński–Woźniakowski bound clears γ_min, with the failure probability stated", () => {
    const l = withSpectrum(logspace(0.2, 1, 150), mulberry32(4));
    const cert = fda({ method: "matrix-free" }).certify(context(l, dtype, { gates: { etaMax: 100, gammaMin: 1e-3 } }));
    expect(cert.pass, cert.reasons.join("; ")).toBe(true);
    expect(["lanczos", "gershgorin"]).toContain(cert.route);
    if (cert.route === "lanczos") expect(cert.failureProbability).toBe(1e-6);
    expect(cert.gamma).toBeGreaterThanOrEqual(1e-3);
    expect(cert.gamma).toBeLessThanOrEqual(0.2);
    expect(cert.diagnostics.etaRows).toMatch(/escalated/);
  });

  it("an empty active set fails with a support violation; bad gates are rejected", () => {
    const l = bandedMatrix(20, 1, 5, mulberry32(5));
    const cert = fda().certify(context(l, dtype, { coefficients: zerosOf(dtype, 20) }));
    expect(cert.pass).toBe(false);
    expect(cert.violations[0]).toMatchObject({ gate: "support", value: 0 });
    expect(cert.reasons[0]).toMatch(/active set is empty/);
    expect(() => fda().certify(context(l, dtype, { gates: { etaMax: 0, gammaMin: 1e-6 } }))).toThrow(/η_max > 0 .* found η_max = 0/);
  });

  it("a NaN coefficient stays in the active set (one rule), and the certificate on it fails closed", () => {
    const l = bandedMatrix(20, 1, 5, mulberry32(5));
    const u = zerosOf(dtype, 20);
    u[3] = 1;
    u[7] = Number.NaN;
    const cert = fda().certify(context(l, dtype, { coefficients: u }));
    expect(cert.size).toBe(2);
  });

  it("takes the row estimator from the context when given a function", () => {
    const l = bandedMatrix(90, 3, 12, mulberry32(6), true);
    const hook = fda({ method: "matrix-free", rows: (ctx) => ({ probing: { bandwidth: 3, periodic: ctx.n === 90 } }) });
    const cert = hook.certify(context(l, dtype));
    expect(cert.diagnostics.rows).toBe("probed");
    expect(cert.diagnostics.probingValid).toBe(true);
  });
});

describe.each(DTYPES as Dtype[])("a sampled η_dd never certifies on its own (%s)", (dtype) => {
  // diagonally dominant except one row: 200 rows, the matrix-free stage samples 8 of them
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
  const options = { method: "matrix-free" as const, rows: { sampleRows: 8 } };
  const gates = { etaMax: 1, gammaMin: 1e-6 };

  it("escalates to every row when the sample would pass, and then fails on the bad row", () => {
    const l = oneBadRow();
    const cert = fda(options).certify(context(l, dtype, { gates }));
    expect(cert.method).toBe("matrix-free");
    expect(cert.etaDD).toBeGreaterThan(1);
    expect(cert.pass).toBe(false);
  });

  it("fails closed when the rows are too many to compute exactly", () => {
    const l = bandedMatrix(200, 1, 10, mulberry32(9));
    const cert = fda({ ...options, exactRowsLimit: 50 }).certify(context(l, dtype, { gates }));
    expect(cert.pass).toBe(false);
    expect(cert.violations.map((v) => v.gate)).toContain("rows");
    expect(cert.reasons.join(" ")).toMatch(/lower bound.*fail closed/);
    // with the limit above the size, the same operator certifies (every row exactly)
    const ok = fda({ ...options, exactRowsLimit: 200 }).certify(context(l, dtype, { gates }));
    expect(ok.pass).toBe(true);
  });
});
