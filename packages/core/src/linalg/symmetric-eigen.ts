// Dense symmetric eigenproblems, two algorithms for two needs:
// - `symmetricEigenvalues`: all eigenvalues of a large matrix (the exact certificate path, up to
//   ~10³ unknowns) by Householder reduction and implicit QL — O(n³) with a small constant, accurate
//   to ε‖A‖ in absolute terms;
// - `symmetricEigen`: eigenvalues and orthonormal eigenvectors of a small matrix (SPD(n), Stiefel
//   Gram matrices, quaternion averaging) by cyclic Jacobi — slower per size, but the eigenvectors
//   are orthonormal to machine precision and the small eigenvalues of graded positive definite
//   matrices keep high relative accuracy, which matrix square roots and logarithms need and QL
//   cannot give.
import { CflowError } from "../errors.js";
import { tridiagonalEigen, tridiagonalize } from "./tridiagonal.js";

/** All eigenvalues of the symmetric n×n matrix `a` (row-major, lower triangle read, not modified), ascending. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) {
      throw new CflowError("NON_FINITE", `symmetricEigenvalues: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}`, { path: "symmetricEigenvalues", expected: "finite entries", found: a[i] });
    }
  }
  const { d, e } = tridiagonalize(Float64Array.from(a.subarray(0, n * n)), n);
  tridiagonalEigen(d, e);
  return d.sort();
}

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Eigenvectors as the columns of an n×n row-major matrix: column j belongs to values[j]. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 64;

/**
 * Eigen-decomposition A = V diag(λ) Vᵀ of a real symmetric n×n matrix (row-major; the symmetric
 * part (A + Aᵀ)/2 is used) by the cyclic Jacobi method. Jacobi is slow for large n but it is the
 * most accurate dense method for the small matrices manifolds meet (SPD(n), Stiefel Gram
 * matrices): eigenvectors orthonormal to machine precision and small eigenvalues of positive
 * definite matrices with high relative accuracy — what matrix square roots and logarithms need.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) {
    throw new CflowError("SHAPE_MISMATCH", `symmetricEigen: expected an n×n matrix of ${n * n} entries (n = ${n}), found ${a.length}`, {
      path: "symmetricEigen",
      expected: [n, n],
      found: a.length,
    });
  }
  const m = new Float64Array(n * n);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      if (!Number.isFinite(s)) {
        throw new CflowError("NOT_FINITE", `symmetricEigen: entry (${i}, ${j}) is ${s}`, { path: "symmetricEigen", expected: "finite entries", found: s });
      }
      m[i * n + j] = s;
      scale = Math.max(scale, Math.abs(s));
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let converged = n <= 1 || scale === 0;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(m[p * n + q]));
    if (off === 0) {
      converged = true;
      break;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // An entry negligible against both diagonal entries is set to zero (Rutishauser's test):
        // this is what makes Jacobi accurate for tiny eigenvalues, not just small ones in norm.
        if (Math.abs(apq) <= 1e-18 * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) < 1e-300) {
          m[p * n + q] = 0;
          m[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  if (!converged) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(m[p * n + q]));
    // Cyclic Jacobi converges quadratically; reaching this means non-finite arithmetic.
    if (off > 1e-14 * scale) {
      throw new CflowError("EIGEN_NO_CONVERGENCE", `symmetricEigen: no convergence after ${MAX_SWEEPS} sweeps (off-diagonal ${off})`, {
        path: "symmetricEigen",
        found: off,
        expected: `≤ ${1e-14 * scale}`,
      });
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** V diag(f(λ)) Vᵀ: a function of a symmetric matrix through its eigen-decomposition. */
export function symmetricFunction(e: SymmetricEigen, n: number, f: (lambda: number) => number, out = new Float64Array(n * n)): Float64Array {
  const { values, vectors } = e;
  const fl = values.map(f);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * fl[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
