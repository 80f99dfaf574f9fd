import { CflowError } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { cholesky } from "../src/linalg/cholesky.js";
import { expm } from "../src/linalg/expm.js";
import { HouseholderQR } from "../src/linalg/householder.js";
import { polar } from "../src/linalg/polar.js";
import { choleskyPositive, expmSeries, frob, gramError, mm, tr } from "./helpers.js";
import { expectBelow, mulberry32, randn, relDiff } from "@cflow/test-kit";

const randomMatrix = (n: number, m: number, rand: () => number) => Float64Array.from({ length: n * m }, () => randn(rand));

describe("dense helpers", () => {
  it("expm matches its series and satisfies expm(A) expm(−A) = I", () => {
    const rand = mulberry32(2);
    for (const scale of [1e-3, 0.5, 3]) {
      const n = 5;
      const a = randomMatrix(n, n, rand).map((v) => v * scale);
      const e = expm(a, n);
      expectBelow(relDiff(e, expmSeries(a, n)), 1e-12, `expm at scale ${scale}`);
      const em = expm(a.map((v) => -v), n);
      const id = mm(e, em, n, n, n);
      // The product is as accurate as the conditioning ‖e^A‖‖e^−A‖ allows.
      const cond = frob(e) * frob(em);
      expectBelow(relDiff(id, Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0))), 50 * 2.2e-16 * cond, "expm(A) expm(−A) = I");
    }
  });

  it("cholesky reproduces A = LLᵀ and names the operation on indefinite input", () => {
    const rand = mulberry32(3);
    const n = 6;
    const g = randomMatrix(n, n, rand);
    const a = Float64Array.from(mm(g, tr(g, n, n), n, n, n));
    const l = cholesky(a, n, "test.op");
    expectBelow(relDiff(mm(l, tr(l, n, n), n, n, n), a), 1e-15, "LLᵀ − A");
    expect(choleskyPositive(a, n)).toBe(true);
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2, "test.op")).toThrow(/test\.op: expected a symmetric positive definite matrix, found pivot -3 at row 1/);
  });

  it("Householder QR: Q orthogonal, QR = A, and Q's trailing columns complete span(A)", () => {
    const rand = mulberry32(4);
    const [n, p] = [7, 3];
    const a = randomMatrix(n, p, rand);
    const qr = new HouseholderQR(a, n, p);
    const id = new Float64Array(n * n);
    for (let i = 0; i < n; i++) id[i * n + i] = 1;
    const q = qr.applyQ(id, n);
    expectBelow(gramError(q, n, n), 4e-15, "QᵀQ − I");
    expectBelow(relDiff(mm(q, qr.r, n, n, p), a), 1e-15, "QR − A");
    for (let i = 1; i < n; i++) for (let j = 0; j < Math.min(i, p); j++) expect(Math.abs(qr.r[i * p + j])).toBeLessThan(1e-15);
    const b = randomMatrix(n, 2, rand);
    expectBelow(relDiff(qr.applyQ(qr.applyQT(Float64Array.from(b), 2), 2), b), 1e-15, "Q Qᵀ B = B");
    // Columns p.. of Q are orthogonal to A.
    const qta = mm(tr(q, n, n), a, n, n, p);
    for (let i = p; i < n; i++) for (let j = 0; j < p; j++) expect(Math.abs(qta[i * p + j])).toBeLessThan(1e-14);
  });

  it("polar gives orthonormal Q with QᵀA symmetric positive definite (the polar decomposition)", () => {
    const rand = mulberry32(5);
    const [n, p] = [6, 3];
    const a = randomMatrix(n, p, rand);
    const q = polar(a, n, p, "test.polar");
    expectBelow(gramError(q, n, p), 2e-15, "QᵀQ − I");
    const h = mm(tr(q, n, p), a, p, n, p);
    expectBelow(relDiff(h, tr(h, p, p)), 1e-14, "QᵀA symmetric");
    expect(choleskyPositive(h, p)).toBe(true);
  });

  it("polar stays orthonormal to machine precision for an ill-conditioned matrix (cond 1e5)", () => {
    const rand = mulberry32(6);
    const [n, p] = [6, 3];
    const q0 = polar(randomMatrix(n, p, rand), n, p, "test.polar");
    const v = polar(randomMatrix(p, p, rand), p, p, "test.polar");
    // A = Q₀ Σ V with singular values 1, 1e-2.5, 1e-5: its polar factor is Q₀V. The mixing by V
    // makes AᵀA non-diagonal, where the Gram route alone loses cond² · ε ≈ 1e-6.
    const a = Float64Array.from(mm(q0.map((x, k) => x * [1, 10 ** -2.5, 1e-5][k % p]), v, n, p, p));
    const q = polar(a, n, p, "test.polar");
    expectBelow(gramError(q, n, p), 1e-14, "QᵀQ − I");
    expectBelow(relDiff(q, mm(q0, v, n, p, p)), 1e-9, "polar factor of Q₀ΣV is Q₀V");
  });
});
