import { describe, expect, it } from "vitest";
import { symmetricEigenvalues, tridiagonalEigen } from "../src/index.js";
import { jacobiEigenvalues, logspace, mat, withSpectrum } from "./helpers.js";
import { expectScalarClose, mulberry32, randn } from "@cflow/test-kit";

describe("symmetricEigenvalues (Householder + implicit QL)", () => {
  it.each([1, 2, 3, 5, 17, 64, 131])("matches cyclic Jacobi on a random symmetric %i×%i matrix", (n) => {
    const rand = mulberry32(100 + n);
    const a = mat(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.a[i * n + j] = a.a[j * n + i] = randn(rand);
    const got = symmetricEigenvalues(a.a, n);
    const want = jacobiEigenvalues(a);
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let i = 0; i < n; i++) expectScalarClose(got[i], want[i], 0, 1e-12 * scale);
  });

  it("recovers a prescribed spectrum spanning 12 decades (absolute accuracy ε‖A‖)", () => {
    const eigs = logspace(1e-12, 1, 80);
    const a = withSpectrum(eigs, mulberry32(7));
    const got = symmetricEigenvalues(a.a, 80);
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
