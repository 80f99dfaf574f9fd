/**
 * Householder QR of an n×p matrix: A = Q R with Q = H₀H₁⋯H_{r−1} (r = min(n, p)) an n×n
 * orthogonal matrix kept implicitly as reflectors. The last n − rank columns of Q complete the
 * column space of A to an orthonormal basis of Rⁿ — how the Stiefel manifold gets an orthonormal
 * basis of the complement of span(X) without forming an n×n matrix.
 */
export class HouseholderQR {
  private readonly vs: (Float64Array | null)[] = [];
  private readonly betas: number[] = [];
  /** Qᵀ A: upper trapezoidal n×p. */
  readonly r: Float64Array;

  constructor(
    a: Float64Array,
    readonly n: number,
    readonly p: number,
  ) {
    const w = Float64Array.from(a);
    const steps = Math.min(n, p);
    for (let i = 0; i < steps; i++) {
      let sigma = 0;
      for (let k = i; k < n; k++) sigma += w[k * p + i] * w[k * p + i];
      const alpha = Math.sqrt(sigma);
      if (alpha === 0) {
        this.vs.push(null);
        this.betas.push(0);
        continue;
      }
      // v = x + sign(x₀)‖x‖e₀ avoids cancellation.
      const v = new Float64Array(n - i);
      for (let k = i; k < n; k++) v[k - i] = w[k * p + i];
      const x0 = v[0];
      v[0] += x0 >= 0 ? alpha : -alpha;
      let vv = 0;
      for (let k = 0; k < v.length; k++) vv += v[k] * v[k];
      const beta = 2 / vv;
      this.vs.push(v);
      this.betas.push(beta);
      reflect(v, beta, i, w, p, i);
    }
    this.r = w;
  }

  /** B ← Qᵀ B in place for an n×m B. */
  applyQT(b: Float64Array, m: number): Float64Array {
    for (let i = 0; i < this.vs.length; i++) {
      const v = this.vs[i];
      if (v) reflect(v, this.betas[i], i, b, m, 0);
    }
    return b;
  }

  /** B ← Q B in place for an n×m B. */
  applyQ(b: Float64Array, m: number): Float64Array {
    for (let i = this.vs.length - 1; i >= 0; i--) {
      const v = this.vs[i];
      if (v) reflect(v, this.betas[i], i, b, m, 0);
    }
    return b;
  }
}

/** Applies I − β v vᵀ (acting on rows offset.. of an n×m matrix) to columns from `col` on. */
function reflect(v: Float64Array, beta: number, offset: number, b: Float64Array, m: number, col: number): void {
  for (let j = col; j < m; j++) {
    let s = 0;
    for (let k = 0; k < v.length; k++) s += v[k] * b[(offset + k) * m + j];
    s *= beta;
    if (s === 0) continue;
    for (let k = 0; k < v.length; k++) b[(offset + k) * m + j] -= s * v[k];
  }
}
