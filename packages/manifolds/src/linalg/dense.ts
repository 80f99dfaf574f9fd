// Small dense matrices as row-major Float64Array (n×m: a[i * m + j]). The matrix manifolds
// compute in float64 with these and convert to the run's dtype only at their boundary.

/** a (n×k) · b (k×m). */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number, out = new Float64Array(n * m)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += ail * b[l * m + j];
    }
  }
  return out;
}

/** aᵀ (n×k, a stored k×n) · b (k×m). */
export function matmulTN(a: Float64Array, b: Float64Array, k: number, n: number, m: number, out = new Float64Array(n * m)): Float64Array {
  out.fill(0);
  for (let l = 0; l < k; l++) {
    for (let i = 0; i < n; i++) {
      const ali = a[l * n + i];
      if (ali === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += ali * b[l * m + j];
    }
  }
  return out;
}

/** a (n×k) · bᵀ (k×m, b stored m×k). */
export function matmulNT(a: Float64Array, b: Float64Array, n: number, k: number, m: number, out = new Float64Array(n * m)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[i * k + l] * b[j * k + l];
      out[i * m + j] = s;
    }
  }
  return out;
}

/** (a + aᵀ)/2 of a square matrix, written to both triangles so the result is exactly symmetric. */
export function symPart(a: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** (a − aᵀ)/2 of a square matrix, exactly skew. */
export function skewPart(a: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 0;
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (a[i * n + j] - a[j * n + i]);
      out[i * n + j] = s;
      out[j * n + i] = -s;
    }
  }
  return out;
}

export function norm(a: ArrayLike<number>): number {
  // Scaled so that huge or tiny entries neither overflow nor underflow.
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** ‖aᵀa − I‖_F for an n×p matrix: how far its columns are from orthonormal. */
export function orthonormalityError(a: Float64Array, n: number, p: number): number {
  const g = matmulTN(a, a, n, p, p);
  for (let i = 0; i < p; i++) g[i * p + i] -= 1;
  return norm(g);
}

/**
 * One Newton–Schulz step a ← a(3I − aᵀa)/2 towards the nearest matrix with orthonormal columns.
 * It maps an orthonormality error δ to O(δ²), so applying it after a step keeps repeated
 * retractions from drifting off the manifold.
 */
export function newtonSchulz(a: Float64Array, n: number, p: number, out = new Float64Array(n * p)): Float64Array {
  const g = matmulTN(a, a, n, p, p);
  for (let i = 0; i < g.length; i++) g[i] = -0.5 * g[i];
  for (let i = 0; i < p; i++) g[i * p + i] += 1.5;
  return matmul(a, g, n, p, p, out);
}
