// The preconditioned family: its Jacobi preconditioner (exact from ops that know their Gram
// diagonal, exact by unit probes on small states, a stochastic estimate otherwise), its step
// size against a dense eigen-solver, its step against a hand computation, its advantage on a
// badly scaled problem, and the terms it refuses.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype, type RealArray } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import type { FlowEventName, Json } from "../src/ports/events.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { type Mat, boxCoordinateDescent, gaussianMatrix, matTVec, matVec } from "./reference-solvers.js";
import { jacobiEigen, mulberry32 } from "@cflow/test-kit";

const rand = mulberry32(404);

/** A rows×cols Gaussian matrix with column j scaled by scale(j). */
function scaledMatrix(rows: number, cols: number, scale: (j: number) => number): Mat {
  const g = gaussianMatrix(rows, cols, rand);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g.a[i * cols + j] *= scale(j);
  return g;
}

/** The user-op form of a dense matrix: apply/adjoint only (no Gram diagonal, no norm hint). */
function jsOp(M: Mat, dtype: Dtype) {
  const make = (n: number) => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  return {
    kind: "user-matrix",
    dtype,
    inShape: [M.cols],
    outShape: [M.rows],
    apply: (x: RealArray, out?: RealArray) => {
      const y = out ?? make(M.rows);
      y.set(matVec(M, x));
      return y;
    },
    adjoint: (y: RealArray, out?: RealArray) => {
      const x = out ?? make(M.cols);
      x.set(matTVec(M, y));
      return x;
    },
  };
}

function gram(M: Mat, mu: number): number[][] {
  const H = Array.from({ length: M.cols }, () => new Array<number>(M.cols).fill(0));
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) for (let k = 0; k < M.cols; k++) H[j][k] += M.a[i * M.cols + j] * M.a[i * M.cols + k];
  for (let j = 0; j < M.cols; j++) H[j][j] += mu;
  return H;
}

function spec(M: Mat, b: Float64Array, opts: { user?: boolean; mu?: number; extra?: { atom: string; weight?: number; params?: Record<string, number> }; family?: string }) {
  return defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    const terms: { kind: "data" | "regularizer"; atom: string; op?: "A"; target?: "b"; weight?: number; params?: Record<string, number> }[] = [
      { kind: "data", atom: "leastSquares", op: "A", target: "b" },
    ];
    if (opts.mu) terms.push({ kind: "regularizer", atom: "tikhonov", weight: opts.mu });
    if (opts.extra) terms.push({ kind: "regularizer", ...opts.extra });
    return {
      dtype,
      state: { x: { shape: [M.cols] } },
      data: { A: conv(M.a), b: conv(b) },
      ops: { A: opts.user ? jsOp(M, dtype) : { type: "dense", matrix: "A", rows: M.rows, cols: M.cols } },
      terms,
      policies: { flow: { family: opts.family ?? "preconditioned" } },
    };
  });
}

describe.each(DTYPES)("Jacobi preconditioner (%s)", (dtype: Dtype) => {
  const M = scaledMatrix(30, 20, (j) => 1 + j / 4);
  const b = Float64Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const mu = 0.05;
  const H = gram(M, mu);
  const exact = H.map((r, i) => r[i]);
  const rtol = dtype === "float64" ? 1e-12 : 1e-5;

  const check = (runner: FlowRunner) => {
    const pre = runner.preconditioner!;
    // α·λ_max(D^{-1/2} H D^{-1/2}) ≤ 1, and not needlessly small
    const s = pre.d.map((v) => 1 / Math.sqrt(v));
    const { values } = jacobiEigen(H.map((r, i) => r.map((v, j) => s[i] * v * s[j])));
    const lmax = values[values.length - 1];
    expect(runner.dials.alpha * lmax).toBeLessThanOrEqual(1);
    expect(runner.dials.alpha * lmax).toBeGreaterThan(0.98);
  };

  it("is exact and analytic when every term knows its Hessian diagonal (dense op + Tikhonov)", () => {
    const { compiled } = compileFlow(spec(M, b, { mu }), { dtype });
    const runner = new FlowRunner(compiled);
    const pre = runner.preconditioner!;
    expect(pre.method).toBe("analytic");
    expect(pre.probes).toBe(0);
    // the preconditioned step is still one call into the kernel
    expect(runner.plan.kernelCalls).toBe(1);
    expect(runner.plan.programs[0].jsSteps).toBe(0);
    for (let j = 0; j < 20; j++) expect(Math.abs(pre.d[j] - exact[j]) / exact[j]).toBeLessThan(rtol);
    check(runner);
    compiled.dispose();
  });

  it("is exact by unit probes for a user op on a small state", () => {
    const { compiled } = compileFlow(spec(M, b, { mu, user: true }), { dtype });
    const runner = new FlowRunner(compiled);
    const pre = runner.preconditioner!;
    expect(pre.method).toBe("unit-probes");
    expect(pre.probes).toBe(20);
    for (let j = 0; j < 20; j++) expect(Math.abs(pre.d[j] - exact[j]) / exact[j]).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    check(runner);
    compiled.dispose();
  });

  it("is a positive stochastic estimate beyond 512 unknowns, and the step size still holds", () => {
    // a banded 600×600 user op with a strongly varying diagonal: H = AᵀA is diagonally dominant
    const n = 600;
    const B: Mat = { rows: n, cols: n, a: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) {
      B.a[i * n + i] = 1 + 4 * ((i * 7) % 11) / 10;
      if (i + 1 < n) B.a[i * n + i + 1] = 0.2;
    }
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10));
    const { compiled } = compileFlow(spec(B, y, { user: true }), { dtype });
    const runner = new FlowRunner(compiled);
    const pre = runner.preconditioner!;
    expect(pre.method).toBe("stochastic-probes");
    expect(pre.probes).toBe(64);
    const truth = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += B.a[i * n + j] ** 2;
      return s;
    });
    let worst = 0;
    for (let j = 0; j < n; j++) {
      expect(pre.d[j]).toBeGreaterThan(0);
      worst = Math.max(worst, Math.abs(pre.d[j] - truth[j]) / truth[j]);
    }
    // off-diagonal mass of row j is ≤ 2·0.2·max|diag|: the estimate's error is a fraction of it
    expect(worst).toBeLessThan(0.25);
    // a few hundred steps descend monotonically
    let prev = runner.energy;
    for (let k = 0; k < 200; k++) {
      const m = runner.step();
      expect(m.E).toBeLessThanOrEqual(prev + (dtype === "float64" ? 1e-12 : 1e-6) * Math.abs(prev));
      prev = m.E;
    }
    compiled.dispose();
  });

  it("takes the step x⁺ = clip(x − αD⁻¹∇f(x)) (checked by hand)", () => {
    const { compiled } = compileFlow(spec(M, b, { mu, extra: { atom: "box", params: { lo: -0.1, hi: 0.2 } } }), { dtype });
    const runner = new FlowRunner(compiled);
    const x0 = Array.from({ length: 20 }, (_, j) => 0.3 * Math.sin(j + 1));
    runner.load(dtype === "float64" ? Float64Array.from(x0) : Float32Array.from(x0));
    const alpha = runner.dials.alpha;
    const m = runner.step();
    expect(m.backtracks).toBe(0);
    const r = matVec(M, x0).map((v, i) => v - b[i]);
    const g = matTVec(M, r).map((v, j) => v + mu * x0[j]);
    const want = x0.map((v, j) => Math.min(Math.max(v - (alpha * g[j]) / exact[j], -0.1), 0.2));
    const got = runner.state;
    for (let j = 0; j < 20; j++) expect(Math.abs(got[j] - want[j])).toBeLessThan(dtype === "float64" ? 1e-13 : 2e-6);
    compiled.dispose();
  });

  it("reports its preconditioner in FLOW_POLICY_APPLIED", () => {
    const events: { event: FlowEventName; payload?: { [key: string]: Json } }[] = [];
    const { compiled } = compileFlow(spec(M, b, { mu }), { dtype });
    new FlowRunner(compiled, { events: { emit: (event, payload) => events.push({ event, payload }) } });
    const applied = events.find((e) => e.event === "FLOW_POLICY_APPLIED")!;
    expect(applied.payload!.family).toBe("preconditioned");
    const params = applied.payload!.params as { [key: string]: Json };
    expect((params.preconditioner as { [key: string]: Json }).method).toBe("analytic");
    expect(params.line_search).toBe(true);
    compiled.dispose();
  });

  it("refuses a non-smooth term whose prox is not exact in the D-metric, naming it", () => {
    const { compiled } = compileFlow(spec(M, b, { extra: { atom: "l1", weight: 0.1 } }), { dtype });
    let err: unknown;
    try {
      new FlowRunner(compiled);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CflowError);
    expect((err as CflowError).code).toBe("FAMILY_MISMATCH");
    expect((err as CflowError).message).toMatch(/"l1#1".*atom l1/);
    expect((err as CflowError).details.path).toBe("terms[1].atom");
    compiled.dispose();
  });
});

describe.each(DTYPES)("preconditioning a badly scaled problem (%s)", (dtype: Dtype) => {
  it("reaches the box-constrained minimiser where plain projected gradient is still far", () => {
    // columns scaled from 1 to 100: κ(AᵀA) grows by 10⁴, κ(D^{-1/2}AᵀAD^{-1/2}) does not
    const M = scaledMatrix(50, 25, (j) => 10 ** ((2 * j) / 24));
    const b = Float64Array.from({ length: 50 }, (_, i) => Math.sin(0.7 * i) + 0.2);
    const xStar = boxCoordinateDescent(M, b, -0.05, 0.05);
    const f = (x: ArrayLike<number>) => 0.5 * matVec(M, x).reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
    const fStar = f(xStar);
    const gapAfter = (family: string, iters: number) => {
      const { compiled } = compileFlow(spec(M, b, { family, extra: { atom: "box", params: { lo: -0.05, hi: 0.05 } } }), { dtype });
      const runner = new FlowRunner(compiled);
      for (let k = 0; k < iters; k++) runner.step();
      const gap = (f(runner.state) - fStar) / fStar;
      compiled.dispose();
      return gap;
    };
    expect(gapAfter("preconditioned", 2000)).toBeLessThan(dtype === "float64" ? 1e-9 : 2e-6);
    expect(gapAfter("proximal", 2000)).toBeGreaterThan(1e-5);
  });
});
