// The forward–backward error bar against exact minimisers: small lassos solved independently by
// enumerating every support and sign pattern (the KKT conditions pick the minimiser), then ISTA
// from zero: at every iterate the distance to the minimiser restricted to the iterate's support is
// within the bar, and the bar within (1 + q)/(1 − q) of the distance.
import { describe, expect, it } from "vitest";
import { forwardBackwardErrorBar } from "../src/index.js";
import { jacobiEigenvalues } from "./helpers.js";
import { mulberry32, randn } from "@cflow/test-kit";

/** Solves the small dense system M z = r (Gaussian elimination with partial pivoting). */
function solve(M: number[][], r: number[]): number[] {
  const n = r.length;
  const a = M.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i][c]) > Math.abs(a[p][c])) p = i;
    [a[c], a[p]] = [a[p], a[c]];
    for (let i = c + 1; i < n; i++) {
      const f = a[i][c] / a[c][c];
      for (let j = c; j <= n; j++) a[i][j] -= f * a[c][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i][n];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * z[j];
    z[i] = s / a[i][i];
  }
  return z;
}

/** argmin ½‖Ax − b‖² + λ‖x‖₁ over x supported in `allowed`, by enumerating supports and signs. */
function lassoExact(A: number[][], b: number[], lambda: number, allowed: number[]): Float64Array {
  const n = A[0].length;
  const m = A.length;
  const corr = (x: Float64Array, j: number) => {
    let s = 0;
    for (let r = 0; r < m; r++) {
      let ax = 0;
      for (let k = 0; k < n; k++) ax += A[r][k] * x[k];
      s += A[r][j] * (b[r] - ax);
    }
    return s;
  };
  const total = 3 ** allowed.length;
  for (let code = 0; code < total; code++) {
    const signs: number[] = [];
    let c = code;
    for (let t = 0; t < allowed.length; t++) {
      signs.push((c % 3) - 1);
      c = Math.floor(c / 3);
    }
    const T = allowed.filter((_, t) => signs[t] !== 0);
    const s = signs.filter((v) => v !== 0);
    const x = new Float64Array(n);
    if (T.length > 0) {
      const G = T.map((i) => T.map((j) => A.reduce((acc, row) => acc + row[i] * row[j], 0)));
      const rhs = T.map((i, t) => A.reduce((acc, row, r) => acc + row[i] * b[r], 0) - lambda * s[t]);
      const z = solve(G, rhs);
      if (z.some((v, t) => Math.sign(v) !== s[t])) continue;
      T.forEach((i, t) => (x[i] = z[t]));
    }
    const ok = allowed.every((j, t) => signs[t] !== 0 || Math.abs(corr(x, j)) <= lambda * (1 + 1e-12));
    if (ok) return x;
  }
  throw new Error("no KKT point found");
}

describe("forward–backward error bar", () => {
  it.each([
    [1, 1.0],
    [2, 1.6],
  ])("holds along ISTA with α = %s·… (case %#), and is within (1 + q)/(1 − q) of the truth", (seed, stepScale) => {
    const rand = mulberry32(seed);
    const m = 14;
    const n = 7;
    const A = Array.from({ length: m }, () => Array.from({ length: n }, () => randn(rand) / Math.sqrt(m)));
    const b = Array.from({ length: m }, () => randn(rand));
    const lambda = 0.15;
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram[i * n + j] = A.reduce((acc, row) => acc + row[i] * row[j], 0);
    const beta = jacobiEigenvalues({ rows: n, cols: n, a: gram })[n - 1] * (1 + 1e-12);
    const alpha = stepScale / beta;
    const step = (x: Float64Array): Float64Array => {
      const out = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let g = 0;
        for (let k = 0; k < n; k++) g += gram[j * n + k] * x[k];
        g -= A.reduce((acc, row, r) => acc + row[j] * b[r], 0);
        const z = x[j] - alpha * g;
        out[j] = Math.sign(z) * Math.max(Math.abs(z) - alpha * lambda, 0);
      }
      return out;
    };
    let x: Float64Array = new Float64Array(n);
    let checked = 0;
    for (let k = 0; k < 200; k++) {
      x = step(x);
      const S = Array.from({ length: n }, (_, i) => i).filter((i) => x[i] !== 0);
      if (S.length === 0) continue;
      const gs = new Float64Array(S.length * S.length);
      S.forEach((i, p) => S.forEach((j, q) => (gs[p * S.length + q] = gram[i * n + j])));
      const gamma = jacobiEigenvalues({ rows: S.length, cols: S.length, a: gs })[0] * (1 - 1e-12);
      const Tx = step(x);
      let G = 0;
      for (let i = 0; i < n; i++) G += ((x[i] - Tx[i]) / alpha) ** 2;
      const bar = forwardBackwardErrorBar({ alpha, beta, gamma, gradientMapping: Math.sqrt(G) });
      const xs = lassoExact(A, b, lambda, S);
      let dist = 0;
      for (let i = 0; i < n; i++) dist += (x[i] - xs[i]) ** 2;
      dist = Math.sqrt(dist);
      // along the slowest eigendirection the bar is attained exactly (x − Tx = αγ(x − x*)); ‖x − Tx‖ itself is
      // computed with cancellation, ~u‖x‖ absolute, which the bar multiplies by 1/(αγ)
      const xnorm = Math.sqrt(x.reduce((acc, v) => acc + v * v, 0));
      expect(dist).toBeLessThanOrEqual(bar.bound + (8 * 2 ** -53 * xnorm) / (alpha * gamma));
      if (dist > 1e-12) expect(bar.bound / dist).toBeLessThanOrEqual(((1 + bar.q) / (1 - bar.q)) * (1 + 1e-9));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    // the converged iterate's support holds the minimiser's: the bar then bounds the distance to x* itself
    const all = Array.from({ length: n }, (_, i) => i);
    const xstar = lassoExact(A, b, lambda, all);
    for (let i = 0; i < n; i++) if (xstar[i] !== 0) expect(x[i]).not.toBe(0);
    const dist = Math.sqrt(xstar.reduce((acc, v, i) => acc + (v - x[i]) ** 2, 0));
    expect(dist).toBeLessThan(1e-6);
  });

  it("returns no bar without a contraction, and rejects bad input by name", () => {
    expect(forwardBackwardErrorBar({ alpha: 1, beta: 1, gamma: 0, gradientMapping: 1 }).bound).toBe(Number.POSITIVE_INFINITY);
    expect(forwardBackwardErrorBar({ alpha: 1, beta: 1, gamma: 0.5, gradientMapping: 0.2 }).bound).toBeCloseTo(0.4, 12);
    expect(() => forwardBackwardErrorBar({ alpha: 2.5, beta: 1, gamma: 0.5, gradientMapping: 1 })).toThrow(/need 0 < α < 2\/β/);
    expect(() => forwardBackwardErrorBar({ alpha: 1, beta: 1, gamma: Number.NaN, gradientMapping: 1 })).toThrow(/gamma must be a finite number ≥ 0, found NaN/);
  });
});
