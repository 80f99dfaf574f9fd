// Independent truth for eigenvalue tests: cyclic Jacobi rotations on a small dense symmetric
// matrix in plain float64 loops — deliberately not the library's Householder + QL solver.

/**
 * Eigenvalues (ascending) and eigenvectors (columns of `vectors`) of a symmetric matrix given as
 * rows, by cyclic Jacobi rotations: each sweep zeroes every off-diagonal pair once (Rutishauser's
 * stable formulas); stops when the off-diagonal mass is below 1e-30 of the total.
 */
export function jacobiEigen(S: readonly (readonly number[])[], maxSweeps = 100): { values: number[]; vectors: number[][] } {
  const n = S.length;
  const a = S.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
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

/** The rows of an n×n row-major matrix. */
export function rowsOf(a: ArrayLike<number>, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j]));
}
