// Reference problems 1 and 2 (DESIGN §7), small: wavelet-L1 deconvolution with a circular
// Gaussian blur and periodised db4, plus a small Tikhonov term so every family reaches 1e-9 in a
// few thousand iterations. Truth: coordinate descent on the dense coefficient-space matrix
// B = K·Wᵀ, with K and W built here (test/pywt.ts, a plain convolution), not by cflow.
import { describe, expect, it } from "vitest";
import { compileFlow } from "../src/compiler/compile.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { CflowError } from "../src/errors.js";
import { FlowRunner } from "../src/runtime/runner.js";
import { defineFlow } from "../src/spec/define.js";
import { waveletFilters } from "../src/transforms/filters.js";
import { mulberry32, randn } from "./helpers.js";
import { wavedec, wavedec2, waverec, waverec2 } from "./pywt.js";
import { circularConv, circularConv2d, elasticCoordinateDescent, matVec, matrixOf } from "./reference-solvers.js";

const db4 = waveletFilters("db4");

function gaussianTaps(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const g = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

interface Problem {
  shape: number[];
  levels: number;
  taps: Float64Array;
  y: Float64Array;
  mu: number;
  lambda: number;
  /** K x (independent). */
  blur(x: ArrayLike<number>): Float64Array;
  /** W x in PyWavelets' flattened layout (independent). */
  analysis(x: ArrayLike<number>): number[];
  synthesis(u: ArrayLike<number>): ArrayLike<number>;
  /** Length of the approximation band (not penalised). */
  approx: number;
}

function objective(p: Problem, x: ArrayLike<number>): number {
  const r = p.blur(x);
  let f = 0;
  for (let i = 0; i < r.length; i++) f += (r[i] - p.y[i]) ** 2;
  let t = 0;
  for (let i = 0; i < x.length; i++) t += x[i] * x[i];
  const u = p.analysis(x);
  let g = 0;
  for (let i = p.approx; i < u.length; i++) g += Math.abs(u[i]);
  return 0.5 * f + 0.5 * p.mu * t + p.lambda * g;
}

/** The minimum by coordinate descent over the wavelet coefficients (W is orthogonal, so x = Wᵀu). */
function solve(p: Problem): { fStar: number; xStar: Float64Array } {
  const n = p.y.length;
  const B = matrixOf(n, (e) => p.blur(p.synthesis(e)));
  const u = elasticCoordinateDescent(B, p.y, p.mu, p.lambda, (j) => j >= p.approx);
  const xStar = Float64Array.from(p.synthesis(u));
  // sanity of the truth itself: the residual form of the objective agrees in both spaces
  const r = matVec(B, u);
  let f = 0;
  for (let i = 0; i < n; i++) f += (r[i] - p.y[i]) ** 2;
  let t = 0;
  let g = 0;
  for (let j = 0; j < n; j++) {
    t += u[j] * u[j];
    if (j >= p.approx) g += Math.abs(u[j]);
  }
  const fu = 0.5 * f + 0.5 * p.mu * t + p.lambda * g;
  const fx = objective(p, xStar);
  expect(Math.abs(fu - fx) / fx).toBeLessThan(1e-10);
  return { fStar: fx, xStar };
}

function problem1(options: { mu?: number; sigma?: number } = {}): Problem {
  const { mu = 0.02, sigma = 2 } = options;
  const N = 128;
  const rand = mulberry32(11);
  const xTrue = Float64Array.from({ length: N }, (_, i) => (i < 40 ? 0.5 : i < 90 ? -0.3 + 0.01 * (i - 40) : Math.sin(i / 6)));
  const taps = gaussianTaps(sigma);
  const y = circularConv(xTrue, taps).map((v) => v + 0.01 * randn(rand));
  return {
    shape: [N],
    levels: 3,
    taps,
    y,
    mu,
    lambda: 0.01,
    blur: (x) => circularConv(x, taps),
    analysis: (x) => wavedec(x, db4, 3),
    synthesis: (u) => waverec(u, db4, N, 3),
    approx: N / 8,
  };
}

function problem2(): Problem {
  const R = 32;
  const rand = mulberry32(12);
  const xTrue = Float64Array.from({ length: R * R }, (_, k) => {
    const i = Math.floor(k / R);
    const j = k % R;
    return (i > 8 && i < 20 && j > 6 && j < 24 ? 1 : 0) + 0.3 * Math.sin((i + 2 * j) / 7);
  });
  const taps = gaussianTaps(1);
  const y = circularConv2d(xTrue, R, R, taps).map((v) => v + 0.01 * randn(rand));
  return {
    shape: [R, R],
    levels: 2,
    taps,
    y,
    mu: 0.05,
    lambda: 0.01,
    blur: (x) => circularConv2d(x, R, R, taps),
    analysis: (x) => wavedec2({ rows: R, cols: R, data: Array.from(x) }, db4, 2),
    synthesis: (u) => waverec2(u, db4, [R, R], 2).data,
    approx: (R / 4) * (R / 4),
  };
}

function spec(p: Problem, family: string, restart: "function" | "gradient" | "none" = "function") {
  return defineFlow(({ dtype }) => {
    const conv = (a: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a));
    const op =
      p.shape.length === 1
        ? { type: "conv1d", shape: p.shape, kernel: "k", boundary: "circular" }
        : { type: "conv2d", shape: p.shape, rowKernel: "k", colKernel: "k", boundary: "circular" };
    return {
      dtype,
      state: { x: { shape: p.shape } },
      data: { y: conv(p.y), k: conv(p.taps) },
      ops: { K: op },
      transforms: { W: { name: "db4", levels: p.levels } },
      terms: [
        { kind: "data" as const, atom: "leastSquares", op: "K", target: "y" },
        { kind: "regularizer" as const, atom: "tikhonov", weight: p.mu },
        { kind: "regularizer" as const, atom: "waveletL1", transform: "W", weight: p.lambda },
      ],
      policies: { flow: { family, restart } },
    };
  });
}

const FAMILIES = [
  ["proximal", "none"],
  ["accelerated", "none"],
  ["accelerated", "function"],
  ["accelerated", "gradient"],
] as const;

const problems = [
  ["problem 1 (1D, N = 128, db4 × 3)", problem1, 3000],
  ["problem 2 (2D, 32×32, db4 × 2)", problem2, 2000],
] as const;

describe.each(problems)("%s", (_name, make, iters) => {
  const p = make();
  const { fStar } = solve(p);

  describe.each(DTYPES)("%s", (dtype: Dtype) => {
    const tol = dtype === "float64" ? 1e-9 : 2e-6;

    it.each(FAMILIES)("%s (restart %s) reaches the minimiser, descending when monotone", (family, restart) => {
      const { compiled } = compileFlow(spec(p, family, restart), { dtype });
      const runner = new FlowRunner(compiled);
      const monotone = runner.family.monotone(restart);
      const slack = dtype === "float64" ? 1e-12 : 1e-6;
      let prev = runner.energy;
      for (let k = 0; k < iters; k++) {
        const m = runner.step();
        if (monotone) expect(m.E).toBeLessThanOrEqual(prev + slack * Math.abs(prev));
        // ISTA's sufficient decrease: E(x⁺) ≤ E(x) − (α/2)‖G_α(x)‖²
        if (family === "proximal") expect(m.E).toBeLessThanOrEqual(prev - 0.5 * m.alpha * m.gradNorm ** 2 + slack * Math.abs(prev));
        prev = m.E;
      }
      const f = objective(p, runner.state);
      expect(Math.abs(f - fStar) / fStar).toBeLessThan(tol);
      expect(Math.abs(runner.energy - f) / f).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
      runner.dispose();
      compiled.dispose();
    });

    it("the preconditioned family refuses the W-space sparsity term, naming it", () => {
      const { compiled } = compileFlow(spec(p, "preconditioned"), { dtype });
      let err: unknown;
      try {
        new FlowRunner(compiled);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CflowError);
      expect((err as CflowError).message).toMatch(/waveletL1/);
      expect((err as CflowError).details.path).toBe("terms[2].atom");
      compiled.dispose();
    });
  });
});

describe.each(DTYPES)("adaptive restart on problem 1 (%s)", (dtype: Dtype) => {
  it("FISTA with restart reaches a 1e-6 relative gap in fewer iterations than plain FISTA", () => {
    // without the Tikhonov term and with the reference blur σ = 4: ill-conditioned, where momentum ripples
    const p = problem1({ mu: 0, sigma: 4 });
    const { fStar } = solve(p);
    const itersTo = (restart: "function" | "gradient" | "none") => {
      const { compiled } = compileFlow(spec(p, "accelerated", restart), { dtype });
      const runner = new FlowRunner(compiled);
      let k = 0;
      let restarts = 0;
      while (k < 20000) {
        const m = runner.step();
        k++;
        if (m.restarted) restarts++;
        if ((m.E - fStar) / fStar < 1e-6) break;
      }
      runner.dispose();
      compiled.dispose();
      return { k, restarts };
    };
    const plain = itersTo("none");
    const fn = itersTo("function");
    const grad = itersTo("gradient");
    expect(plain.k).toBeLessThan(20000);
    expect(plain.restarts).toBe(0);
    expect(fn.restarts).toBeGreaterThan(0);
    expect(grad.restarts).toBeGreaterThan(0);
    expect(fn.k).toBeLessThan(plain.k);
    expect(grad.k).toBeLessThan(plain.k);
  });
});
