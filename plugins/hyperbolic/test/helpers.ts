// Test helpers written independently of src/: a seeded generator (not the library's RNG), plain
// Möbius arithmetic for closed forms, and comparisons that name what they measure.
import type { Dtype, Manifold, RealArray } from "@cflow/core";
import { expect } from "vitest";

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

export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

export function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖a − b‖ / max(‖b‖, floor). */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / Math.max(norm(b), floor);
}

export function expectBelow(value: number, bound: number, what: string): void {
  if (!(value <= bound)) expect.fail(`${what}: ${value.toExponential(3)} exceeds ${bound.toExponential(1)}`);
}

export function eps(dtype: Dtype): number {
  return dtype === "float64" ? 2 ** -52 : 2 ** -23;
}

/** A tangent vector at x of metric norm `size`. */
export function randomTangent(m: Manifold, x: RealArray, rand: () => number, size: number): RealArray {
  const u = m.projTangent(x, randomArray(m.dtype, x.length, rand));
  const s = size / Math.sqrt(m.metric(x, u, u));
  for (let i = 0; i < u.length; i++) u[i] *= s;
  return u;
}

/** Möbius addition of the ball of curvature −c, written out from its definition. */
export function mobius(x: ArrayLike<number>, y: ArrayLike<number>, c = 1): number[] {
  const xy = dotArr(x, y);
  const xx = dotArr(x, x);
  const yy = dotArr(y, y);
  const den = 1 + 2 * c * xy + c * c * xx * yy;
  return Array.from(x, (xi, i) => ((1 + 2 * c * xy + c * yy) * xi + (1 - c * xx) * y[i]) / den);
}

/** d(x, y) = (2/√c) artanh(√c‖(−x) ⊕ y‖). */
export function closedFormDist(x: ArrayLike<number>, y: ArrayLike<number>, c = 1): number {
  const z = mobius(Array.from(x, (q) => -q), y, c);
  return (2 / Math.sqrt(c)) * Math.atanh(Math.sqrt(c) * norm(z));
}
