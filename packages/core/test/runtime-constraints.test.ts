// Reference problem 3, constraints: box- and non-negativity-constrained least squares through
// every family that accepts them (proximal, accelerated with each restart, preconditioned), and
// the smooth ridge problem through every family including plain gradient descent. Truth:
// projected coordinate descent (exact one-dimensional minimisations) and the normal equations
// solved by Cholesky, written here.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { type Mat, boxCoordinateDescent, gaussianMatrix, matVec } from "./reference-solvers.js";
import { mulberry32 } from "@cflow/test-kit";

const rows = 60;
const cols = 40;
const rand = mulberry32(77);
// columns scaled by 1..3: a mildly badly scaled design, where the Jacobi preconditioner helps
const A: Mat = (() => {
  const g = gaussianMatrix(rows, cols, rand);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g.a[i * cols + j] *= 1 + (j % 5) / 2;
  return g;
})();
const b = Float64Array.from({ length: rows }, (_, i) => Math.sin(1.7 * i) + 0.5 * Math.cos(0.3 * i));
const mu = 1e-3;

function objective(x: ArrayLike<number>, withRidge: boolean): number {
  const r = matVec(A, x);
  let f = 0;
  for (let i = 0; i < rows; i++) f += (r[i] - b[i]) ** 2;
  let t = 0;
  for (let j = 0; j < cols; j++) t += x[j] * x[j];
  return 0.5 * f + (withRidge ? 0.5 * mu * t : 0);
}

/** argmin ½‖Ax − b‖² + ½μ‖x‖² from (AᵀA + μI)x = Aᵀb by Cholesky. */
function ridgeSolve(): Float64Array {
  const n = cols;
  const M = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < n; j++) {
      rhs[j] += A.a[i * n + j] * b[i];
      for (let k = 0; k < n; k++) M[j * n + k] += A.a[i * n + j] * A.a[i * n + k];
    }
  }
  for (let j = 0; j < n; j++) M[j * n + j] += mu;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = M[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] ** 2;
    L[j * n + j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = M[i * n + j];
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = rhs[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

type Constraint = { atom: "box"; lo: number; hi: number } | { atom: "nonneg" } | null;

function spec(constraint: Constraint, family: string, restart: "function" | "gradient" | "none", ridge: boolean) {
  return defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    const terms: { kind: "data" | "regularizer"; atom: string; op?: "A"; target?: "b"; weight?: number; params?: Record<string, number> }[] = [
      { kind: "data", atom: "leastSquares", op: "A", target: "b" },
    ];
    if (ridge) terms.push({ kind: "regularizer", atom: "tikhonov", weight: mu });
    if (constraint?.atom === "box") terms.push({ kind: "regularizer", atom: "box", params: { lo: constraint.lo, hi: constraint.hi } });
    if (constraint?.atom === "nonneg") terms.push({ kind: "regularizer", atom: "nonneg" });
    return {
      dtype,
      state: { x: { shape: [cols] } },
      data: { A: conv(A.a), b: conv(b) },
      ops: { A: { type: "dense", matrix: "A", rows, cols } },
      terms,
      policies: { flow: { family, restart } },
    };
  });
}

const CONSTRAINED = [
  ["proximal", "none", 30000],
  ["accelerated", "none", 6000],
  ["accelerated", "function", 3000],
  ["accelerated", "gradient", 3000],
  ["preconditioned", "none", 20000],
] as const;

const SMOOTH = [["gradient", "none", 30000], ...CONSTRAINED] as const;

function run(dtype: Dtype, constraint: Constraint, family: string, restart: "function" | "gradient" | "none", iters: number, ridge: boolean) {
  const { compiled } = compileFlow(spec(constraint, family, restart, ridge), { dtype });
  const runner = new FlowRunner(compiled);
  const monotone = runner.family.monotone(restart);
  const slack = dtype === "float64" ? 1e-12 : 1e-6;
  let prev = runner.energy;
  for (let k = 0; k < iters; k++) {
    const m = runner.step();
    if (monotone) expect(m.E).toBeLessThanOrEqual(prev + slack * Math.abs(prev));
    prev = m.E;
  }
  const x = runner.state;
  const energy = runner.energy;
  runner.dispose();
  compiled.dispose();
  return { x, energy };
}

describe.each(DTYPES)("constrained least squares (%s)", (dtype: Dtype) => {
  const tol = dtype === "float64" ? 1e-9 : 2e-6;
  const constraints = [
    ["box [−0.3, 0.4]", { atom: "box", lo: -0.3, hi: 0.4 }],
    ["non-negativity", { atom: "nonneg" }],
  ] as const;

  describe.each(constraints)("%s", (_name, constraint) => {
    const lo = constraint.atom === "box" ? constraint.lo : 0;
    const hi = constraint.atom === "box" ? constraint.hi : Infinity;
    const xStar = boxCoordinateDescent(A, b, lo, hi);
    const fStar = objective(xStar, false);

    it("the truth has active constraints (the test is not an unconstrained one)", () => {
      expect(xStar.filter((v) => v === lo || v === hi).length).toBeGreaterThan(3);
    });

    it.each(CONSTRAINED)("%s (restart %s) reaches the constrained minimiser", (family, restart, iters) => {
      const { x, energy } = run(dtype, constraint, family, restart, iters, false);
      // the bounds as the run's dtype holds them (−0.3 in float32 is −0.30000001…)
      const round = dtype === "float32" ? Math.fround : (v: number) => v;
      for (const v of x) {
        expect(v).toBeGreaterThanOrEqual(round(lo));
        expect(v).toBeLessThanOrEqual(round(hi));
      }
      const f = objective(x, false);
      expect(Math.abs(f - fStar) / fStar).toBeLessThan(tol);
      expect(Math.abs(energy - f) / f).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    });
  });
});

describe.each(DTYPES)("ridge regression, no non-smooth term (%s)", (dtype: Dtype) => {
  const xStar = ridgeSolve();
  const fStar = objective(xStar, true);
  const tol = dtype === "float64" ? 1e-9 : 2e-6;

  it.each(SMOOTH)("%s (restart %s) reaches the normal-equations solution", (family, restart, iters) => {
    const { x } = run(dtype, null, family, restart, iters, true);
    expect(Math.abs(objective(x, true) - fStar) / fStar).toBeLessThan(tol);
  });
});
