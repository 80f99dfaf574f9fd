// Symmetric test matrices of a prescribed spectrum, built from Gaussian samples of the test
// generator (row-major Float64Array, n×n).
import { randn } from "./rng.js";

/** A random n×n orthogonal matrix: modified Gram–Schmidt (twice) on Gaussian columns. */
export function randomOrthogonalMatrix(n: number, rand: () => number): Float64Array {
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = randn(rand);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * q[i];
      }
    }
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    for (let i = 0; i < n; i++) v[i] /= nv;
    cols.push(v);
  }
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) q[i * n + j] = cols[j][i];
  return q;
}

/** Q diag(eigs) Qᵀ with a random orthogonal Q: a symmetric matrix of known spectrum. */
export function matrixWithSpectrum(eigs: ArrayLike<number>, rand: () => number): Float64Array {
  const n = eigs.length;
  const q = randomOrthogonalMatrix(n, rand);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * eigs[k] * q[j * n + k];
      l[i * n + j] = l[j * n + i] = s;
    }
  }
  return l;
}

/** `n` values log-spaced from lo to hi. */
export function logspace(lo: number, hi: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo * (hi / lo) ** (n === 1 ? 0 : i / (n - 1));
  return out;
}
