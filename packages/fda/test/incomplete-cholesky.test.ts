// The threshold incomplete Cholesky factor of the congruence route, against dense truth: complete
// when nothing is dropped (L Lᵀ = A), L Lᵀ − A positive semi-definite when fill is dropped (the
// Ajiz–Jennings compensation), the two triangular solves invert L and Lᵀ, and — what the certificate
// rests on — P = L⁻¹ A L⁻ᵀ has A's inertia (Sylvester) whatever the factor did, pivot breakdowns
// included, with L's diagonal positive and finite.
import { mulberry32 } from "@cflow/test-kit";
import { logspace } from "@cflow/test-kit";
import { describe, expect, it } from "vitest";
import { incompleteCholesky, type LowerFactor, squaredConditionEstimate } from "../src/incomplete-cholesky.js";
import { csrFromDense, dropNegligible } from "../src/sparse-symmetric.js";
import { incompleteCholeskyReference, lowerSolve, lowerTransposeSolve, normalSolveReference } from "./incomplete-cholesky-reference.js";
import { jacobiEigenvalues, type Mat, mat, matmul, transpose, withSpectrum } from "./helpers.js";

function split(a: Mat, shift = 0) {
  const m = dropNegligible(csrFromDense(a.a, a.rows), 0).matrix;
  return { ...m, diag: m.diag.map((d) => d - shift) };
}

function dense(f: LowerFactor): Mat {
  const n = f.n;
  const l = mat(n, n);
  for (let j = 0; j < n; j++) {
    l.a[j * n + j] = f.diag[j];
    for (let q = f.colPtr[j]; q < f.colPtr[j + 1]; q++) l.a[f.row[q] * n + j] = f.val[q];
  }
  return l;
}

/** L⁻¹ A L⁻ᵀ column by column through the library's solves. */
function congruent(f: LowerFactor, a: Mat): Mat {
  const n = a.rows;
  const p = mat(n, n);
  const e = new Float64Array(n);
  const t = new Float64Array(n);
  const u = new Float64Array(n);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    lowerTransposeSolve(f, e, t);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a.a[i * n + k] * t[k];
      u[i] = s;
    }
    lowerSolve(f, u, out);
    for (let i = 0; i < n; i++) p.a[i * n + j] = out[i];
  }
  // symmetric up to rounding
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) p.a[i * n + j] = p.a[j * n + i] = (p.a[i * n + j] + p.a[j * n + i]) / 2;
  return p;
}

function negatives(eigs: Float64Array, tol: number): number {
  return eigs.filter((v) => v < -tol).length;
}

describe("incomplete Cholesky", () => {
  const n = 40;
  const a = withSpectrum(logspace(1e-3, 1, n), mulberry32(5));

  it("computes in the kernel the JS loop's factor, bit for bit: complete, dropping, selecting the largest, breaking down", () => {
    const spectrum = logspace(0.1, 1, n);
    spectrum[0] = -0.05;
    const indefinite = withSpectrum(spectrum, mulberry32(6));
    const cases: [Mat, number, { tau?: number; maxPerColumn?: number; breakdownRatio?: number }][] = [
      [a, 0, { tau: 0, maxPerColumn: n }],
      [a, 1e-4, { tau: 0.05, maxPerColumn: 3 }],
      [a, 0, { tau: 1e-4, maxPerColumn: 5 }],
      [a, 0, { tau: 0, maxPerColumn: n, breakdownRatio: 0.5 }],
      [indefinite, 0, { tau: 0, maxPerColumn: n }],
      [indefinite, 0, { tau: 0.05, maxPerColumn: 3 }],
    ];
    let breakdowns = 0;
    let dropped = 0;
    for (const [m, shift, o] of cases) {
      const got = incompleteCholesky(split(m, shift), o);
      const want = incompleteCholeskyReference(split(m, shift), o);
      expect({ ...got, ms: 0 }).toEqual({ ...want, ms: 0 });
      breakdowns += got.breakdowns;
      dropped += got.dropped;
    }
    expect(breakdowns).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
  });

  it("is the complete factor when nothing is dropped", () => {
    const ic = incompleteCholesky(split(a), { tau: 0, maxPerColumn: n });
    expect(ic.breakdowns).toBe(0);
    expect(ic.dropped).toBe(0);
    const l = dense(ic.factor);
    const llt = matmul(l, transpose(l));
    let err = 0;
    for (let k = 0; k < n * n; k++) err = Math.max(err, Math.abs(llt.a[k] - a.a[k]));
    expect(err).toBeLessThan(1e-13);
  });

  it("leaves L Lᵀ − A positive semi-definite when it drops fill, and its solves invert L and Lᵀ", () => {
    const shift = 1e-4;
    const ic = incompleteCholesky(split(a, shift), { tau: 0.05, maxPerColumn: 3 });
    expect(ic.dropped).toBeGreaterThan(100);
    expect(ic.breakdowns).toBe(0);
    const l = dense(ic.factor);
    const c = matmul(l, transpose(l));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c.a[i * n + j] -= a.a[i * n + j] - (i === j ? shift : 0);
    const eigs = jacobiEigenvalues(c);
    expect(eigs[0]).toBeGreaterThan(-1e-12);
    expect(eigs[n - 1]).toBeGreaterThan(1e-3); // the compensation is real, not zero
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const x = new Float64Array(n);
    lowerSolve(ic.factor, b, x);
    const lt = transpose(l);
    for (let i = 0; i < n; i++) {
      let s = 0;
      let st = 0;
      for (let k = 0; k < n; k++) s += l.a[i * n + k] * x[k];
      expect(s).toBeCloseTo(b[i], 10);
      lowerTransposeSolve(ic.factor, b, x);
      for (let k = 0; k < n; k++) st += lt.a[i * n + k] * x[k];
      expect(st).toBeCloseTo(b[i], 10);
      lowerSolve(ic.factor, b, x);
    }
  });

  it("keeps A's inertia through pivot breakdowns (Sylvester), with a positive finite diagonal", () => {
    // indefinite: three negative eigenvalues; the factorisation meets non-positive pivots
    const spectrum = logspace(0.1, 1, n);
    spectrum[0] = -0.05;
    spectrum[1] = -1e-3;
    spectrum[2] = -1e-6;
    const b = withSpectrum(spectrum, mulberry32(6));
    for (let i = 0; i < n; i++) expect(b.a[i * n + i]).toBeGreaterThan(0); // the factorisation's precondition
    for (const [tau, fill] of [
      [0, n],
      [0.05, 3],
    ]) {
      const ic = incompleteCholesky(split(b), { tau, maxPerColumn: fill });
      // complete, it must break down (A is indefinite); incomplete, the compensation may lift every pivot
      if (tau === 0) expect(ic.breakdowns).toBeGreaterThan(0);
      expect(ic.diagMin).toBeGreaterThan(0);
      expect(Number.isFinite(ic.diagMax)).toBe(true);
      const p = jacobiEigenvalues(congruent(ic.factor, b));
      expect(negatives(p, 1e-12 * Math.abs(p[n - 1]))).toBe(3);
    }
    // positive definite, breakdowns forced by a pivot threshold complete pivots (≤ a_jj) often miss: still congruent to a positive definite P
    const forced = incompleteCholesky(split(a), { tau: 0, maxPerColumn: n, breakdownRatio: 0.5 });
    expect(forced.breakdowns).toBeGreaterThan(0);
    const p = jacobiEigenvalues(congruent(forced.factor, a));
    expect(p[0]).toBeGreaterThan(0);
  });

  it("estimates κ(L)² between the power iterations' reach and the bound ‖L‖₁‖L‖∞‖L⁻¹‖²", () => {
    const ic = incompleteCholesky(split(a), { tau: 0.05, maxPerColumn: 3 });
    const l = dense(ic.factor);
    const eigs = jacobiEigenvalues(matmul(l, transpose(l))); // singular values of L, squared
    const kappa2 = eigs[n - 1] / eigs[0];
    let norm1 = 0;
    let normInf = 0;
    for (let i = 0; i < n; i++) {
      let r = 0;
      let c = 0;
      for (let k = 0; k < n; k++) {
        r += Math.abs(l.a[i * n + k]);
        c += Math.abs(l.a[k * n + i]);
      }
      normInf = Math.max(normInf, r);
      norm1 = Math.max(norm1, c);
    }
    const est = squaredConditionEstimate(ic.factor, normalSolveReference(ic.factor));
    expect(est).toBeLessThanOrEqual((norm1 * normInf) / eigs[0] * (1 + 1e-10));
    expect(est).toBeGreaterThanOrEqual(0.5 * kappa2);
  });
});
