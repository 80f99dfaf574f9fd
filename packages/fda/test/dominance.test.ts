// η_dd and the optimally scaled dominance ρ(|J|) against dense truth: the plain η_dd bound sits at
// or just above the exact max-row ratio; ρ(|J|) (the largest eigenvalue of the symmetric
// D^{-1/2}|L − D|D^{-1/2}, similar to |J|) lies between the Collatz–Wielandt bounds, the upper one
// within 1% of it; the scaled Gershgorin route with that vector is a valid lower bound of λ_min.
import { describe, expect, it } from "vitest";
import { createTransform, DTYPES, type Dtype, gaussianKernel2d } from "@cflow/core";
import { convolutionGram, csrFromDense, dominance, gershgorinGamma, lambdaMaxUpper, type PeriodisedWavelet, type RestrictedMatrix, ShiftClassRows } from "../src/index.js";
import { bandedMatrix, jacobiEigenvalues, withSpectrum } from "./helpers.js";
import { denseRestricted, plainDwt } from "./restricted-problems.js";
import { logspace, mulberry32 } from "@cflow/test-kit";

function restricted(a: Float64Array, n: number, perturbation = 0): RestrictedMatrix {
  return { active: Int32Array.from({ length: n }, (_, i) => i), matrix: csrFromDense(a, n), perturbation, rowPerturbation: perturbation, parts: { dropped: 0, rounding: perturbation }, source: "exact rows", ms: 0 };
}

function truth(a: Float64Array, n: number): { eta: number; rho: number; lmin: number; lmax: number } {
  let eta = 0;
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      off += Math.abs(a[i * n + j]);
      s[i * n + j] = Math.abs(a[i * n + j]) / Math.sqrt(a[i * n + i] * a[j * n + j]);
    }
    eta = Math.max(eta, off / a[i * n + i]);
  }
  const rho = jacobiEigenvalues({ rows: n, cols: n, a: s })[n - 1];
  const ev = jacobiEigenvalues({ rows: n, cols: n, a });
  return { eta, rho, lmin: ev[0], lmax: ev[n - 1] };
}

describe("diagonal dominance, plain and optimally scaled", () => {
  it.each([
    ["dominant banded", () => bandedMatrix(80, 3, 6, mulberry32(1))],
    ["non-dominant banded", () => bandedMatrix(80, 6, 0.8, mulberry32(2))],
    ["dense with a known spectrum", () => withSpectrum(logspace(1e-3, 1, 60), mulberry32(3))],
  ])("%s", (_name, make) => {
    const m = make();
    const n = m.rows;
    for (let i = 0; i < n; i++) m.a[i * n + i] = Math.abs(m.a[i * n + i]) + 1e-3;
    const t = truth(m.a, n);
    const R = restricted(m.a, n);
    const d = dominance(R);
    expect(d.plain).toBeGreaterThanOrEqual(t.eta);
    expect(d.plain).toBeLessThan(t.eta * (1 + 1e-12));
    expect(d.scaledLower).toBeLessThanOrEqual(t.rho * (1 + 1e-12));
    expect(d.scaled).toBeGreaterThanOrEqual(t.rho);
    expect(d.scaled).toBeLessThan(t.rho * 1.01);
    expect(d.scaled).toBeLessThanOrEqual(d.plain * (1 + 1e-9));
    // scaled Gershgorin: a lower bound of λ_min, positive when ρ(|J|) < 1
    const g = gershgorinGamma(R, d.v);
    expect(g.gamma).toBeLessThanOrEqual(t.lmin);
    // the dominance's own |L̂ − D̂|v gives the same discs, bit for bit, without a pass over L̂
    expect(gershgorinGamma(R, d.v, d.offV).gamma).toBe(g.gamma);
    if (d.scaled < 1) expect(g.gamma).toBeGreaterThan(0);
    expect(gershgorinGamma(R).gamma).toBeLessThanOrEqual(t.lmin);
    expect(lambdaMaxUpper(R)).toBeGreaterThanOrEqual(t.lmax);
  });

  it("a warm start (the Perron vector of an overlapping matrix) keeps the bounds valid and settles them sooner", () => {
    const m = bandedMatrix(80, 6, 0.8, mulberry32(2));
    const n = 80;
    for (let i = 0; i < n; i++) m.a[i * n + i] = Math.abs(m.a[i * n + i]) + 1e-3;
    const t = truth(m.a, n);
    const cold = dominance(restricted(m.a, n));
    // the previous support's vector, perturbed, with entries it did not have (0, NaN) starting at 1
    const rand = mulberry32(5);
    const start = Float64Array.from(cold.v, (x, i) => (i % 17 === 0 ? 0 : i % 23 === 0 ? Number.NaN : x * (1 + 0.05 * rand())));
    const warm = dominance(restricted(m.a, n), { start });
    expect(warm.scaled).toBeGreaterThanOrEqual(t.rho);
    expect(warm.scaledLower).toBeLessThanOrEqual(t.rho * (1 + 1e-12));
    expect(warm.scaled).toBeLessThan(t.rho * 1.01);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    // a start that is far off still gives valid bounds
    const bad = dominance(restricted(m.a, n), { start: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1e-6 : 1)), maxIter: 3 });
    expect(bad.scaled).toBeGreaterThanOrEqual(t.rho);
    expect(bad.scaledLower).toBeLessThanOrEqual(t.rho * (1 + 1e-12));
  });

  it("deciding a gate well below ρ(|J|) stops early, on a bound that is still an upper bound", () => {
    const m = bandedMatrix(80, 6, 0.8, mulberry32(2));
    const n = 80;
    for (let i = 0; i < n; i++) m.a[i * n + i] = Math.abs(m.a[i * n + i]) + 1e-3;
    const t = truth(m.a, n);
    const full = dominance(restricted(m.a, n), { tol: 1e-9 });
    for (const gate of [0.5 * t.rho, 0.95 * t.rho]) {
      const d = dominance(restricted(m.a, n), { decide: gate, tol: 1e-9 });
      expect(d.scaled).toBeGreaterThanOrEqual(t.rho);
      expect(d.scaled).toBeGreaterThan(gate);
      expect(d.iterations).toBeLessThan(full.iterations);
    }
  });

  it("carries the perturbation of L_S into both bounds", () => {
    const m = bandedMatrix(50, 2, 5, mulberry32(4));
    const n = 50;
    const a = restricted(m.a, n, 0);
    const b = restricted(m.a, n, 1e-3);
    expect(dominance(b).plain).toBeGreaterThan(dominance(a).plain);
    expect(dominance(b).scaled).toBeGreaterThan(dominance(a).scaled);
    expect(gershgorinGamma(b).gamma).toBeCloseTo(gershgorinGamma(a).gamma - 1e-3, 12);
  });

  it.each(DTYPES)("bounds ρ(|J|) of the dense L_S (independent DWT and convolution) from shift-class rows, %s run, cold and warm", (dtype: Dtype) => {
    const shape = [32, 32];
    const taps = gaussianKernel2d(1, dtype);
    const W = createTransform("db2", { shape, levels: 2, dtype: "float64" }) as unknown as PeriodisedWavelet;
    const rows = ShiftClassRows.build(convolutionGram(taps, { shape }), W, { runDtype: dtype });
    const truthW = plainDwt("db2", shape, 2, dtype);
    const rand = mulberry32(dtype === "float64" ? 31 : 32);
    let previous: { S: Int32Array; v: Float64Array } | null = null;
    for (let trial = 0; trial < 3; trial++) {
      const S = Int32Array.from({ length: truthW.m }, (_, i) => i).filter((i) => (i < 64 ? rand() < 0.8 : rand() < 0.12));
      const n = S.length;
      const t = truth(denseRestricted(truthW, taps, shape, S), n);
      const R = rows.restrict(S);
      // the previous support's vector where it had the coefficient, else its median (as certificate-cache.ts starts it)
      const start = previous ? Float64Array.from(S, (i) => { const k = previous!.S.indexOf(i); return k >= 0 ? previous!.v[k] : 0.5; }) : undefined;
      for (const d of [dominance(R), dominance(R, { start }), dominance(R, { decide: 0.9 * t.rho, start })]) {
        expect(d.scaled).toBeGreaterThanOrEqual(t.rho);
        expect(d.plain).toBeGreaterThanOrEqual(t.eta);
        // the lower bound is of the stored L̂_S: within its perturbation of L_S's
        expect(d.scaledLower).toBeLessThanOrEqual(t.rho + 10 * R.rowPerturbation);
      }
      const full = dominance(R);
      expect(full.scaled).toBeLessThan(t.rho * 1.01);
      previous = { S, v: full.v };
      rows.release(R);
    }
  });
});
