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

/**
 * 2D TV denoising argmin_x ½‖x − y‖² + λ·TV(x) through its dual: min over p = (p⁰, p¹) (one pair
 * per pixel; |p| ≤ λ per component when anisotropic, ‖p_ij‖₂ ≤ λ when isotropic) of
 * ½‖y − Dᵀp‖², by projected gradient with Nesterov momentum and gradient-based adaptive restart
 * (O'Donoghue & Candès), step 1/8 (‖D‖² ≤ 8), run until the duality gap P(x) − D(p) at
 * x = y − Dᵀp stops shrinking. Returns x and the gap, a certificate of the answer's accuracy.
 */
export function tv2dDual(y: ArrayLike<number>, rows: number, cols: number, lambda: number, isotropic: boolean, opts: { iterations?: number } = {}): { x: Float64Array; gap: number; primal: number } {
  const n = rows * cols;
  // (D x)⁰_ij = x_{i+1,j} − x_ij and (D x)¹_ij = x_{i,j+1} − x_ij, zero on the last row / column
  const grad = (x: Float64Array, g0: Float64Array, g1: Float64Array) => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        g0[k] = i + 1 < rows ? x[k + cols] - x[k] : 0;
        g1[k] = j + 1 < cols ? x[k + 1] - x[k] : 0;
      }
    }
  };
  // x = y − Dᵀp
  const primalOf = (p0: Float64Array, p1: Float64Array, x: Float64Array) => {
    x.set(Array.from(y));
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        if (i + 1 < rows) {
          x[k] += p0[k];
          x[k + cols] -= p0[k];
        }
        if (j + 1 < cols) {
          x[k] += p1[k];
          x[k + 1] -= p1[k];
        }
      }
    }
  };
  const project = (p0: Float64Array, p1: Float64Array) => {
    for (let k = 0; k < n; k++) {
      if (isotropic) {
        const r = Math.hypot(p0[k], p1[k]);
        if (r > lambda) {
          p0[k] *= lambda / r;
          p1[k] *= lambda / r;
        }
      } else {
        p0[k] = Math.min(Math.max(p0[k], -lambda), lambda);
        p1[k] = Math.min(Math.max(p1[k], -lambda), lambda);
      }
    }
  };
  const objective = (x: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i] - y[i]) ** 2;
    return 0.5 * s + lambda * tv2dValue(x, rows, cols, isotropic);
  };
  const dualValue = (x: Float64Array) => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      a += y[i] * y[i];
      b += x[i] * x[i];
    }
    return 0.5 * (a - b);
  };
  const p0 = new Float64Array(n);
  const p1 = new Float64Array(n);
  const q0 = new Float64Array(n);
  const q1 = new Float64Array(n);
  const prev0 = new Float64Array(n);
  const prev1 = new Float64Array(n);
  const g0 = new Float64Array(n);
  const g1 = new Float64Array(n);
  const x = new Float64Array(n);
  let t = 1;
  let best = { x: Float64Array.from(y), gap: Infinity, primal: objective(Float64Array.from(y)) };
  const iterations = opts.iterations ?? 200000;
  for (let it = 1; it <= iterations; it++) {
    // gradient of ½‖y − Dᵀq‖² at q is −D(y − Dᵀq)
    primalOf(q0, q1, x);
    grad(x, g0, g1);
    prev0.set(p0);
    prev1.set(p1);
    for (let k = 0; k < n; k++) {
      p0[k] = q0[k] + g0[k] / 8;
      p1[k] = q1[k] + g1[k] / 8;
    }
    project(p0, p1);
    // restart when the momentum points uphill: ⟨q − p, p − p_prev⟩ > 0
    let uphill = 0;
    for (let k = 0; k < n; k++) uphill += (q0[k] - p0[k]) * (p0[k] - prev0[k]) + (q1[k] - p1[k]) * (p1[k] - prev1[k]);
    const tn = uphill > 0 ? 1 : (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const beta = uphill > 0 ? 0 : (t - 1) / tn;
    t = tn;
    for (let k = 0; k < n; k++) {
      q0[k] = p0[k] + beta * (p0[k] - prev0[k]);
      q1[k] = p1[k] + beta * (p1[k] - prev1[k]);
    }
    if (it % 500 === 0) {
      primalOf(p0, p1, x);
      const P = objective(x);
      const gap = P - dualValue(x);
      if (gap < best.gap) best = { x: Float64Array.from(x), gap, primal: P };
      if (gap <= 1e-14 * Math.abs(P)) break;
    }
  }
  return best;
}
