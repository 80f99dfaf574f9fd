import { CflowError } from "@cflow/core";

/**
 * Lower-triangular L with A = L Lᵀ for a symmetric positive definite n×n matrix (row-major, the
 * lower triangle is read). Throws a CflowError naming `operation` when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number, operation: string): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) {
      throw new CflowError("NOT_POSITIVE_DEFINITE", `${operation}: expected a symmetric positive definite matrix, found pivot ${d} at row ${j}`, {
        path: operation,
        expected: "positive definite",
        found: d,
      });
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** L⁻¹ B for lower-triangular L (n×n) and B (n×m), by forward substitution. */
export function solveLower(l: Float64Array, b: Float64Array, n: number, m: number, out = new Float64Array(n * m)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = b[i * m + j];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * out[k * m + j];
      out[i * m + j] = s / l[i * n + i];
    }
  }
  return out;
}

/** L⁻ᵀ B for lower-triangular L (n×n) and B (n×m), by back substitution. */
export function solveLowerT(l: Float64Array, b: Float64Array, n: number, m: number, out = new Float64Array(n * m)): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < m; j++) {
      let s = b[i * m + j];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * out[k * m + j];
      out[i * m + j] = s / l[i * n + i];
    }
  }
  return out;
}

/** L⁻¹ V L⁻ᵀ for a symmetric n×n V: V seen from the frame in which X = L Lᵀ is the identity. */
export function whiten(l: Float64Array, v: Float64Array, n: number): Float64Array {
  const w = solveLower(l, v, n, n); // L⁻¹V
  // (L⁻¹V)L⁻ᵀ = (L⁻¹ (L⁻¹V)ᵀ)ᵀ; V symmetric makes the result symmetric.
  const wt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) wt[i * n + j] = w[j * n + i];
  const r = solveLower(l, wt, n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (r[i * n + j] + r[j * n + i]);
      r[i * n + j] = s;
      r[j * n + i] = s;
    }
  }
  return r;
}
