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
