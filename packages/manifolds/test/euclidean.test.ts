import { describe, expect, it } from "vitest";
import { ShapeError } from "@cflow/core";
import { Euclidean, euclideanFactory } from "../src/euclidean.js";
import { manifoldProperties } from "./properties.js";

describe("euclidean", () => {
  manifoldProperties(euclideanFactory, {
    shape: [3, 4],
    offManifold: (x) => (Array.from(x).every(Number.isFinite) ? 0 : Infinity),
  });

  it("is R^n: exp adds, log subtracts, dist is the 2-norm", () => {
    const m = new Euclidean({ shape: [3], dtype: "float64" });
    expect(Array.from(m.exp(Float64Array.of(1, 2, 3), Float64Array.of(0.5, -1, 2)))).toEqual([1.5, 1, 5]);
    expect(Array.from(m.log(Float64Array.of(1, 2, 3), Float64Array.of(0, 0, 0)))).toEqual([-1, -2, -3]);
    expect(m.dist(Float64Array.of(0, 0, 0), Float64Array.of(3, 4, 0))).toBe(5);
    expect(m.residual(Float64Array.of(1, NaN, 0))).toBe(Infinity);
    expect(m.dim).toBe(3);
  });

  it("rejects bad creation options with what was found", () => {
    expect(() => euclideanFactory.create({ shape: [0], dtype: "float64" })).toThrow(ShapeError);
    expect(() => euclideanFactory.create({ shape: [3], dtype: "int8" as never })).toThrow(/euclidean\.create: expected dtype "float32" or "float64", found "int8"/);
  });
});
