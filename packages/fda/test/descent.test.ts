import type { TracePoint } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { descentConstant, descentViolation, traceDescent } from "../src/index.js";
import { jacobiEigenvalues, mat, matmul, transpose } from "./helpers.js";
import { mulberry32, randn } from "@cflow/test-kit";

const point = (iter: number, E: number, gradNorm: number, alpha: number, restarted = false): TracePoint => ({ iter, E, gradNorm, alpha, restarted });

/** Proximal gradient on ½‖Ax − b‖² + λ‖x‖₁ in plain float64, recorded as telemetry rows. */
function lassoTrace(alphaOverBeta: number, steps: number): { trace: TracePoint[]; beta: number } {
  const rand = mulberry32(42);
  const rows = 30;
  const cols = 20;
  const A = mat(rows, cols);
  for (let i = 0; i < A.a.length; i++) A.a[i] = randn(rand);
  const b = Float64Array.from({ length: rows }, () => randn(rand));
  const beta = jacobiEigenvalues(matmul(transpose(A), A))[cols - 1];
  const alpha = alphaOverBeta / beta;
  const lambda = 0.5;
  const energy = (x: Float64Array) => {
    let f = 0;
    for (let i = 0; i < rows; i++) {
      let r = -b[i];
      for (let j = 0; j < cols; j++) r += A.a[i * cols + j] * x[j];
      f += 0.5 * r * r;
    }
    let g = 0;
    for (const v of x) g += lambda * Math.abs(v);
    return f + g;
  };
  let x = new Float64Array(cols);
  const trace = [point(0, energy(x), 0, alpha)];
  for (let k = 1; k <= steps; k++) {
    const grad = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      let r = -b[i];
      for (let j = 0; j < cols; j++) r += A.a[i * cols + j] * x[j];
      for (let j = 0; j < cols; j++) grad[j] += A.a[i * cols + j] * r;
    }
    const next = new Float64Array(cols);
    let g2 = 0;
    for (let j = 0; j < cols; j++) {
      const z = x[j] - alpha * grad[j];
      next[j] = Math.sign(z) * Math.max(Math.abs(z) - alpha * lambda, 0);
      g2 += ((x[j] - next[j]) / alpha) ** 2;
    }
    x = next;
    trace.push(point(k, energy(x), Math.sqrt(g2), alpha));
  }
  return { trace, beta };
}

describe("Lyapunov descent check", () => {
  it("uses the tight constant α(1 − αβ/2): a quadratic attains it exactly", () => {
    const beta = 3;
    for (const alpha of [0.1, 1 / 3, 0.5]) {
      // f = β/2 x², g = 0: x⁺ = (1 − αβ)x, G = βx, E drops by exactly α(1 − αβ/2)β²x².
      const x = 1.7;
      const prev = point(4, (beta / 2) * x * x, 0, alpha);
      const x1 = (1 - alpha * beta) * x;
      const next = point(5, (beta / 2) * x1 * x1, beta * x, alpha);
      expect(descentConstant(alpha, beta)).toBeCloseTo(alpha * (1 - (alpha * beta) / 2), 15);
      expect(descentViolation(prev, next, { monotone: true, tol: 1e-12, beta })).toBe(0);
      // a 1% larger decrease claim is violated
      const claimed = point(5, next.E, next.gradNorm * 1.005, alpha);
      expect(descentViolation(prev, claimed, { monotone: true, tol: 1e-12, beta })).toBeGreaterThan(1e-4);
    }
  });

  it.each([0.3, 1, 1.9])("holds on every step of proximal gradient for the lasso at α = %f/β", (c) => {
    const { trace, beta } = lassoTrace(c, 60);
    const tol = 1e-12 * Math.abs(trace[0].E);
    const r = traceDescent(trace, { monotone: true, tol, beta });
    expect(r.steps).toBe(60);
    expect(r.violations).toBe(0);
    expect(r.maxViolation).toBe(0);
    if (c <= 1) expect(traceDescent(trace, { monotone: true, tol }).violations).toBe(0); // α/2 is valid for α ≤ 1/β
  });

  it("without β the default α₀ = α/2 is only valid for α ≤ 1/β: a step of 1.9/β violates it", () => {
    const { trace } = lassoTrace(1.9, 60);
    const r = traceDescent(trace, { monotone: true, tol: 1e-12 * Math.abs(trace[0].E) });
    expect(r.violations).toBeGreaterThan(0);
    expect(r.worstIter).not.toBeNull();
  });

  it("non-monotone families and restarts are not checked, but a non-finite energy always is", () => {
    expect(descentViolation(point(1, 1, 1, 0.1), point(2, 5, 1, 0.1), { monotone: false, tol: 0 })).toBe(0);
    expect(descentViolation(point(1, 1, 1, 0.1), point(2, 5, 1, 0.1, true), { monotone: true, tol: 0 })).toBe(0);
    expect(descentViolation(point(1, 1, 1, 0.1), point(2, 5, 1, 0.1), { monotone: true, tol: 0 })).toBeCloseTo(4.05, 12);
    expect(descentViolation(point(1, 1, 1, 0.1), point(2, Number.NaN, 1, 0.1), { monotone: false, tol: 0 })).toBe(Infinity);
    expect(descentViolation(point(1, 1, 1, 0.1), point(2, 0, Number.POSITIVE_INFINITY, 0.1), { monotone: true, tol: 0 })).toBe(Infinity);
  });

  it("rejects non-consecutive points, bad steps and negative tolerances", () => {
    expect(() => descentViolation(point(1, 1, 1, 0.1), point(3, 0, 1, 0.1), { monotone: true, tol: 0 })).toThrow(/consecutive iterations, found 1 → 3/);
    expect(() => descentViolation(point(1, 1, 1, 0.1), point(2, 0, 1, 0), { monotone: true, tol: 0 })).toThrow(/α must be finite and > 0, found 0/);
    expect(() => descentViolation(point(1, 1, 1, 0.1), point(2, 0, 1, 0.1), { monotone: true, tol: -1 })).toThrow(/tol must be ≥ 0/);
  });
});
