// The dense symmetric eigen-solvers of linalg/symmetric-eigen.ts and linalg/tridiagonal.ts against
// independent truth: test-kit's cyclic Jacobi, prescribed spectra, analytic spectra.
import { expectBelow, expectScalarClose, jacobiEigen, logspace, matrixWithSpectrum, mulberry32, randn, relDiff, rowsOf } from "@cflow/test-kit";
import { describe, expect, it } from "vitest";
import { CflowError } from "../src/errors.js";
import { symmetricEigen, symmetricEigenvalues } from "../src/linalg/symmetric-eigen.js";
import { tridiagonalEigen } from "../src/linalg/tridiagonal.js";

const randomMatrix = (n: number, m: number, rand: () => number) => Float64Array.from({ length: n * m }, () => randn(rand));

describe("symmetricEigenvalues (Householder + implicit QL)", () => {
  it.each([1, 2, 3, 5, 17, 64, 131])("matches cyclic Jacobi on a random symmetric n × n matrix, n = %i", (n) => {
    const rand = mulberry32(100 + n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = randn(rand);
    const got = symmetricEigenvalues(a, n);
    const want = jacobiEigen(rowsOf(a, n)).values;
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < n; i++) expectScalarClose(got[i], want[i], 0, 1e-12 * scale);
  });

  it("recovers a prescribed spectrum spanning 12 decades (absolute accuracy ε‖A‖)", () => {
    const eigs = logspace(1e-12, 1, 80);
    const a = matrixWithSpectrum(eigs, mulberry32(7));
    const got = symmetricEigenvalues(a, 80);
    for (let i = 0; i < 80; i++) expectScalarClose(got[i], eigs[i], 0, 1e-14);
  });

  it("gives the analytic spectrum of tridiag(−1, 2, −1) and its eigenvectors", () => {
    const n = 40;
    const d = new Float64Array(n).fill(2);
    const e = new Float64Array(n).fill(-1);
    const z = new Float64Array(n * n);
    for (let i = 0; i < n; i++) z[i * n + i] = 1;
    tridiagonalEigen(d, e, z);
    const sorted = Array.from(d).sort((x, y) => x - y);
    for (let k = 1; k <= n; k++) expectScalarClose(sorted[k - 1], 2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 0, 1e-13);
    // T z_i = d_i z_i for every column.
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < n; r++) {
        const tz = 2 * z[r * n + i] - (r > 0 ? z[(r - 1) * n + i] : 0) - (r < n - 1 ? z[(r + 1) * n + i] : 0);
        expectScalarClose(tz, d[i] * z[r * n + i], 0, 1e-12);
      }
    }
    // accumulating only the last row (what Lanczos uses) gives the same components
    const d1 = new Float64Array(n).fill(2);
    const e1 = new Float64Array(n).fill(-1);
    const last = new Float64Array(n);
    last[n - 1] = 1;
    tridiagonalEigen(d1, e1, last);
    expect(Array.from(d1)).toEqual(Array.from(d));
    expect(Array.from(last)).toEqual(Array.from(z.subarray((n - 1) * n)));
  });

  it("rejects non-finite entries, naming the entry", () => {
    const a = new Float64Array([1, 0, 0, Number.NaN]);
    expect(() => symmetricEigenvalues(a, 2)).toThrow(/entry \(1, 1\) is NaN/);
  });
});

describe("rank-deficient matrices", () => {
  it("deflates a negligible off-diagonal between two zero diagonals (a null space in the Lanczos matrix)", () => {
    // T = diag(0, 0, 2) with couplings 1e-300 (below ε·‖T‖) and 1: eigenvalues 0, (2 ± √8)/2
    const d = Float64Array.of(0, 0, 2);
    const e = Float64Array.of(1e-300, 1, 0);
    tridiagonalEigen(d, e);
    const ev = [...d].sort((a, b) => a - b);
    expect(ev[0]).toBeCloseTo(1 - Math.sqrt(2), 12);
    expect(Math.abs(ev[1])).toBeLessThan(1e-15);
    expect(ev[2]).toBeCloseTo(1 + Math.sqrt(2), 12);
  });

  it("finds the eigenvalues of a Gram matrix with more columns than rows (zero diagonal blocks after reduction)", () => {
    // G = AᵀA with A 3×8: rank 3, five zero eigenvalues
    const rows = 3;
    const cols = 8;
    const rand = mulberry32(5);
    const A = Array.from({ length: rows * cols }, () => randn(rand));
    const G = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) for (let r = 0; r < rows; r++) G[i * cols + j] += A[r * cols + i] * A[r * cols + j];
    const ev = [...symmetricEigenvalues(G, cols)].sort((a, b) => a - b);
    const zeros = ev.filter((v) => Math.abs(v) < 1e-12 * ev[cols - 1]);
    expect(zeros.length).toBe(cols - rows);
    // the non-zero eigenvalues are those of A Aᵀ (3×3), whose trace is ‖A‖_F²
    const fro = A.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(ev.reduce((s, v) => s + v, 0) - fro) / fro).toBeLessThan(1e-12);
  });
});

describe("symmetricEigen (Jacobi)", () => {
  it("matches the analytic spectrum of the tridiagonal (−1, 2, −1) matrix", () => {
    const n = 12;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k <= n; k++) {
      expectBelow(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))), 1e-14, `λ_${k}`);
      // Eigenvector k is sin(jkπ/(n + 1)), up to sign and normalisation.
      const want = Array.from({ length: n }, (_, j) => Math.sin(((j + 1) * k * Math.PI) / (n + 1)));
      const got = Array.from({ length: n }, (_, j) => vectors[j * n + (k - 1)]);
      const c = Math.abs(got.reduce((s, g, j) => s + g * want[j], 0)) / frob(want);
      expectBelow(1 - c, 1e-14, `eigenvector ${k}`);
    }
  });

  it("decomposes random symmetric matrices: AV = VΛ, VᵀV = I, ascending", () => {
    const rand = mulberry32(1);
    for (const n of [1, 2, 3, 7, 20]) {
      const g = randomMatrix(n, n, rand);
      const a = Float64Array.from(g.map((_, k) => g[k] + g[(k % n) * n + Math.floor(k / n)]));
      const { values, vectors } = symmetricEigen(a, n);
      const av = mm(a, vectors, n, n, n);
      const vl = Array.from({ length: n * n }, (_, k) => vectors[k] * values[k % n]);
      expectBelow(relDiff(av, vl, frob(a)), 1e-14, `‖AV − VΛ‖/‖A‖ at n = ${n}`);
      expectBelow(gramError(vectors, n, n), 5e-14, `‖VᵀV − I‖ at n = ${n}`);
      for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    }
  });

  it("resolves a tiny eigenvalue of a graded positive definite matrix to relative precision", () => {
    // A = D H D with H = [[1, ½], [½, 1]], D = diag(1, 1e-10): λ_min = det/λ_max = 0.75e-20 (1 − 1e-20…).
    const a = Float64Array.of(1, 0.5e-10, 0.5e-10, 1e-20);
    const { values } = symmetricEigen(a, 2);
    expectBelow(Math.abs(values[0] - 0.75e-20) / 0.75e-20, 1e-15, "relative error of λ_min");
  });

  it("keeps every eigenvalue of a strongly graded 3×3 matrix to relative precision (their product is det A)", () => {
    // A = D H D, D = diag(1, 1e-6, 1e-12): det A = det H · 1e-36 = 0.5625e-36. Eigenvalues span
    // 24 orders of magnitude; a threshold on ‖A‖ rather than on the diagonal would lose the small ones.
    const h = [1, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 1];
    const d = [1, 1e-6, 1e-12];
    const a = Float64Array.from(h.map((v, k) => v * d[Math.floor(k / 3)] * d[k % 3]));
    const { values } = symmetricEigen(a, 3);
    expectBelow(Math.abs((values[0] * values[1] * values[2]) / 0.5625e-36 - 1), 1e-14, "relative error of Π λ");
    expect(values[0]).toBeGreaterThan(0);
  });

  it("handles repeated and zero eigenvalues and rejects non-finite or mis-sized input", () => {
    const { values } = symmetricEigen(Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1), 3);
    expectBelow(Math.abs(values[0]) + Math.abs(values[1]) + Math.abs(values[2] - 3), 1e-15, "spectrum of the all-ones matrix");
    expect(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(/symmetricEigen: entry \(0, 1\) is NaN/);
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(CflowError);
  });
});

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** a (n×k) · b (k×m), row-major. */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): number[] {
  const out = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let l = 0; l < k; l++) for (let j = 0; j < m; j++) out[i * m + j] += a[i * k + l] * b[l * m + j];
  return out;
}

/** ‖VᵀV − I‖_F for an n×p matrix. */
function gramError(v: ArrayLike<number>, n: number, p: number): number {
  const t = Array.from({ length: n * p }, (_, k) => v[(k % n) * p + Math.floor(k / n)]);
  const g = mm(t, v, p, n, p);
  for (let i = 0; i < p; i++) g[i * p + i] -= 1;
  return frob(g);
}
