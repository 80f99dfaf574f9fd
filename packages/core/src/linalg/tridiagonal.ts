// Symmetric tridiagonal eigenproblems: Householder reduction of a dense symmetric matrix to
// tridiagonal form, and the implicit QL iteration with Wilkinson-type shifts (EISPACK tred/tql),
// in float64 whatever the run's dtype. Lanczos' tridiagonal matrices go straight to the QL step.
import { CflowError } from "../errors.js";

/**
 * Reduces the symmetric n×n matrix `a` (row-major; only the lower triangle is read; destroyed)
 * to tridiagonal form Qᵀ a Q = tridiag(e, d, e). Returns d (n) and e (n, e[i] couples i and i+1,
 * e[n−1] = 0). Cost ≈ 4n³/3 flops: the rank-2 updates touch only the lower triangle.
 */
export function tridiagonalize(a: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  if (a.length < n * n) throw new CflowError("SHAPE_MISMATCH", `tridiagonalize: expected ${n * n} entries, found ${a.length}`, { path: "tridiagonalize", expected: n * n, found: a.length });
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Householder vector for column k below the diagonal: (I − β v vᵀ) x = −sign(x₀)‖x‖ e₁.
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + k]));
    d[k] = a[k * n + k];
    if (scale === 0) {
      e[k] = 0;
      continue;
    }
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = a[i * n + k] / scale;
      v[i] = x;
      norm2 += x * x;
    }
    const x0 = v[k + 1];
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    e[k] = alpha * scale;
    v[k + 1] = x0 - alpha;
    const vnorm2 = norm2 - x0 * x0 + v[k + 1] * v[k + 1];
    if (vnorm2 === 0) continue;
    const beta = 2 / vnorm2;
    // p = β A₂₂ v from the lower triangle.
    p.fill(0, k + 1, n);
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      let s = 0;
      for (let j = k + 1; j < i; j++) {
        const aij = a[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + a[row + i] * vi;
    }
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] *= beta;
      pv += p[i] * v[i];
    }
    // w = p − (β pᵀv / 2) v (stored in p); A₂₂ ← A₂₂ − v wᵀ − w vᵀ.
    const half = (beta * pv) / 2;
    for (let i = k + 1; i < n; i++) p[i] -= half * v[i];
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      const wi = p[i];
      for (let j = k + 1; j <= i; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + (n - 2)];
    e[n - 2] = a[(n - 1) * n + (n - 2)];
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + (n - 1)];
  return { d, e };
}

/**
 * Eigenvalues (in place in `d`, unsorted) of the symmetric tridiagonal matrix tridiag(e, d, e)
 * by the implicit QL iteration. With `z` (r×n row-major, r ≤ n) the rotations are accumulated
 * into its rows: starting from the identity (r = n) its columns become the eigenvectors, z[k·n + i]
 * component k of vector i; starting from rows of the identity, just those components (Lanczos
 * needs only the last one, for its residuals, at O(n²) instead of O(n³)).
 */
export function tridiagonalEigen(d: Float64Array, e: Float64Array, z?: Float64Array): void {
  const n = d.length;
  if (e.length < n) throw new CflowError("SHAPE_MISMATCH", `tridiagonalEigen: off-diagonal needs ${n} entries (last one 0), found ${e.length}`, { path: "tridiagonalEigen", expected: n, found: e.length });
  const zRows = z ? Math.floor(z.length / n) : 0;
  e[n - 1] = 0;
  // The local test |e_m| ≤ ε(|d_m| + |d_{m+1}|) never fires when both diagonals are 0 (rank-deficient
  // matrices: a lasso Gram with more active columns than rows); compare with the matrix's scale too.
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(d[i]) + Math.abs(e[i]));
  const floor = Number.EPSILON * scale;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd || Math.abs(e[m]) <= floor) break;
      }
      if (m !== l) {
        if (iter++ === 60) {
          throw new CflowError("NO_CONVERGENCE", `tridiagonalEigen: the QL iteration did not converge for eigenvalue ${l} of ${n} in 60 sweeps`, { path: "tridiagonalEigen", found: "non-finite or pathological input" });
        }
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let deflated = false;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            deflated = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          if (z) {
            for (let k = 0; k < zRows; k++) {
              const row = k * n;
              f = z[row + i + 1];
              z[row + i + 1] = s * z[row + i] + c * f;
              z[row + i] = c * z[row + i] - s * f;
            }
          }
        }
        if (deflated) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
