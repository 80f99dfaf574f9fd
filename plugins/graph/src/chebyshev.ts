// Chebyshev series p(μ) = Σ_k c_k T_k(μ) on [−1, 1] (c_0 is the plain coefficient of T_0, not
// halved), the form in which spectral filters of a graph Laplacian are applied by three-term
// recurrences.

/** Coefficients of the degree-`degree` Chebyshev interpolant of f on [−1, 1] (Gauss–Chebyshev nodes). */
export function chebyshevCoefficients(f: (mu: number) => number, degree: number): Float64Array {
  const nodes = Math.max(4 * (degree + 1), 256);
  const values = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) values[i] = f(Math.cos((Math.PI * (i + 0.5)) / nodes));
  const c = new Float64Array(degree + 1);
  for (let k = 0; k <= degree; k++) {
    let s = 0;
    for (let i = 0; i < nodes; i++) s += values[i] * Math.cos((k * Math.PI * (i + 0.5)) / nodes);
    c[k] = ((k === 0 ? 1 : 2) * s) / nodes;
  }
  return c;
}

/** p(μ) by Clenshaw's recurrence. */
export function chebyshevValue(c: ArrayLike<number>, mu: number): number {
  let b1 = 0;
  let b2 = 0;
  for (let k = c.length - 1; k >= 1; k--) {
    const b = 2 * mu * b1 - b2 + c[k];
    b2 = b1;
    b1 = b;
  }
  return mu * b1 - b2 + c[0];
}

/** The coefficients of p·q, exactly (T_i T_j = (T_{i+j} + T_{|i−j|})/2). */
export function chebyshevProduct(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const h = (a[i] * b[j]) / 2;
      out[i + j] += h;
      out[Math.abs(i - j)] += h;
    }
  }
  return out;
}

/**
 * An enclosure [lo, hi] of p over [−1, 1]. p(cos θ) is a trigonometric polynomial of degree D, so
 * by Bernstein's inequality the deviation q = p − m from any m satisfies |q'| ≤ D·max|q|; sampling
 * θ with spacing h leaves every θ within h/2 of a sample, whence max|q| ≤ max_samples|q| / (1 − D·h/2).
 */
export function chebyshevRange(c: ArrayLike<number>): { lo: number; hi: number } {
  const degree = Math.max(c.length - 1, 1);
  const samples = 64 * degree + 1;
  const h = Math.PI / (samples - 1);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < samples; i++) {
    const v = chebyshevValue(c, Math.cos(i * h));
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2 / (1 - (degree * h) / 2);
  return { lo: mid - half, hi: mid + half };
}
