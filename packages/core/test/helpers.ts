// Test helpers: a small seeded generator (independent of the library's own RNG, so tests do not
// depend on the code they check) and tolerance-aware comparisons.
import { expect } from "vitest";
import type { Dtype, RealArray } from "../src/dtype.js";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randn(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function randomArray(dtype: Dtype, n: number, rand: () => number): RealArray {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = randn(rand);
  return a;
}

/** Tolerance for kernel-vs-reference parity (DESIGN: 1e-12 relative in f64, 1e-5 in f32). */
export function parityTol(dtype: Dtype): number {
  return dtype === "float64" ? 1e-12 : 1e-5;
}

/** ‖a − b‖∞ / max(‖b‖∞, tiny): a relative error on the scale of the data. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}

export function expectArrayClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): void {
  const e = relErr(a, b);
  if (!(e <= rtol)) expect.fail(`relative error ${e.toExponential(3)} exceeds ${rtol.toExponential(1)}`);
}

export function expectScalarClose(a: number, b: number, rtol: number, atol = 0): void {
  const e = Math.abs(a - b);
  if (!(e <= rtol * Math.abs(b) + atol)) {
    expect.fail(`${a} differs from ${b} by ${e.toExponential(3)} (rtol ${rtol.toExponential(1)})`);
  }
}

/** Random sizes for parity tests: small, odd, non-multiples of the SIMD width, and a large one. */
export function paritySizes(rand: () => number): number[] {
  const s = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099];
  for (let i = 0; i < 4; i++) s.push(1 + Math.floor(rand() * 3000));
  return s;
}

/** max |a − b| ≤ atol (for outputs that may cancel to ~0, compared on the scale of the inputs). */
export function expectArrayNear(a: ArrayLike<number>, b: ArrayLike<number>, atol: number): void {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  if (!(e <= atol)) expect.fail(`max abs error ${e.toExponential(3)} exceeds ${atol.toExponential(1)}`);
}

/** ‖a‖∞ */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
