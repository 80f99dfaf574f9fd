// Comparisons that say what they measured when they fail.
import { expect } from "vitest";
import type { Dtype } from "./rng.js";

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

/** relErr(a, b) ≤ rtol. */
export function expectArrayClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number): void {
  const e = relErr(a, b);
  if (!(e <= rtol)) expect.fail(`relative error ${e.toExponential(3)} exceeds ${rtol.toExponential(1)}`);
}

/** |a − b| ≤ rtol·|b| + atol. */
export function expectScalarClose(a: number, b: number, rtol: number, atol = 0): void {
  const e = Math.abs(a - b);
  if (!(e <= rtol * Math.abs(b) + atol)) {
    expect.fail(`${a} differs from ${b} by ${e.toExponential(3)} (rtol ${rtol.toExponential(1)}, atol ${atol.toExponential(1)})`);
  }
}

/** max |a − b| ≤ atol (for outputs that may cancel to ~0, compared on the scale of the inputs). */
export function expectArrayNear(a: ArrayLike<number>, b: ArrayLike<number>, atol: number): void {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  if (!(e <= atol)) expect.fail(`max abs error ${e.toExponential(3)} exceeds ${atol.toExponential(1)}`);
}

/** ‖a − b‖₂ / max(‖b‖₂, floor). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    nb += b[i] * b[i];
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(nb), floor);
}

/** value ≤ bound, naming what was measured. */
export function expectBelow(value: number, bound: number, what: string): void {
  if (!(value <= bound)) expect.fail(`${what}: ${value.toExponential(3)} exceeds ${bound.toExponential(1)}`);
}

/** ‖a‖∞ */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖a‖₂ */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Machine epsilon of a dtype, for tolerances that scale with precision. */
export function eps(dtype: Dtype): number {
  return dtype === "float64" ? 2 ** -52 : 2 ** -23;
}

/** Pick a tolerance by dtype. */
export function tolFor(dtype: Dtype, f64: number, f32: number): number {
  return dtype === "float64" ? f64 : f32;
}

/** Whether two typed arrays hold the same bits (same type, length and bytes). */
export function sameBits(a: Float64Array | Float32Array, b: Float64Array | Float32Array): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
