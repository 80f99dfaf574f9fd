import { ShapeError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { SE3, se3Factory } from "../src/se3.js";
import { SO3 } from "../src/so3.js";
import { det3, frob, gramError } from "./helpers.js";
import { manifoldProperties } from "./properties.js";
import { expectBelow, mulberry32, randn, relDiff } from "@cflow/test-kit";

const block = (x: ArrayLike<number>) => Float64Array.from([0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => x[4 * i + j])));
const offSE3 = (x: ArrayLike<number>) => {
  const r = block(x);
  return gramError(r, 3, 3) + Math.abs(det3(r) - 1) + Math.hypot(x[12], x[13], x[14], x[15] - 1);
};

describe("se3", () => {
  manifoldProperties(se3Factory, { shape: [4, 4], offManifold: offSE3, far: 2.5, parallel: true });

  it("is the product SO(3) × R³: rotation block as SO(3), translation as Euclidean", () => {
    const m = new SE3({ shape: [4, 4], dtype: "float64" });
    const so3 = new SO3({ shape: [3, 3], dtype: "float64" });
    const rand = mulberry32(3);
    for (let s = 0; s < 10; s++) {
      const x = m.project(Float64Array.from({ length: 16 }, () => randn(rand)));
      const y = m.project(Float64Array.from({ length: 16 }, () => randn(rand)));
      const v = m.projTangent(x, Float64Array.from({ length: 16 }, () => randn(rand)));
      const e = m.exp(x, v);
      expectBelow(relDiff(block(e), so3.exp(block(x), block(v))), 1e-15, "rotation block of exp");
      for (let i = 0; i < 3; i++) expectBelow(Math.abs(e[4 * i + 3] - x[4 * i + 3] - v[4 * i + 3]), 1e-15, "translation of exp");
      expect(Array.from(e.subarray(12))).toEqual([0, 0, 0, 1]);
      const l = m.log(x, y);
      expectBelow(relDiff(block(l), so3.log(block(x), block(y))), 1e-15, "rotation block of log");
      expect(Array.from(l.subarray(12))).toEqual([0, 0, 0, 0]);
      const dt = Math.hypot(y[3] - x[3], y[7] - x[7], y[11] - x[11]);
      expectBelow(Math.abs(m.dist(x, y) - Math.hypot(so3.dist(block(x), block(y)), dt)), 1e-14, "dist² = dist²_SO3 + ‖Δt‖²");
    }
  });

  it("measures a wrong bottom row in its residual and rejects non-4×4 shapes", () => {
    const m = new SE3({ shape: [4, 4], dtype: "float64" });
    const x = Float64Array.of(1, 0, 0, 1, 0, 1, 0, 2, 0, 0, 1, 3, 0, 0.5, 0, 1);
    expect(m.residual(x)).toBeCloseTo(0.5, 15);
    expectBelow(offSE3(m.project(x)), 1e-15, "project resets the bottom row");
    expect(frob(m.project(x).subarray(0, 12)) > 0).toBe(true);
    expect(() => se3Factory.create({ shape: [3, 4], dtype: "float32" })).toThrow(ShapeError);
  });
});
