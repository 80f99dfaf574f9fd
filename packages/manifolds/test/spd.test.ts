import { CflowError, ShapeError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { SPD, spdFactory } from "../src/spd.js";
import { choleskyPositive, expmSeries, mm, tr } from "./helpers.js";
import { manifoldProperties } from "./properties.js";
import { expectBelow, mulberry32, randn, relDiff } from "@cflow/test-kit";

const offSPD = (n: number) => (x: ArrayLike<number>) => {
  let asym = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) asym = Math.max(asym, Math.abs(x[i * n + j] - x[j * n + i]));
  return choleskyPositive(x, n) ? asym : Infinity;
};

function randomSym(n: number, rand: () => number, scale = 1): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = scale * randn(rand);
  return a;
}

describe("spd", () => {
  manifoldProperties(spdFactory, { shape: [4, 4], offManifold: offSPD(4), far: 1.5, step: 0.05, parallel: true, float32Scale: 10 });

  const n = 3;
  const m = new SPD({ shape: [n, n], dtype: "float64" });
  const I = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

  it("at the identity, exp is the matrix exponential and log inverts it", () => {
    const rand = mulberry32(1);
    for (let s = 0; s < 5; s++) {
      const v = randomSym(n, rand, 0.7);
      const e = m.exp(I, v);
      expectBelow(relDiff(e, expmSeries(v, n)), 1e-14, "exp_I(V) − expm(V)");
      expectBelow(relDiff(m.log(I, e), v), 1e-13, "log_I(expm V) − V");
    }
  });

  it("is affine-invariant: log_{AXAᵀ}(AYAᵀ) = A log_X(Y) Aᵀ and distances agree", () => {
    const rand = mulberry32(2);
    for (let s = 0; s < 5; s++) {
      const a = Array.from({ length: n * n }, () => randn(rand));
      const x = m.exp(I, randomSym(n, rand, 0.5));
      const y = m.exp(I, randomSym(n, rand, 0.5));
      const act = (z: ArrayLike<number>) => Float64Array.from(mm(mm(a, z, n, n, n), tr(a, n, n), n, n, n));
      expectBelow(relDiff(m.log(act(x), act(y)), act(m.log(x, y))), 1e-12, "log equivariance");
      expectBelow(Math.abs(m.dist(act(x), act(y)) - m.dist(x, y)), 1e-12, "dist invariance");
    }
  });

  it("matches the scalar case SPD(1): dist = |log(y/x)|, exp_x(v) = x e^{v/x}", () => {
    const m1 = new SPD({ shape: [1, 1], dtype: "float64" });
    expectBelow(Math.abs(m1.dist(Float64Array.of(2), Float64Array.of(7)) - Math.log(3.5)), 1e-15, "dist");
    expectBelow(Math.abs(m1.exp(Float64Array.of(2), Float64Array.of(3))[0] - 2 * Math.exp(1.5)), 1e-14, "exp");
    expectBelow(Math.abs(m1.metric(Float64Array.of(2), Float64Array.of(3), Float64Array.of(5)) - 15 / 4), 2e-15, "metric u v / x²");
  });

  it("puts the geodesic midpoint of commuting matrices at their geometric mean", () => {
    const x = Float64Array.of(1, 0, 0, 0, 4, 0, 0, 0, 9);
    const y = Float64Array.of(16, 0, 0, 0, 1, 0, 0, 0, 0.25);
    const mid = m.exp(x, m.log(x, y).map((v) => v / 2));
    expectBelow(relDiff(mid, [4, 0, 0, 0, 2, 0, 0, 0, 1.5]), 1e-15, "X # Y");
  });

  it("egradToRgrad is X G X and the retraction stays positive definite for large steps", () => {
    const rand = mulberry32(3);
    const x = m.random([1, 2]);
    const g = randomSym(n, rand);
    expectBelow(relDiff(m.egradToRgrad(x, g), mm(mm(x, g, n, n, n), x, n, n, n)), 1e-15, "X G X");
    for (const k of [-0.9, -10, -1e3]) {
      const r = m.retract(x, x.map((v) => k * v));
      expect(offSPD(n)(r)).toBeLessThan(1e-12);
      expectBelow(relDiff(r, x.map((v) => v * (1 + k + (k * k) / 2))), 1e-14, "X + V + ½VX⁻¹V at V = kX");
    }
  });

  it("rejects points that are not positive definite by operation, and projects them", () => {
    const bad = Float64Array.of(1, 2, 0, 2, 1, 0, 0, 0, 1);
    expect(() => m.log(bad, I)).toThrow(CflowError);
    expect(() => m.log(bad, I)).toThrow(/spd\.log: expected a symmetric positive definite matrix, found smallest eigenvalue -(1\b|0\.99999)/);
    expect(() => m.metric(bad, I, I)).toThrow(/spd\.metric/);
    const p = m.project(bad);
    expect(offSPD(n)(p)).toBeLessThan(1e-12);
    expect(m.residual(bad)).toBeCloseTo(1, 12);
    expect(() => spdFactory.create({ shape: [3, 4], dtype: "float64" })).toThrow(ShapeError);
  });
});
