import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { SpecLintError } from "../src/compiler/lint-error.js";
import { DTYPES } from "../src/dtype.js";
import { defineFlow } from "../src/spec/define.js";
import { mulberry32, randn } from "@cflow/test-kit";

const n = 64;
const rand = mulberry32(3);
const y = Array.from({ length: n }, (_, i) => (i < 20 ? 1 : 0) + 0.05 * randn(rand));

const spec = defineFlow(({ dtype }) => ({
  name: "compile-test",
  dtype,
  state: { x: { shape: [n], init: { data: "y" } } },
  data: { y: dtype === "float64" ? Float64Array.from(y) : Float32Array.from(y), d: new Array(n).fill(0).map((_, i) => 1 + i / n) },
  ops: { D: { type: "diagonal", diag: "d" } },
  transforms: { W: { name: "haar", levels: 3 } },
  terms: [
    { kind: "data" as const, atom: "leastSquares", op: "D", target: "y", units: "e" },
    { kind: "regularizer" as const, atom: "tikhonov", weight: 0.25, units: "e" },
    { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: 0.01, units: "e" },
  ],
  policies: { flow: { family: "accelerated" }, lens: { candidates: ["haar", "db2", "db4"] } },
}));

describe.each(DTYPES)("compileFlow (%s)", (dtype) => {
  it("builds f, g and W, sums smooth terms, takes β from the ops' analytic norms", () => {
    const { compiled, report } = compileFlow(spec, { dtype });
    expect(compiled.dtype).toBe(dtype);
    expect(compiled.n).toBe(n);
    expect(report.split).toEqual({ f: ["leastSquares#0", "tikhonov#1"], g: ["waveletL1#2"] });
    // β = ‖D‖² + 0.25 with ‖D‖ = max d = 1 + 63/64
    expect(report.lipschitzMethod).toBe("analytic");
    expect(report.lipschitz).toBeCloseTo((1 + 63 / 64) ** 2 + 0.25, dtype === "float64" ? 12 : 5);
    expect(report.alpha).toBeCloseTo(1 / report.lipschitz, 12);
    // the lens picked one of the candidates and the W-space term uses it
    expect(["haar", "db2", "db4"]).toContain(report.lensName);
    expect(compiled.lens?.scores.map((s) => s.name).sort()).toEqual(["db2", "db4", "haar"]);
    expect(compiled.W?.name).toContain(report.lensName!);
    expect(report.frameType).toBe("unitary");
    expect(report.transformValidation).toHaveLength(1);
    expect(report.transformValidation[0].pass).toBe(true);
    // unit table: each term's energy at x0 = y
    const rows = report.unitNormalizationTable;
    expect(rows.map((r) => r.atom)).toEqual(["leastSquares", "tikhonov", "waveletL1"]);
    const x0 = compiled.x0;
    let ls = 0;
    let tk = 0;
    for (let i = 0; i < n; i++) {
      ls += 0.5 * ((1 + i / n) * x0[i] - x0[i]) ** 2;
      tk += 0.125 * x0[i] * x0[i];
    }
    const tol = dtype === "float64" ? 1e-12 : 1e-5;
    expect(Math.abs(rows[0].energy - ls) / ls).toBeLessThan(tol);
    expect(Math.abs(rows[1].energy - tk) / tk).toBeLessThan(tol);
    expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 12);
    // fGrad = Dᵀ(Dx − y) + 0.25x
    const g = compiled.fGrad(x0);
    for (let i = 0; i < n; i++) {
      const d = 1 + i / n;
      expect(Math.abs(g[i] - (d * (d * x0[i] - x0[i]) + 0.25 * x0[i]))).toBeLessThan(tol * 10);
    }
    // gProx in W-space is soft-thresholding of the details, not of the approximation band
    const u = compiled.W!.forward(x0);
    const p = compiled.gProx(u, 2);
    const approx = compiled.W!.bands[0];
    for (let i = 0; i < u.length; i++) {
      const inApprox = i < approx.offset + approx.shape.reduce((a, b) => a * b, 1);
      const want = inApprox ? u[i] : Math.sign(u[i]) * Math.max(Math.abs(u[i]) - 0.02, 0);
      expect(Math.abs(p[i] - want)).toBeLessThan(tol * 10);
    }
    // L_apply is the Hessian DᵀD + 0.25 I
    const v = compiled.x0.map((_, i) => Math.cos(i));
    const out = v.slice();
    compiled.L_apply(v, out);
    for (let i = 0; i < n; i++) expect(Math.abs(out[i] - ((1 + i / n) ** 2 + 0.25) * v[i])).toBeLessThan(tol * 10);
    compiled.dispose();
  });

  it("refuses a RED spec with its findings, and a dtype the spec does not allow", () => {
    const bad = { ...spec({ dtype, seed: 0, params: {} }), terms: [{ kind: "data", atom: "leastSquare", target: "y" }] };
    try {
      compileFlow(bad as never, { dtype });
      expect.fail("compiled a RED spec");
    } catch (err) {
      expect(err).toBeInstanceOf(SpecLintError);
      const e = err as SpecLintError;
      expect(e.code).toBe("SPEC_LINT_FAIL");
      expect(e.findings.some((f) => f.path === "terms[0].atom")).toBe(true);
      expect(e.message).toMatch(/did you mean "leastSquares"/);
    }
    const fixed = { ...spec({ dtype, seed: 0, params: {} }), dtype };
    expect(() => compileFlow(fixed, { dtype: dtype === "float64" ? "float32" : "float64" })).toThrow(/dtype mismatch/);
  });
});
