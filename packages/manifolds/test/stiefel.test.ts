import { CflowError, ShapeError, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { Sphere } from "../src/sphere.js";
import { Stiefel, stiefelFactory } from "../src/stiefel.js";
import { expmSeries, frob, gramError, mm, tr } from "./helpers.js";
import { manifoldProperties } from "./properties.js";
import { expectBelow, mulberry32, randomTangent, relDiff } from "@cflow/test-kit";

describe("stiefel", () => {
  manifoldProperties(stiefelFactory, { shape: [6, 3], offManifold: (x) => gramError(x, 6, 3), far: 1.5 });

  it("St(n, 1) is the sphere: exp, log and transport agree", () => {
    const st = new Stiefel({ shape: [5, 1], dtype: "float64" });
    const sp = new Sphere({ shape: [5], dtype: "float64" });
    const rand = mulberry32(1);
    for (let s = 0; s < 5; s++) {
      const x = sp.random(rngKey(s));
      const v = randomTangent(sp, x, rand, 2.5);
      const y = sp.exp(x, v);
      expectBelow(relDiff(st.exp(x, v), y), 1e-14, "exp");
      expectBelow(relDiff(st.log(x, y), v), 1e-12, "log");
      const a = randomTangent(sp, x, rand, 1);
      expectBelow(relDiff(st.transport(x, y, a), sp.transport(x, y, a)), 1e-14, "transport");
    }
  });

  it("St(n, n) is O(n), where the geodesic is X expm(XᵀV)", () => {
    const n = 4;
    const st = new Stiefel({ shape: [n, n], dtype: "float64" });
    const rand = mulberry32(2);
    const x = st.random(rngKey(3));
    const v = randomTangent(st, x, rand, 2);
    const want = mm(x, expmSeries(mm(tr(x, n, n), v, n, n, n), n), n, n, n);
    expectBelow(relDiff(st.exp(x, v), want), 1e-13, "exp on O(n)");
    expectBelow(relDiff(st.log(x, Float64Array.from(want)), v, 2), 1e-12, "log on O(n)");
  });

  it("exp follows a geodesic: Ÿ + Y(ẎᵀẎ) = 0 along t ↦ exp(x, tv)", () => {
    const [n, p] = [7, 3];
    const st = new Stiefel({ shape: [n, p], dtype: "float64" });
    const rand = mulberry32(4);
    const x = st.random(rngKey(5));
    const v = randomTangent(st, x, rand, 1.7);
    const h = 1e-3;
    for (const t of [0.3, 0.8]) {
      const at = (s: number) => st.exp(x, v.map((q) => q * s));
      const [ym, y0, yp] = [at(t - h), at(t), at(t + h)];
      const vel = ym.map((q, i) => (yp[i] - q) / (2 * h));
      const acc = ym.map((q, i) => (yp[i] - 2 * y0[i] + q) / (h * h));
      const rhs = mm(y0, mm(tr(vel, n, p), vel, p, n, p), n, p, p);
      // Central differences are exact to O(h²) ≈ 1e-6 times the fourth derivative.
      expectBelow(frob(acc.map((q, i) => q + rhs[i])), 1e-5, `geodesic equation residual at t = ${t}`);
      expectBelow(Math.abs(frob(vel) - frob(v)), 1e-6, "constant speed");
    }
  });

  it("log matches exp to 1e-12 across distances up to 2.5 and several shapes", () => {
    const rand = mulberry32(6);
    for (const [n, p] of [
      [4, 2],
      [5, 3],
      [9, 2],
      [12, 4],
    ]) {
      const st = new Stiefel({ shape: [n, p], dtype: "float64" });
      for (const size of [1e-4, 0.5, 1.5, 2.5]) {
        const x = st.random(rngKey(n * 100 + p));
        const v = randomTangent(st, x, rand, size);
        const y = st.exp(x, v);
        expectBelow(relDiff(st.exp(x, st.log(x, y)), y), 1e-12, `exp(log) St(${n}, ${p}) at ${size}`);
        expectBelow(relDiff(st.log(x, y), v, size), 1e-11, `log(exp) St(${n}, ${p}) at ${size}`);
      }
    }
  });

  it("throws a named error when log cannot reach y (a column flipped: no unique geodesic start)", () => {
    const st = new Stiefel({ shape: [4, 2], dtype: "float64" });
    const x = Float64Array.of(1, 0, 0, 1, 0, 0, 0, 0);
    const y = Float64Array.of(-1, 0, 0, 1, 0, 0, 0, 0);
    expect(() => st.log(x, y)).toThrow(CflowError);
    expect(() => st.log(x, y)).toThrow(/stiefel\.log: shooting did not reach y/);
    expect(() => st.transport(x, y, Float64Array.of(0, 1, -1, 0, 0, 0, 0, 0))).toThrow(/stiefel\.transport: column 0/);
  });

  it("rejects n < p and rank-deficient projections", () => {
    expect(() => stiefelFactory.create({ shape: [2, 3], dtype: "float64" })).toThrow(ShapeError);
    const st = new Stiefel({ shape: [3, 2], dtype: "float64" });
    expect(() => st.project(Float64Array.of(1, 2, 2, 4, 3, 6))).toThrow(/stiefel\.project: expected a matrix of full column rank 2/);
  });
});
