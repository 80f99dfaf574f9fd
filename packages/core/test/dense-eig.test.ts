import { describe, expect, it } from "vitest";
import { type Dense, matmul, spectralNorm, transpose } from "./dense-eig.js";
import { jacobiEigen, mulberry32, randn } from "@cflow/test-kit";

// The test helper is itself checked against closed forms before operator tests rely on it.
describe("cyclic Jacobi eigen-solver (test helper)", () => {
  it("finds the closed-form eigenvalues of the 1D Dirichlet Laplacian", () => {
    const n = 12;
    const L: Dense = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0)));
    const { values } = jacobiEigen(L);
    const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    values.forEach((v, k) => expect(Math.abs(v - exact[k])).toBeLessThan(1e-13));
  });

  it("returns an orthonormal eigenbasis that reconstructs a random symmetric matrix", () => {
    const rand = mulberry32(3);
    const n = 9;
    const B: Dense = Array.from({ length: n }, () => Array.from({ length: n }, () => randn(rand)));
    const S = matmul(B, transpose(B));
    const { values, vectors: Q } = jacobiEigen(S);
    const QtQ = matmul(transpose(Q), Q);
    const rebuilt = matmul(matmul(Q, values.map((v, i) => values.map((_, j) => (i === j ? v : 0)))), transpose(Q));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(Math.abs(QtQ[i][j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
        expect(Math.abs(rebuilt[i][j] - S[i][j])).toBeLessThan(1e-12 * n * n);
      }
    }
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
  });

  it("gives the spectral norm of a matrix with known singular values", () => {
    // U diag(s) Vᵀ with Householder reflections U, V: ‖·‖₂ = max s
    const house = (w: number[]): Dense => {
      const nn = w.reduce((s, x) => s + x * x, 0);
      return w.map((wi, i) => w.map((wj, j) => (i === j ? 1 : 0) - (2 * wi * wj) / nn));
    };
    const U = house([1, -2, 0.5, 3, 1]);
    const V = house([0.3, 1, -1, 2]);
    const s = [3.25, 1.5, 0.75, 0.1];
    const D: Dense = U.map((_, i) => V.map((_, j) => (i === j ? s[i] : 0)));
    const A = matmul(matmul(U, D), transpose(V));
    expect(Math.abs(spectralNorm(A, 4) - 3.25)).toBeLessThan(1e-13);
  });
});
