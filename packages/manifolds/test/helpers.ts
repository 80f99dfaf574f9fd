// Test helpers: a seeded generator independent of the library's RNG, dense matrix checks written
// here (not imported from src) so the tests do not trust the code they check, and tolerances.
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

export function zerosLike(a: RealArray): RealArray {
  return a instanceof Float64Array ? new Float64Array(a.length) : new Float32Array(a.length);
}

/** A tangent vector at x of metric norm `size`, from the projection of a Gaussian. */
export function randomTangent(m: Manifold, x: RealArray, rand: () => number, size: number): RealArray {
  const u = m.projTangent(x, randomArray(m.dtype, x.length, rand));
  const s = size / Math.sqrt(m.metric(x, u, u));
  for (let i = 0; i < u.length; i++) u[i] *= s;
  return u;
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

export function expectBelow(value: number, tol: number, what: string): void {
  if (!(value <= tol)) expect.fail(`${what}: ${value.toExponential(3)} exceeds ${tol.toExponential(1)}`);
}

export function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

export function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** a (n×k) · b (k×m), row-major, on plain arrays. */
export function mm(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): number[] {
  const out = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let l = 0; l < k; l++) for (let j = 0; j < m; j++) out[i * m + j] += a[i * k + l] * b[l * m + j];
  return out;
}

export function tr(a: ArrayLike<number>, n: number, m: number): number[] {
  const out = new Array<number>(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j];
  return out;
}

/** ‖AᵀA − I‖_F for an n×p matrix. */
export function gramError(a: ArrayLike<number>, n: number, p: number): number {
  const g = mm(tr(a, n, p), a, p, n, p);
  for (let i = 0; i < p; i++) g[i * p + i] -= 1;
  return frob(g);
}

export function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** Whether a symmetric matrix is positive definite, by an unpivoted Cholesky written here. */
export function choleskyPositive(a: ArrayLike<number>, n: number): boolean {
  const l = new Array<number>(n * n).fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    if (!(d > 0)) return false;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return true;
}

/** ε of a dtype, for tolerances that scale with precision. */
export function eps(dtype: Dtype): number {
  return dtype === "float64" ? 2.220446049250313e-16 : 1.1920929e-7;
}

/** exp of an n×n matrix by a Taylor series with scaling and squaring, written independently here. */
export function expmSeries(a: ArrayLike<number>, n: number): number[] {
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm = Math.max(norm, Math.abs(a[i]));
  const s = Math.max(0, Math.ceil(Math.log2(norm * n + 1e-300)) + 4);
  const x = Array.from(a, (v) => v / 2 ** s);
  let term: number[] = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  let sum = term.slice();
  for (let k = 1; k < 25; k++) {
    term = mm(term, x, n, n, n).map((v) => v / k);
    sum = sum.map((v, i) => v + term[i]);
  }
  for (let k = 0; k < s; k++) sum = mm(sum, sum, n, n, n);
  return sum;
}
