import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { GradientOp, gradientFactory } from "../src/ops/gradient.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

/** λ_max of the path-graph Laplacian on m nodes (DᵀD of the 1D Neumann differences). */
const pathLaplacianMax = (m: number) => 2 - 2 * Math.cos((Math.PI * (m - 1)) / m);

describe.each(DTYPES)("gradient op (%s)", (dtype) => {
  const rand = mulberry32(8);
  const rtol = dtype === "float64" ? 1e-12 : 1e-5;

  it.each([[[1]], [[17]], [[1000]], [[1, 9]], [[6, 1]], [[13, 21]]])("has the documented shapes and ⟨∇x, y⟩ = ⟨x, ∇ᵀy⟩, shape %j", (shape) => {
    const op = new GradientOp(dtype, shape);
    expect(op.kind).toBe("gradient");
    expect(op.outShape).toEqual(shape.length === 1 ? shape : [2, ...shape]);
    const x = randomArray(dtype, op.inSize, rand);
    const y = randomArray(dtype, op.outSize, rand);
    const gx = op.apply(x);
    const gty = op.adjoint(y);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < gx.length; i++) lhs += gx[i] * y[i];
    for (let i = 0; i < x.length; i++) rhs += x[i] * gty[i];
    expectScalarClose(lhs, rhs, rtol, rtol * Math.sqrt(op.outSize));
    // apply by the definition
    const [rows, cols] = shape.length === 1 ? [1, shape[0]] : shape;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const kk = i * cols + j;
        const along1 = j + 1 < cols ? x[kk + 1] - x[kk] : 0;
        if (shape.length === 1) expect(gx[kk]).toBeCloseTo(along1, 5);
        else {
          expect(gx[kk]).toBeCloseTo(i + 1 < rows ? x[kk + cols] - x[kk] : 0, 5);
          expect(gx[op.inSize + kk]).toBeCloseTo(along1, 5);
        }
      }
    }
    op.dispose();
  });

  it.each([[[40]], [[12, 9]]])("normHint bounds ‖∇‖, which power iteration on ∇ᵀ∇ finds at the Laplacian's analytic λ_max, shape %j", (shape) => {
    const op = new GradientOp(dtype, shape);
    const exact = shape.length === 1 ? pathLaplacianMax(shape[0]) : pathLaplacianMax(shape[0]) + pathLaplacianMax(shape[1]);
    let x = randomArray(dtype, op.inSize, rand);
    let est = 0;
    for (let it = 0; it < 3000; it++) {
      const y = op.adjoint(op.apply(x));
      let nrm = 0;
      for (const v of y) nrm += v * v;
      nrm = Math.sqrt(nrm);
      let xx = 0;
      for (const v of x) xx += v * v;
      est = nrm / Math.sqrt(xx);
      x = y.map((v) => v / nrm);
    }
    expectScalarClose(est, exact, dtype === "float64" ? 1e-6 : 1e-4);
    expect(op.normHint!).toBeGreaterThanOrEqual(Math.sqrt(exact));
    expect(op.normHint!).toBe(shape.length === 1 ? 2 : Math.sqrt(8));
    op.dispose();
  });

  it("is created by its factory and refuses bad shapes", () => {
    const op = gradientFactory.create({ shape: [4, 5] }, { dtype, data: {}, path: "ops.D" });
    expect(op.inShape).toEqual([4, 5]);
    expect(op.dtype).toBe(dtype);
    const x = randomArray(dtype, 20, rand);
    const direct = new GradientOp(dtype, [4, 5]);
    expectArrayClose(op.apply(x), direct.apply(x), 0);
    op.dispose();
    expect(() => gradientFactory.create({}, { dtype, data: {}, path: "ops.D" })).toThrow(/ops\.D\.shape: the gradient op needs the signal's shape/);
    expect(() => gradientFactory.create({ shape: [2, 3, 4] }, { dtype, data: {}, path: "ops.D" })).toThrow(/ops\.D\.shape: shape mismatch/);
    expect(() => new GradientOp(dtype, [0])).toThrow(/positive integer extents/);
    const other = dtype === "float64" ? new Float32Array(20) : new Float64Array(20);
    expect(() => direct.apply(other)).toThrow(/dtype mismatch/);
    direct.dispose();
  });
});
