import { CflowError, ShapeError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { Sphere, sphereFactory } from "../src/sphere.js";
import { frob } from "./helpers.js";
import { manifoldProperties } from "./properties.js";
import { expectBelow } from "@cflow/test-kit";

describe("sphere", () => {
  manifoldProperties(sphereFactory, {
    shape: [7],
    offManifold: (x) => Math.abs(frob(x) - 1),
    far: 2.5,
    parallel: true,
  });

  it("follows great circles: exp(e₀, θe₁) = (cos θ, sin θ, 0) and log inverts it up to θ → π", () => {
    const m = new Sphere({ shape: [3], dtype: "float64" });
    const x = Float64Array.of(1, 0, 0);
    for (const theta of [1e-12, 1e-5, 0.3, 1, 2, 3, Math.PI - 1e-6]) {
      const y = m.exp(x, Float64Array.of(0, theta, 0));
      expectBelow(Math.abs(y[0] - Math.cos(theta)) + Math.abs(y[1] - Math.sin(theta)) + Math.abs(y[2]), 4e-16, `exp at θ = ${theta}`);
      const l = m.log(x, y);
      expectBelow(Math.abs(l[1] - theta) / theta + Math.abs(l[0]) + Math.abs(l[2]), theta > 3 ? 1e-10 : 1e-15, `log at θ = ${theta}`);
      expectBelow(Math.abs(m.dist(x, y) - theta) / theta, theta > 3 ? 1e-10 : 1e-15, `dist at θ = ${theta}`);
    }
  });

  it("gives a log of length π for antipodal points and refuses to transport between them", () => {
    const m = new Sphere({ shape: [3], dtype: "float64" });
    const x = Float64Array.of(0.6, 0.8, 0);
    const l = m.log(x, Float64Array.of(-0.6, -0.8, 0));
    expectBelow(Math.abs(frob(l) - Math.PI), 1e-15, "‖log‖ − π");
    expectBelow(Math.abs(l[0] * x[0] + l[1] * x[1]), 1e-15, "log tangent");
    expect(() => m.transport(x, Float64Array.of(-0.6, -0.8, 0), Float64Array.of(0, 0, 1))).toThrow(/sphere\.transport: x and y are antipodal/);
  });

  it("transports along a great circle by the rotation of that circle's plane", () => {
    // Rotation about e₂ by θ carries e₀ → (cos θ, 0, sin θ)… in the (e₀, e₁) plane here: the
    // tangent e₁ at e₀ goes to (−sin θ, cos θ, 0) at (cos θ, sin θ, 0); e₂ is fixed.
    const m = new Sphere({ shape: [3], dtype: "float64" });
    const theta = 1.1;
    const x = Float64Array.of(1, 0, 0);
    const y = Float64Array.of(Math.cos(theta), Math.sin(theta), 0);
    const t1 = m.transport(x, y, Float64Array.of(0, 1, 0));
    expectBelow(Math.abs(t1[0] + Math.sin(theta)) + Math.abs(t1[1] - Math.cos(theta)) + Math.abs(t1[2]), 1e-15, "e₁ transported");
    const t2 = m.transport(x, y, Float64Array.of(0, 0, 1));
    expectBelow(Math.abs(t2[0]) + Math.abs(t2[1]) + Math.abs(t2[2] - 1), 1e-15, "e₂ transported");
  });

  it("works on arrays of any shape and rejects fewer than two entries or a zero projection", () => {
    const m = new Sphere({ shape: [2, 3], dtype: "float32" });
    expect(m.dim).toBe(5);
    expect(() => new Sphere({ shape: [1], dtype: "float64" })).toThrow(ShapeError);
    expect(() => m.project(new Float32Array(6))).toThrow(CflowError);
  });
});
