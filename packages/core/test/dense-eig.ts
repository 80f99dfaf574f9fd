// Independent dense linear algebra for operator tests: a cyclic Jacobi eigen-solver for symmetric
// matrices (plain float64 loops, no library code), and the helpers around it.

/** A dense matrix as rows of float64 numbers. */
export type Dense = number[][];

/**
 * Eigenvalues (ascending) and eigenvectors (columns of `vectors`) of a symmetric matrix by
 * cyclic Jacobi rotations: each sweep zeroes every off-diagonal pair once (Rutishauser's stable
 * formulas); stops when the off-diagonal mass is below 1e-15 of the total.
 */
export function jacobiEig(S: Dense, maxSweeps = 100): { values: number[]; vectors: Dense } {
  const n = S.length;
  const a = S.map((r) => r.slice());
  const v: Dense = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const total = a.reduce((s, r) => s + r.reduce((t, x) => t + x * x, 0), 0);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p][q] * a[p][q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = a[q][p] = 0;
        for (let r = 0; r < n; r++) {
          if (r !== p && r !== q) {
            const arp = a[r][p];
            const arq = a[r][q];
            a[r][p] = a[p][r] = arp - s * (arq + tau * arp);
            a[r][q] = a[q][r] = arq + s * (arp - tau * arq);
          }
          const vrp = v[r][p];
          const vrq = v[r][q];
          v[r][p] = vrp - s * (vrq + tau * vrp);
          v[r][q] = vrq + s * (vrp - tau * vrq);
        }
      }
    }
  }
  const order = a.map((_, i) => i).sort((i, j) => a[i][i] - a[j][j]);
  return { values: order.map((i) => a[i][i]), vectors: v.map((row) => order.map((i) => row[i])) };
}

export function transpose(A: Dense, rows = A.length, cols = A[0]?.length ?? 0): Dense {
  return Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => A[i][j]));
}

export function matmul(A: Dense, B: Dense): Dense {
  const inner = B.length;
  const cols = B[0]?.length ?? 0;
  return A.map((row) =>
    Array.from({ length: cols }, (_, j) => {
      let s = 0;
      for (let k = 0; k < inner; k++) s += row[k] * B[k][j];
      return s;
    }),
  );
}

/** ‖A‖₂ = √λ_max(AᵀA) for a rows×cols matrix. */
export function spectralNorm(A: Dense, cols: number): number {
  if (A.length === 0 || cols === 0) return 0;
  const { values } = jacobiEig(matmul(transpose(A, A.length, cols), A));
  return Math.sqrt(Math.max(0, values[values.length - 1]));
}
