// Independent plain-TypeScript solvers and operators for the runtime tests: nothing here uses
// cflow's kernel, plans, atoms or runner, so agreement is evidence, not tautology.

export type Mat = { rows: number; cols: number; a: Float64Array };

export function matVec(A: Mat, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += A.a[i * A.cols + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function matTVec(A: Mat, y: ArrayLike<number>): Float64Array {
  const x = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) x[j] += A.a[i * A.cols + j] * y[i];
  return x;
}

export function norm2sq(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

/** Lasso ½‖Ax − b‖² + λ‖x‖₁ by cyclic coordinate descent with a maintained residual, to convergence. */
export function lassoCoordinateDescent(A: Mat, b: ArrayLike<number>, lambda: number, opts: { sweeps?: number; tol?: number; nonneg?: boolean } = {}): Float64Array {
  const { rows: m, cols: n } = A;
  const x = new Float64Array(n);
  const r = Float64Array.from(b); // r = b − Ax
  const colNorm = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) colNorm[j] += A.a[i * n + j] ** 2;
  for (let sweep = 0; sweep < (opts.sweeps ?? 100000); sweep++) {
    let maxDelta = 0;
    for (let j = 0; j < n; j++) {
      if (colNorm[j] === 0) continue;
      let rho = 0;
      for (let i = 0; i < m; i++) rho += A.a[i * n + j] * r[i];
      rho += colNorm[j] * x[j];
      let xj = Math.sign(rho) * Math.max(Math.abs(rho) - lambda, 0) / colNorm[j];
      if (opts.nonneg) xj = Math.max(xj, 0);
      const d = xj - x[j];
      if (d !== 0) {
        for (let i = 0; i < m; i++) r[i] -= A.a[i * n + j] * d;
        x[j] = xj;
        maxDelta = Math.max(maxDelta, Math.abs(d));
      }
    }
    if (maxDelta < (opts.tol ?? 1e-15)) break;
  }
  return x;
}

export function lassoObjective(A: Mat, b: ArrayLike<number>, lambda: number, x: ArrayLike<number>): number {
  const r = matVec(A, x);
  let f = 0;
  for (let i = 0; i < r.length; i++) f += (r[i] - b[i]) ** 2;
  let g = 0;
  for (let j = 0; j < x.length; j++) g += Math.abs(x[j]);
  return 0.5 * f + lambda * g;
}

/** A seeded Gaussian matrix scaled by 1/√rows. */
export function gaussianMatrix(rows: number, cols: number, rand: () => number): Mat {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) {
    const u = Math.max(rand(), 1e-300);
    a[i] = (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())) / Math.sqrt(rows);
  }
  return { rows, cols, a };
}

/** y = k ⊛ x circularly, the kernel of m taps centred at ⌊m/2⌋: y[i] = Σ_j k[j]·x[(i − j + c) mod n]. */
export function circularConv(x: ArrayLike<number>, k: ArrayLike<number>): Float64Array {
  const n = x.length;
  const c = Math.floor(k.length / 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k.length; j++) s += k[j] * x[(((i - j + c) % n) + n) % n];
    y[i] = s;
  }
  return y;
}

/** Separable circular 2D convolution of a rows×cols image (row filter along the width, then the column filter). */
export function circularConv2d(x: ArrayLike<number>, rows: number, cols: number, k: ArrayLike<number>): Float64Array {
  const tmp = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) tmp.set(circularConv(Array.from({ length: cols }, (_, j) => x[r * cols + j]), k), r * cols);
  const y = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const col = circularConv(Array.from({ length: rows }, (_, r) => tmp[r * cols + j]), k);
    for (let r = 0; r < rows; r++) y[r * cols + j] = col[r];
  }
  return y;
}

/** The matrix with columns f(e_j) (rows = length of f's output). */
export function matrixOf(n: number, f: (e: Float64Array) => ArrayLike<number>): Mat {
  const e = new Float64Array(n);
  let rows = 0;
  let a = new Float64Array(0);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = f(e);
    if (j === 0) {
      rows = col.length;
      a = new Float64Array(rows * n);
    }
    for (let i = 0; i < rows; i++) a[i * n + j] = col[i];
  }
  return { rows, cols: n, a };
}

/**
 * min_u ½‖Bu − y‖² + ½μ‖u‖² + λ Σ_{j ∈ penalised} |u_j| by cyclic coordinate descent with a
 * maintained residual, to convergence (exact one-dimensional minimisations).
 */
export function elasticCoordinateDescent(B: Mat, y: ArrayLike<number>, mu: number, lambda: number, penalised: (j: number) => boolean, opts: { sweeps?: number; tol?: number } = {}): Float64Array {
  const { rows: m, cols: n } = B;
  const u = new Float64Array(n);
  const r = Float64Array.from(y);
  const colNorm = new Float64Array(n);
  // column-major copy: the sweep reads columns
  const cols = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cols[j * m + i] = B.a[i * n + j];
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) colNorm[j] += cols[j * m + i] ** 2;
  for (let sweep = 0; sweep < (opts.sweeps ?? 100000); sweep++) {
    let maxDelta = 0;
    let maxU = 0;
    for (let j = 0; j < n; j++) {
      const c = cols.subarray(j * m, (j + 1) * m);
      let rho = 0;
      for (let i = 0; i < m; i++) rho += c[i] * r[i];
      rho += colNorm[j] * u[j];
      const den = colNorm[j] + mu;
      const t = penalised(j) ? lambda : 0;
      const uj = (Math.sign(rho) * Math.max(Math.abs(rho) - t, 0)) / den;
      const d = uj - u[j];
      if (d !== 0) {
        for (let i = 0; i < m; i++) r[i] -= c[i] * d;
        u[j] = uj;
        maxDelta = Math.max(maxDelta, Math.abs(d));
      }
      maxU = Math.max(maxU, Math.abs(uj));
    }
    if (maxDelta <= (opts.tol ?? 1e-15) * Math.max(maxU, 1e-300)) break;
  }
  return u;
}

/** min ½‖Ax − b‖² + ½μ‖x‖² subject to lo ≤ x ≤ hi, by projected (exact) coordinate descent. */
export function boxCoordinateDescent(A: Mat, b: ArrayLike<number>, lo: number, hi: number, opts: { mu?: number; sweeps?: number; tol?: number } = {}): Float64Array {
  const { rows: m, cols: n } = A;
  const mu = opts.mu ?? 0;
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) x[j] = Math.min(Math.max(0, lo), hi);
  const r = Float64Array.from(b, (v, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += A.a[i * n + j] * x[j];
    return v - s;
  });
  const colNorm = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) colNorm[j] += A.a[i * n + j] ** 2;
  for (let sweep = 0; sweep < (opts.sweeps ?? 200000); sweep++) {
    let maxDelta = 0;
    for (let j = 0; j < n; j++) {
      let rho = 0;
      for (let i = 0; i < m; i++) rho += A.a[i * n + j] * r[i];
      // minimiser of ½(colNorm+μ)t² − (rho + colNorm·x_j)t over the box
      const xj = Math.min(Math.max((rho + colNorm[j] * x[j]) / (colNorm[j] + mu), lo), hi);
      const d = xj - x[j];
      if (d !== 0) {
        for (let i = 0; i < m; i++) r[i] -= A.a[i * n + j] * d;
        x[j] = xj;
        maxDelta = Math.max(maxDelta, Math.abs(d));
      }
    }
    if (maxDelta < (opts.tol ?? 1e-16)) break;
  }
  return x;
}

/**
 * 1D total-variation denoising argmin_x ½‖x − y‖² + λ Σ|x_{i+1} − x_i|, exactly, by Condat's
 * direct algorithm ("A direct algorithm for 1D total variation denoising", IEEE SPL 2013).
 */
export function tv1dCondat(y: ArrayLike<number>, lambda: number): Float64Array {
  const N = y.length;
  const x = new Float64Array(N);
  if (N === 0) return x;
  if (N === 1 || lambda === 0) {
    x.set(Array.from(y));
    return x;
  }
  let k = 0;
  let k0 = 0;
  let kplus = 0;
  let kminus = 0;
  let umin = lambda;
  let umax = -lambda;
  let vmin = y[0] - lambda;
  let vmax = y[0] + lambda;
  const twolambda = 2 * lambda;
  const minlambda = -lambda;
  for (;;) {
    while (k === N - 1) {
      if (umin < 0) {
        do x[k0++] = vmin;
        while (k0 <= kminus);
        kminus = k = k0;
        vmin = y[k];
        umin = lambda;
        umax = vmin + umin - vmax;
      } else if (umax > 0) {
        do x[k0++] = vmax;
        while (k0 <= kplus);
        kplus = k = k0;
        vmax = y[k];
        umax = minlambda;
        umin = vmax + umax - vmin;
      } else {
        vmin += umin / (k - k0 + 1);
        do x[k0++] = vmin;
        while (k0 <= k);
        return x;
      }
    }
    umin += y[k + 1] - vmin;
    if (umin < minlambda) {
      do x[k0++] = vmin;
      while (k0 <= kminus);
      kplus = kminus = k = k0;
      vmin = y[k];
      vmax = vmin + twolambda;
      umin = lambda;
      umax = minlambda;
      continue;
    }
    umax += y[k + 1] - vmax;
    if (umax > lambda) {
      do x[k0++] = vmax;
      while (k0 <= kplus);
      kplus = kminus = k = k0;
      vmax = y[k];
      vmin = vmax - twolambda;
      umin = lambda;
      umax = minlambda;
      continue;
    }
    k++;
    if (umin >= lambda) {
      kminus = k;
      vmin += (umin - lambda) / (kminus - k0 + 1);
      umin = lambda;
    }
    if (umax <= minlambda) {
      kplus = k;
      vmax += (umax + lambda) / (kplus - k0 + 1);
      umax = minlambda;
    }
  }
}

/** TV(x) of a rows×cols image with Neumann forward differences: anisotropic Σ|∂₀x| + |∂₁x|, or isotropic Σ‖(∂₀x, ∂₁x)‖₂. */
export function tv2dValue(x: ArrayLike<number>, rows: number, cols: number, isotropic: boolean): number {
  let s = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = i + 1 < rows ? x[(i + 1) * cols + j] - x[i * cols + j] : 0;
      const b = j + 1 < cols ? x[i * cols + j + 1] - x[i * cols + j] : 0;
      s += isotropic ? Math.hypot(a, b) : Math.abs(a) + Math.abs(b);
    }
  }
  return s;
}

/** A certified ROF solution: primal x, dual q (one pair per pixel), and the bounds they prove. */
export interface RofCertificate {
  x: Float64Array;
  /** q = (q⁰, q¹): q⁰ in [0, n), q¹ in [n, 2n); x = y − Dᵀq. */
  q: Float64Array;
  /** P(x) = ½‖x − y‖² + λ·TV(x) ≥ min. */
  primal: number;
  /** D(q) = ½‖y‖² − ½‖y − Dᵀq‖² ≤ min (q is dual feasible). */
  dual: number;
  /** P(x) − D(q) = Σ_ij λ‖(Dx)_ij‖ − ⟨(Dx)_ij, q_ij⟩, a sum of non-negative terms (no cancellation). */
  gap: number;
  iterations: number;
}

/**
 * 2D TV denoising argmin_x ½‖x − y‖² + λ·TV(x) through its dual: min over q = (q⁰, q¹) (one pair
 * per pixel; |q| ≤ λ per component when anisotropic, ‖q_ij‖₂ ≤ λ when isotropic) of
 * ½‖y − Dᵀq‖², by projected gradient with Nesterov momentum and gradient-based adaptive restart
 * (O'Donoghue & Candès), step 1/8 (‖D‖² ≤ 8). Every `every` steps it computes the duality gap
 * P(x) − D(q) at x = y − Dᵀq and stops once gap ≤ tol·P (default 1e-14) or after `iterations`
 * steps. The answer is certified by its gap: min ∈ [dual, primal].
 */
export function tv2dDual(y: ArrayLike<number>, rows: number, cols: number, lambda: number, isotropic: boolean, opts: { iterations?: number; tol?: number; every?: number } = {}): RofCertificate {
  const n = rows * cols;
  const yv = Float64Array.from(y as ArrayLike<number>);
  // valid components: (Dx)⁰ is 0 on the last row, (Dx)¹ on the last column (Neumann)
  const last = (k: number) => [k >= n - cols, k % cols === cols - 1] as const;
  const q = new Float64Array(2 * n);
  const r = new Float64Array(2 * n);
  const prev = new Float64Array(2 * n);
  const x = new Float64Array(n);
  const d = new Float64Array(2 * n);
  /** x = y − Dᵀa, with (Dᵀa)_k = −(a⁰_k − a⁰_{k−cols}) − (a¹_k − a¹_{k−1}) over valid components. */
  const primalOf = (a: Float64Array) => {
    for (let k = 0; k < n; k++) {
      const [lr, lc] = last(k);
      let s = yv[k];
      if (!lr) s += a[k];
      if (k >= cols) s -= a[k - cols];
      if (!lc) s += a[n + k];
      if (k % cols !== 0) s -= a[n + k - 1];
      x[k] = s;
    }
  };
  const gradOf = () => {
    for (let k = 0; k < n; k++) {
      const [lr, lc] = last(k);
      d[k] = lr ? 0 : x[k + cols] - x[k];
      d[n + k] = lc ? 0 : x[k + 1] - x[k];
    }
  };
  const certify = (iterations: number): RofCertificate => {
    primalOf(q);
    gradOf();
    let fit = 0;
    let yy = 0;
    let xx = 0;
    let tv = 0;
    let gap = 0;
    for (let k = 0; k < n; k++) {
      const a = d[k];
      const b = d[n + k];
      const t = isotropic ? Math.sqrt(a * a + b * b) : Math.abs(a) + Math.abs(b);
      tv += t;
      gap += lambda * t - (a * q[k] + b * q[n + k]);
      fit += (x[k] - yv[k]) ** 2;
      yy += yv[k] * yv[k];
      xx += x[k] * x[k];
    }
    return { x: Float64Array.from(x), q: Float64Array.from(q), primal: 0.5 * fit + lambda * tv, dual: 0.5 * (yy - xx), gap, iterations };
  };
  const iterations = opts.iterations ?? 200000;
  const tol = opts.tol ?? 1e-14;
  const every = opts.every ?? 500;
  let t = 1;
  let best = certify(0);
  for (let it = 1; it <= iterations; it++) {
    // gradient of ½‖y − Dᵀr‖² at r is −D(y − Dᵀr)
    primalOf(r);
    gradOf();
    prev.set(q);
    let uphill = 0;
    for (let k = 0; k < n; k++) {
      const [lr, lc] = last(k);
      let a = lr ? 0 : r[k] + d[k] / 8;
      let b = lc ? 0 : r[n + k] + d[n + k] / 8;
      if (isotropic) {
        const m = Math.sqrt(a * a + b * b);
        if (m > lambda) {
          a *= lambda / m;
          b *= lambda / m;
        }
      } else {
        a = Math.min(Math.max(a, -lambda), lambda);
        b = Math.min(Math.max(b, -lambda), lambda);
      }
      q[k] = a;
      q[n + k] = b;
      // restart when the momentum points uphill: ⟨r − q, q − q_prev⟩ > 0
      uphill += (r[k] - a) * (a - prev[k]) + (r[n + k] - b) * (b - prev[n + k]);
    }
    const tn = uphill > 0 ? 1 : (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const beta = uphill > 0 ? 0 : (t - 1) / tn;
    t = tn;
    for (let i = 0; i < 2 * n; i++) r[i] = q[i] + beta * (q[i] - prev[i]);
    if (it % every === 0 || it === iterations) {
      const c = certify(it);
      if (c.gap < best.gap) best = c;
      if (c.gap <= tol * Math.abs(c.primal)) break;
    }
  }
  return best;
}
