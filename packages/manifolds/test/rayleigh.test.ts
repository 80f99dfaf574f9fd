// Reference problem 4a (docs/design.md §7): the leading eigenvector of a symmetric matrix as the
// minimiser of the Rayleigh quotient −xᵀAx on the unit sphere, by plain Riemannian gradient
// descent written here (egrad → egradToRgrad → retract), against a dense eigen-solver.
import { DTYPES, type Dtype, rngKey } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { symmetricEigen } from "@cflow/core/linalg";
import { Sphere } from "../src/sphere.js";
import { dot, mulberry32, randn } from "@cflow/test-kit";

describe.each(DTYPES)("Rayleigh quotient on the sphere (%s)", (dtype: Dtype) => {
  it("finds the leading eigenvector of a random symmetric 20×20 matrix", () => {
    const n = 20;
    const rand = mulberry32(2024);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = randn(rand);
    const { values, vectors } = symmetricEigen(a, n);
    const vStar = Array.from({ length: n }, (_, i) => vectors[i * n + n - 1]);
    const lMax = values[n - 1];

    const m = new Sphere({ shape: [n], dtype });
    const x = m.random(rngKey(7));
    const egrad = m.random(rngKey(8)); // scratch of the run's dtype
    const step = 1 / (2 * (values[n - 1] - values[0])); // 1/L for f(x) = −xᵀAx
    const tol = dtype === "float64" ? 1e-13 : 1e-6;
    let iterations = 0;
    for (; iterations < 20_000; iterations++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
        egrad[i] = -2 * s;
      }
      const g = m.egradToRgrad(x, egrad);
      if (Math.sqrt(m.metric(x, g, g)) < tol) break;
      m.retract(x, g.map((q) => -step * q) as typeof g, x);
    }
    expect(iterations).toBeLessThan(20_000);
    const overlap = Math.abs(dot(x, vStar));
    expect(overlap).toBeGreaterThan(dtype === "float64" ? 1 - 1e-10 : 1 - 1e-6);
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q += x[i] * a[i * n + j] * x[j];
    expect(Math.abs(q - lMax) / Math.abs(lMax)).toBeLessThan(dtype === "float64" ? 1e-13 : 1e-6);
  });
});
