import { type Certificate, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { defaultProfile, defineProfile, evaluateProfile, evidenceFromCertificate, fda, invariantDrift, physicsResidual, runCard } from "../src/index.js";
import { bandedMatrix, denseLApply } from "./helpers.js";
import { mulberry32 } from "@cflow/test-kit";

function certificate(): Certificate {
  const l = bandedMatrix(30, 1, 10, mulberry32(1));
  return fda().certify({ L_apply: denseLApply(l), n: 30, dtype: "float64", W: null, coefficients: null, gates: { etaMax: 0.9, gammaMin: 1e-6 }, key: rngKey(1) });
}

describe("certification profile", () => {
  it("evaluates the default profile on a certificate: gates pass, unmeasured optional checks are reported", () => {
    const cert = certificate();
    const verdicts = evaluateProfile(defaultProfile(), { ...evidenceFromCertificate(cert), descent_violation_max: 0 });
    expect(verdicts.map((v) => v.check)).toEqual(["eta_dd", "gamma", "descent_violation_max", "invariant_drift_max", "phi_residual"]);
    expect(verdicts.every((v) => v.pass)).toBe(true);
    expect(verdicts[0]).toMatchObject({ value: cert.etaDD, threshold: 0.9, op: "<=" });
    expect(verdicts[0].reason).toMatch(/^eta_dd = 0\.\d+ ≤ 0\.9000$/);
    expect(verdicts[3]).toMatchObject({ pass: true, value: null, reason: "not measured (optional)" });
  });

  it("fails violated, NaN and missing required checks with reasons", () => {
    const p = defaultProfile({ etaMax: 0.5, invariantTol: 1e-8 });
    const v = evaluateProfile(p, { eta_dd: 0.7, gamma: Number.NaN, invariant_drift_max: 3e-6, phi_residual: 1e-4 });
    expect(v.map((x) => x.pass)).toEqual([false, false, true, false, true]);
    expect(v[0].reason).toBe("eta_dd = 0.7000 violates ≤ 0.5000 (diagonal dominance of the (restricted) core operator)");
    expect(v[1].value).toBeNull();
    expect(v[1].reason).toMatch(/^gamma = NaN violates ≥ 1\.000e-6/);
    expect(v[3].reason).toMatch(/invariant_drift_max = 3\.000e-6 violates ≤ 1\.000e-8/);
    const missing = evaluateProfile(p, {});
    expect(missing[0]).toMatchObject({ pass: false, value: null });
    expect(missing[0].reason).toMatch(/not measured: eta_dd is required/);
  });

  it("reads a metric under another name and validates profiles", () => {
    const p = defineProfile({ name: "strict", checks: [{ check: "gap", metric: "gamma", op: ">=", threshold: 0.5 }] });
    expect(evaluateProfile(p, { gamma: 0.4 })[0]).toMatchObject({ check: "gap", pass: false, value: 0.4 });
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => defineProfile({ name: "", checks: [] })).toThrow(/non-empty name/);
    expect(() => defineProfile({ name: "x", checks: [] })).toThrow(/has no checks/);
    expect(() => defineProfile({ name: "x", checks: [{ check: "a", op: "<=", threshold: 1 }, { check: "a", op: "<=", threshold: 2 }] })).toThrow(/checks\[1\] repeats the check "a"/);
    expect(() => defineProfile({ name: "x", checks: [{ check: "a", op: "<" as "<=", threshold: 1 }] })).toThrow(/op is "<"; expected "<=" or ">="/);
    expect(() => defineProfile({ name: "x", checks: [{ check: "a", op: "<=", threshold: Number.NaN }] })).toThrow(/threshold is NaN/);
  });

  it("builds run_card.json from the evaluations at GREEN and at the end", () => {
    const p = defaultProfile();
    const green = { stage: "GREEN", iter: 12, verdicts: evaluateProfile(p, { eta_dd: 0.3, gamma: 0.1 }) };
    const end = { stage: "END", iter: 200, verdicts: evaluateProfile(p, { eta_dd: 0.3, gamma: 0.1, descent_violation_max: 2e-3 }) };
    const card = runCard(p, [green, end]) as { profile: string; pass: boolean; evaluations: { stage: string; pass: boolean }[]; checks: unknown[] };
    expect(card.profile).toBe("default");
    expect(card.checks).toHaveLength(5);
    expect(card.evaluations.map((e) => [e.stage, e.pass])).toEqual([
      ["GREEN", true],
      ["END", false],
    ]);
    expect(card.pass).toBe(false);
    expect(JSON.parse(JSON.stringify(card))).toEqual(card);
    expect((runCard(p, [green]) as { pass: boolean }).pass).toBe(true);
    expect((runCard(p, []) as { pass: boolean }).pass).toBe(false);
  });
});

describe("invariant drift and physics residual", () => {
  it("takes the largest drift of invariants and residual of constraints", () => {
    const x0 = Float64Array.from([3, 4]);
    const x = Float64Array.from([3, 4.1]);
    const norm = (v: Float64Array | Float32Array) => Math.hypot(v[0], v[1]);
    const d = invariantDrift(x0, x, {
      invariants: [
        { name: "sum", value: (v) => v[0] + v[1] },
        { name: "norm_rel", value: norm, relative: true },
      ],
      constraints: [{ name: "unit_circle", residual: (v) => norm(v) - 1 }],
    });
    expect(d.values.sum).toBeCloseTo(0.1, 12);
    expect(d.values.norm_rel).toBeCloseTo((Math.hypot(3, 4.1) - 5) / 5, 12);
    expect(d.values.unit_circle).toBeCloseTo(Math.hypot(3, 4.1) - 1, 12);
    expect(d.max).toBe(d.values.unit_circle);
    expect(d.worst).toBe("unit_circle");
    expect(invariantDrift(x0, Float64Array.from([Number.NaN, 0]), { invariants: [{ name: "sum", value: (v) => v[0] + v[1] }] }).max).toBe(Infinity);
    expect(() => invariantDrift(x0, x, { invariants: [{ name: "a", value: () => 0 }], constraints: [{ name: "a", residual: () => 0 }] })).toThrow(/two quantities are named "a"/);
    expect(invariantDrift(x0, x, {})).toEqual({ max: 0, worst: null, values: {} });
  });

  it("measures the O(Δt²) energy drift of Störmer–Verlet on a harmonic oscillator", () => {
    const energy = { name: "H", value: (s: Float64Array | Float32Array) => 0.5 * (s[0] * s[0] + s[1] * s[1]) };
    const drift = (dt: number) => {
      const s0 = Float64Array.from([1, 0]);
      const s = Float64Array.from(s0);
      let max = 0;
      for (let t = 0; t < 10 / dt; t++) {
        s[1] -= 0.5 * dt * s[0];
        s[0] += dt * s[1];
        s[1] -= 0.5 * dt * s[0];
        max = Math.max(max, invariantDrift(s0, s, { invariants: [energy] }).max);
      }
      return max;
    };
    const ratio = drift(0.1) / drift(0.05);
    expect(ratio).toBeGreaterThan(3.8);
    expect(ratio).toBeLessThan(4.2);
  });

  it("physics residual ‖r(x)‖ / reference in l2 and l∞", () => {
    const r = (x: Float64Array | Float32Array) => [x[0] - 1, 2 * x[1], -3];
    const x = Float64Array.from([4, 2]);
    expect(physicsResidual(r, x)).toBeCloseTo(Math.sqrt(9 + 16 + 9), 12);
    expect(physicsResidual(r, x, { norm: "linf", reference: 2 })).toBe(2);
    expect(physicsResidual(() => [1, Number.NaN], x)).toBe(Infinity);
    expect(() => physicsResidual(r, x, { reference: 0 })).toThrow(/reference must be finite and > 0, found 0/);
  });
});
