// The application bounds against measured rounding: float32 kernels against float64 references
// (whose own error is ~1e-16, far below the float32 bounds), float64 kernels against double-double
// references (error ~1e-32). The float32 DWT also carries its taps' rounding (tapRoundingBound).
import { createTransform, conv1d, conv2d, gaussianKernel1d, gaussianKernel2d, waveletFilters } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { composeBounds, directConvolutionBound, filterBankPassBound, gammaN, periodisedDwtBound, tapRoundingBound, unitRoundoff } from "../src/index.js";
import { plainConv, plainDwt } from "./restricted-problems.js";
import { mulberry32, randn } from "@cflow/test-kit";

/** Error-free transformations (Knuth's TwoSum, Dekker's TwoProduct). */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function split(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
/** Σ a_i b_i in double-double, rounded to the nearest double at the end. */
function ddDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < a.length; i++) {
    const [p, pe] = twoProd(a[i], b[i]);
    const [s, se] = twoSum(hi, p);
    hi = s;
    lo += se + pe;
  }
  return hi + lo;
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
function diffNorm(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

describe("rounding bounds of the certificate operators", () => {
  const rand = mulberry32(7);
  const signal = (n: number) => Float64Array.from({ length: n }, () => randn(rand) * (rand() < 0.1 ? 100 : 1));

  it("γ_n and the unit roundoffs", () => {
    expect(unitRoundoff("float64")).toBe(2 ** -53);
    expect(unitRoundoff("float32")).toBe(2 ** -24);
    expect(gammaN(10, 2 ** -24)).toBeCloseTo((10 * 2 ** -24) / (1 - 10 * 2 ** -24), 20);
    expect(gammaN(2 ** 24, 2 ** -24)).toBe(Number.POSITIVE_INFINITY);
    const a = { relErr: 1e-6, norm: 2 };
    const b = { relErr: 1e-7, norm: 3 };
    const c = composeBounds(a, b);
    expect(c.norm).toBe(6);
    expect(c.relErr).toBeCloseTo(1e-6 * (3 + 1e-7) + 2 * 1e-7, 18);
  });

  it("direct convolution, float32 kernel: measured error ≤ γ_T‖k‖₁‖x‖ (1D and 2D, apply and adjoint)", () => {
    const k1 = gaussianKernel1d(4, "float32");
    const k2 = gaussianKernel2d(2, "float32");
    for (const [taps, shape] of [
      [k1, [4096]],
      [k2, [64, 64]],
    ] as const) {
      const K = shape.length === 1 ? conv1d(taps, { shape: [...shape], boundary: "circular", method: "direct", dtype: "float32" }) : conv2d(taps, { shape: [...shape], boundary: "circular", method: "direct", dtype: "float32" });
      const bound = directConvolutionBound(taps, unitRoundoff("float32"));
      for (const adjoint of [false, true]) {
        const x = Float32Array.from(signal(K.inSize));
        const got = adjoint ? K.adjoint(x) : K.apply(x);
        const want = plainConv(taps, [...shape], adjoint, Float64Array.from(x));
        const err = diffNorm(got, want);
        expect(err).toBeLessThanOrEqual(bound.relErr * norm(x));
        expect(err).toBeGreaterThan(bound.relErr * norm(x) * 1e-4); // the bound is not vacuous
      }
      K.dispose();
    }
  });

  it("direct convolution, float64 kernel, against a double-double reference", () => {
    const taps = gaussianKernel1d(4, "float64");
    const n = 2048;
    const K = conv1d(taps, { shape: [n], boundary: "circular", method: "direct", dtype: "float64" });
    const x = signal(n);
    const got = K.apply(x);
    const c = taps.length >> 1;
    const want = new Float64Array(n);
    const window = new Float64Array(taps.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < taps.length; j++) window[j] = x[(((i - j + c) % n) + n) % n];
      want[i] = ddDot(taps, window);
    }
    const bound = directConvolutionBound(taps, unitRoundoff("float64"));
    expect(diffNorm(got, want)).toBeLessThanOrEqual(bound.relErr * norm(x));
    expect(bound.norm).toBeGreaterThanOrEqual(1);
    K.dispose();
  });

  it("periodised DWT (db4), float32 kernel with float32 taps: ‖fl(W₃₂x) − Wx‖ ≤ (relErr + ‖W₃₂ − W‖)‖x‖", () => {
    const taps = waveletFilters("db4");
    for (const [shape, levels] of [
      [[4096], 6],
      [[64, 64], 3],
    ] as const) {
      const W32 = createTransform("db4", { shape: [...shape], levels, dtype: "float32" });
      const ref = plainDwt("db4", [...shape], levels, "float64");
      const b = periodisedDwtBound(taps, levels, shape.length, unitRoundoff("float32"));
      const dW = tapRoundingBound(taps, levels, shape.length, "float32");
      expect(dW).toBeGreaterThan(0);
      const x = Float32Array.from(signal(ref.m));
      const fwd = diffNorm(W32.forward(x), ref.forward(Float64Array.from(x)));
      const adj = diffNorm(W32.adjoint(x), ref.adjoint(Float64Array.from(x)));
      for (const err of [fwd, adj]) {
        expect(err).toBeLessThanOrEqual((b.relErr + dW) * norm(x));
        expect(err).toBeGreaterThan((b.relErr + dW) * norm(x) * 1e-4);
      }
      W32.dispose();
    }
  });

  it("periodised DWT, float64 kernel, within its bound of a double-double pass-by-pass reference", () => {
    // one level, so the reference is one double-double dot product per coefficient
    const taps = waveletFilters("db4");
    const n = 1024;
    const W = createTransform("db4", { shape: [n], levels: 1, dtype: "float64" });
    const x = signal(n);
    const got = W.forward(x);
    const F = 8;
    const want = new Float64Array(n);
    const lo = taps.decLo.slice().reverse();
    const hi = taps.decHi.slice().reverse();
    const window = new Float64Array(F);
    for (let k = 0; k < n / 2; k++) {
      for (let m = 0; m < F; m++) window[m] = x[(((2 * k + m - 3) % n) + n) % n];
      want[k] = ddDot(lo, window);
      want[n / 2 + k] = ddDot(hi, window);
    }
    const b = periodisedDwtBound(taps, 1, 1, unitRoundoff("float64"));
    expect(diffNorm(got, want)).toBeLessThanOrEqual(b.relErr * norm(x));
    // the float64 taps are orthonormal to ~1e-12 (PyWavelets' published digits): ‖W‖ ≤ 1 + ω
    const pass = filterBankPassBound(taps, unitRoundoff("float64"));
    expect(pass.norm).toBeGreaterThan(1);
    expect(pass.norm - 1).toBeLessThan(1e-11);
    W.dispose();
  });
});
