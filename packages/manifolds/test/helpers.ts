// Test helpers: dense matrix checks written here (not imported from src) so the tests do not
// trust the code they check (the seeded generator and comparisons are in @cflow/test-kit).
import type { RealArray } from "@cflow/core";

export function zerosLike(a: RealArray): RealArray {
  return a instanceof Float64Array ? new Float64Array(a.length) : new Float32Array(a.length);
}

export function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
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
