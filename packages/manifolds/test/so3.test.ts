import { ShapeError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { SO3, so3Factory } from "../src/so3.js";
import { det3, frob, gramError, mm } from "./helpers.js";
import { manifoldProperties } from "./properties.js";
import { dot, expectBelow, mulberry32, randn } from "@cflow/test-kit";

/** exp of a 3×3 matrix by its Taylor series with scaling and squaring, written independently here. */
function expmSeries(a: number[]): number[] {
  const s = 6;
  const x = a.map((v) => v / 2 ** s);
  let term = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  let sum = term.slice();
  for (let k = 1; k < 25; k++) {
    term = mm(term, x, 3, 3, 3).map((v) => v / k);
    sum = sum.map((v, i) => v + term[i]);
  }
  for (let k = 0; k < s; k++) sum = mm(sum, sum, 3, 3, 3);
  return sum;
}

function hat(w: number[]): number[] {
  return [0, -w[2], w[1], w[2], 0, -w[0], -w[1], w[0], 0];
}

const offSO3 = (r: ArrayLike<number>) => gramError(r, 3, 3) + Math.abs(det3(r) - 1);

describe("so3", () => {
  manifoldProperties(so3Factory, { shape: [3, 3], offManifold: offSO3, far: 2.5, parallel: true });

  const m = new SO3({ shape: [3, 3], dtype: "float64" });
  const I = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

  it("exp at I matches the matrix exponential of ω̂ from small angles to near π", () => {
    const rand = mulberry32(5);
    for (const theta of [1e-12, 1e-7, 1e-4, 1e-3, 0.5, 2, Math.PI - 1e-3]) {
      const axis = [randn(rand), randn(rand), randn(rand)];
      const w = axis.map((a) => (a * theta) / frob(axis));
      const e = m.exp(I, Float64Array.from(hat(w)));
      expectBelow(frob(e.map((v, i) => v - expmSeries(hat(w))[i])), 1e-14, `Rodrigues vs series at θ = ${theta}`);
    }
  });

  it("log recovers the rotation vector near θ = 0 and near θ = π (relative precision)", () => {
    const rand = mulberry32(6);
    for (const theta of [1e-10, 1e-6, 1e-3, 1, 2.3, 2.4, 3, Math.PI - 1e-5, Math.PI - 1e-9]) {
      const axis = [randn(rand), randn(rand), randn(rand)];
      const w = axis.map((a) => (a * theta) / frob(axis));
      const r = Float64Array.from(expmSeries(hat(w)));
      const l = m.log(I, r);
      const got = [l[7], l[2], l[3]];
      expectBelow(frob(got.map((v, i) => v - w[i])) / theta, theta > 3 ? 1e-9 : 4e-15, `log at θ = ${theta}`);
      expectBelow(Math.abs(m.dist(I, r) - Math.SQRT2 * theta) / theta, 1e-12, `dist at θ = ${theta}`);
    }
  });

  it("log at exactly θ = π returns one of the two logarithms ±πk", () => {
    const k = [1 / 3, 2 / 3, 2 / 3];
    const r = Float64Array.from([0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => 2 * k[i] * k[j] - (i === j ? 1 : 0)))); // 2kkᵀ − I
    const l = m.log(I, r);
    const w = [l[7], l[2], l[3]];
    expectBelow(Math.abs(frob(w) - Math.PI), 1e-14, "‖ω‖ − π");
    expectBelow(1 - Math.abs(dot(w, k)) / Math.PI, 1e-14, "axis");
    expectBelow(frob(m.exp(I, l).map((v, i) => v - r[i])), 1e-14, "exp(log R) − R");
  });

  it("projects any 3×3 matrix to its nearest rotation, reflections and singular matrices included", () => {
    const rand = mulberry32(7);
    for (let s = 0; s < 20; s++) {
      const a = Float64Array.from({ length: 9 }, () => randn(rand));
      if (s === 0) a.set([1, 0, 0, 0, 1, 0, 0, 0, -1]); // a reflection
      if (s === 1) a.set([1, 2, 3, 2, 4, 6, 0, 1, 1]); // rank 2
      const r = m.project(a);
      expectBelow(offSO3(r), 1e-14, "projection is a rotation");
      const best = dot(r, a); // tr(RᵀA), which the nearest rotation maximises
      for (let t = 0; t < 30; t++) {
        const d = m.exp(r, m.projTangent(r, Float64Array.from({ length: 9 }, () => 0.05 * randn(rand))));
        expect(dot(d, a)).toBeLessThanOrEqual(best + 1e-12);
      }
    }
    expect(m.residual(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1))).toBeCloseTo(2, 14);
  });

  it("accepts only 3×3 shapes", () => {
    expect(() => so3Factory.create({ shape: [4, 4], dtype: "float64" })).toThrow(ShapeError);
    expect(() => so3Factory.create({ shape: [9], dtype: "float64" })).toThrow(/so3\.create: shape mismatch — expected \[3, 3\], found \[9\]/);
  });
});
