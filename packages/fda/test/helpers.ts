// Independent dense linear algebra for the FDA tests: Jacobi eigenvalues (test-kit's, not the
// library's Householder + QL), random orthogonal matrices by modified Gram–Schmidt, and dense
// test transforms in plain TS.
import type { Dtype, RealArray, TransformOp } from "@cflow/core";
import { jacobiEigen, matrixWithSpectrum, randn, randomOrthogonalMatrix, rowsOf, zerosOf } from "@cflow/test-kit";
import type { CertTransform, LApply } from "../src/index.js";

/** Row-major dense matrix. */
export interface Mat {
  rows: number;
  cols: number;
  a: Float64Array;
}

export function mat(rows: number, cols: number): Mat {
  return { rows, cols, a: new Float64Array(rows * cols) };
}

export function get(m: Mat, i: number, j: number): number {
  return m.a[i * m.cols + j];
}

export function matmul(x: Mat, y: Mat): Mat {
  const z = mat(x.rows, y.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < x.cols; k++) {
      const xik = x.a[i * x.cols + k];
      if (xik === 0) continue;
      for (let j = 0; j < y.cols; j++) z.a[i * z.cols + j] += xik * y.a[k * y.cols + j];
    }
  }
  return z;
}

export function transpose(x: Mat): Mat {
  const t = mat(x.cols, x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) t.a[j * t.cols + i] = x.a[i * x.cols + j];
  return t;
}

export function scaled(x: Mat, s: number): Mat {
  return { rows: x.rows, cols: x.cols, a: x.a.map((v) => v * s) };
}

/** Sub-matrix on rows and columns `idx`. */
export function sub(x: Mat, idx: ArrayLike<number>): Mat {
  const s = mat(idx.length, idx.length);
  for (let p = 0; p < idx.length; p++) for (let q = 0; q < idx.length; q++) s.a[p * s.cols + q] = get(x, idx[p], idx[q]);
  return s;
}

/** Random n×n orthogonal matrix (test-kit's). */
export function randomOrthogonal(n: number, rand: () => number): Mat {
  return { rows: n, cols: n, a: randomOrthogonalMatrix(n, rand) };
}

/** Q diag(eigs) Qᵀ with a random orthogonal Q: a symmetric matrix of known spectrum (test-kit's). */
export function withSpectrum(eigs: ArrayLike<number>, rand: () => number): Mat {
  return { rows: eigs.length, cols: eigs.length, a: matrixWithSpectrum(eigs, rand) };
}

/** Eigenvalues of a symmetric matrix, ascending (test-kit's cyclic Jacobi). */
export function jacobiEigenvalues(m: Mat): Float64Array {
  return Float64Array.from(jacobiEigen(rowsOf(m.a, m.rows)).values);
}

/** Dense η_dd, Gershgorin bound (signed diagonal) of an explicit matrix, with ε = 1e-12·max|L_ii| as the library's default. */
export function denseRowCertificates(m: Mat): { etaDD: number; gershgorin: number } {
  const n = m.rows;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(get(m, i, i)));
  const eps = 1e-12 * maxDiag;
  let etaDD = 0;
  let gershgorin = Infinity;
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < n; j++) if (j !== i) off += Math.abs(get(m, i, j));
    etaDD = Math.max(etaDD, off / (Math.abs(get(m, i, i)) + eps));
    gershgorin = Math.min(gershgorin, get(m, i, i) - off);
  }
  return { etaDD, gershgorin };
}

/** x-space L_apply of an explicit symmetric matrix, in the run's dtype. */
export function denseLApply(l: Mat): LApply {
  return (v, out) => {
    for (let i = 0; i < l.rows; i++) {
      let s = 0;
      for (let j = 0; j < l.cols; j++) s += l.a[i * l.cols + j] * v[j];
      out[i] = s;
    }
  };
}

/** A dense analysis operator W (m×n) as a transform: forward = W x, adjoint = Wᵀ u. */
export function denseTransform(w: Mat, frame: TransformOp["frame"], c: number, dtype: Dtype, name = "dense"): CertTransform {
  return {
    name,
    frame,
    c,
    dtype,
    shape: [w.cols],
    coeffSize: w.rows,
    forward(x, out) {
      const u = out ?? zerosOf(dtype, w.rows);
      for (let i = 0; i < w.rows; i++) {
        let s = 0;
        for (let j = 0; j < w.cols; j++) s += w.a[i * w.cols + j] * x[j];
        u[i] = s;
      }
      return u;
    },
    adjoint(u, out) {
      const x = out ?? zerosOf(dtype, w.cols);
      x.fill(0);
      const acc = new Float64Array(w.cols);
      for (let i = 0; i < w.rows; i++) {
        const ui = u[i];
        for (let j = 0; j < w.cols; j++) acc[j] += w.a[i * w.cols + j] * ui;
      }
      x.set(acc);
      return x;
    },
  };
}

/** Symmetric banded matrix with entries in |i − j| ≤ b (cyclic when periodic), diagonal `diag`. */
export function bandedMatrix(n: number, b: number, diag: number, rand: () => number, periodic = false): Mat {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) {
    m.a[i * n + i] = diag * (0.5 + rand());
    for (let d = 1; d <= b; d++) {
      const j = periodic ? (i + d) % n : i + d;
      if (!periodic && j >= n) break;
      if (j === i) continue;
      const v = randn(rand) / d;
      m.a[i * n + j] += v;
      m.a[j * n + i] += v;
    }
  }
  return m;
}

/** Orthonormal periodic Haar analysis matrix, coefficient layout [a_L, d_L, ..., d_1] (like PyWavelets' wavedec). */
export function haarMatrix(n: number, levels: number): Mat {
  const w = mat(n, n);
  for (let j = 0; j < n; j++) {
    let x = new Float64Array(n);
    x[j] = 1;
    const out = new Float64Array(n);
    let len = n;
    for (let l = 0; l < levels; l++) {
      const half = len / 2;
      const a = new Float64Array(half);
      for (let i = 0; i < half; i++) {
        a[i] = (x[2 * i] + x[2 * i + 1]) / Math.SQRT2;
        out[half + i] = (x[2 * i] - x[2 * i + 1]) / Math.SQRT2;
      }
      x = a;
      len = half;
    }
    out.set(x.subarray(0, len), 0);
    for (let i = 0; i < n; i++) w.a[i * n + j] = out[i];
  }
  return w;
}

/** KᵀK for the circular Gaussian blur K of width σ (rows of K sum to 1). */
export function blurNormalMatrix(n: number, sigma: number): Mat {
  const k = mat(n, n);
  const g = new Float64Array(n);
  let sum = 0;
  for (let d = 0; d < n; d++) {
    const dd = Math.min(d, n - d);
    g[d] = Math.exp(-(dd * dd) / (2 * sigma * sigma));
    sum += g[d];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k.a[i * n + j] = g[(i - j + n) % n] / sum;
  return matmul(transpose(k), k);
}
