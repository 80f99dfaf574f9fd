// Small versions of reference problems 1 and 2 (docs/design.md §7) for the runtime tests: wavelet-L1
// deconvolution with a circular Gaussian blur and periodised db4, plus a small Tikhonov term.
// The truth is computed here, independently of cflow's flows: coordinate descent on the dense
// coefficient-space matrix B = K·Wᵀ, with K a plain convolution and W cflow's DwtTransform in
// float64 (itself pinned to PyWavelets' wavedec/wavedec2 by test/transform-dwt.test.ts).
import { expect } from "vitest";
import { defineFlow } from "../src/spec/define.js";
import { DwtTransform } from "../src/transforms/dwt.js";
import { circularConv, circularConv2d, elasticCoordinateDescent, matVec, matrixOf } from "./reference-solvers.js";
import { mulberry32, randn } from "@cflow/test-kit";

/** Periodised db4 on `shape` as plain functions: W x and Wᵀ u = W⁻¹ u (float64). */
function db4(shape: number[], levels: number): Pick<Problem, "analysis" | "synthesis"> {
  const W = new DwtTransform("db4", { shape, levels, dtype: "float64" });
  return { analysis: (x) => Array.from(W.forward(Float64Array.from(x))), synthesis: (u) => W.inverse(Float64Array.from(u)) };
}

export function gaussianTaps(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const g = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

export interface Problem {
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

export function objective(p: Problem, x: ArrayLike<number>): number {
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
export function solve(p: Problem): { fStar: number; xStar: Float64Array } {
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

export function problem1(options: { mu?: number; sigma?: number } = {}): Problem {
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
    ...db4([N], 3),
    approx: N / 8,
  };
}

export function problem2(): Problem {
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
    ...db4([R, R], 2),
    approx: (R / 4) * (R / 4),
  };
}

export function spec(p: Problem, family: string, restart: "function" | "gradient" | "none" = "function", policies: Record<string, unknown> = {}) {
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
      policies: { flow: { family, restart }, ...policies },
    };
  });
}
