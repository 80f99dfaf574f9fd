// The polish's certificate cadence (controller/certificate-cadence.ts): review points every
// `every` iterations, a certificate at once when the flow changed, else after an interval that
// doubles up to 32 × every; and the fact that makes skipping a shrunken support sound — the
// restricted operator of a subset of the support is a principal submatrix, whose λ_min is no
// smaller and whose η_dd is no larger (checked against a dense eigen-decomposition).
import { describe, expect, it } from "vitest";
import { activeIndices, newlyActive } from "../src/active-set.js";
import { MAX_INTERVAL_FACTOR, certificateCadence } from "../src/controller/certificate-cadence.js";
import { type Dense, matmul, transpose } from "./dense-eig.js";
import { jacobiEigen, mulberry32, randn } from "@cflow/test-kit";

/** The iterations a run certifies at, from a certificate at 0, when `changedAt(iter)` says whether the flow changed. */
function schedule(every: number, iters: number, changedAt: (iter: number) => boolean): number[] {
  const c = certificateCadence(every);
  let interval = c.init();
  const out: number[] = [];
  let last = 0;
  for (let k = 1; k <= iters; k++) {
    if (!c.isReview(k - last)) continue;
    const changed = changedAt(k);
    if (!c.due(interval, k - last, changed)) continue;
    interval = c.update(interval, changed);
    out.push(k);
    last = k;
  }
  return out;
}

describe("certificate cadence", () => {
  it("nothing changing: the interval doubles from `every` up to 32 × every", () => {
    const every = 10;
    const got = schedule(every, 20_000, () => false);
    const gaps = got.map((k, i) => k - (i === 0 ? 0 : got[i - 1]));
    expect(gaps.slice(0, 7)).toEqual([10, 20, 40, 80, 160, 320, 320]);
    expect(Math.max(...gaps)).toBe(MAX_INTERVAL_FACTOR * every);
    // 20 000 iterations: 5 certificates to reach the cap, then one per 320 — against 2 000 at a fixed every-10
    expect(got).toHaveLength(5 + Math.floor((20_000 - 310) / 320));
  });

  it("a change seen at a review point certifies at once and restarts the interval at `every`", () => {
    // doubling from 0: 10, 30, 70, 150; the flow changes over iterations 160–180
    expect(schedule(10, 400, (k) => k >= 160 && k <= 180)).toEqual([10, 30, 70, 150, 160, 170, 180, 190, 210, 250, 330]);
    // the flow is looked at on review points only: a change undone before the next one goes unseen
    expect(schedule(10, 400, (k) => k === 173)).toEqual(schedule(10, 400, () => false));
  });

  it("a flow that always changes (non-constant operator) certifies at every review point: the fixed cadence", () => {
    expect(schedule(50, 1000, () => true)).toEqual(Array.from({ length: 20 }, (_, i) => 50 * (i + 1)));
  });

  it("review points are the positive multiples of `every` after the last certificate", () => {
    const c = certificateCadence(25);
    expect([0, 1, 24, 25, 26, 50, 75].map((s) => c.isReview(s))).toEqual([false, false, false, true, false, true, true]);
    expect(c.restore(10_000)).toBe(25 * MAX_INTERVAL_FACTOR);
    expect(c.restore(1)).toBe(25);
  });

  it("newlyActive counts the coefficients active now and not in the certified support", () => {
    const certified = Float64Array.from([0, 1, -2, 0, 0, 3]);
    const newly = (current: Float64Array | Float32Array, on: Float64Array | Float32Array) => newlyActive(activeIndices(current), on);
    expect(newly(Float64Array.from([0, 1, 0, 0, 0, 3]), certified)).toBe(0); // shrank
    expect(newly(Float64Array.from([0, 5, -1, 0, 0, 2]), certified)).toBe(0); // same support, other values
    expect(newly(Float64Array.from([1e-300, 1, -2, 0, -1, 3]), certified)).toBe(2);
    expect(newly(Float32Array.from([0, 0, 0, 0, 0, Number.NaN]), Float32Array.from([0, 0, 0, 0, 0, 0]))).toBe(1);
  });

  it("activeIndices: the non-zeros (NaN included, −0 not) ascending, or those above a tolerance", () => {
    expect(Array.from(activeIndices(Float64Array.from([0, -0, 2, Number.NaN, 1e-300, 0])))).toEqual([2, 3, 4]);
    expect(Array.from(activeIndices(Float32Array.from([0.5, -0.25, Number.NaN, 0.25, -0.3]), 0.25))).toEqual([0, 2, 4]);
    expect(activeIndices(new Float64Array(7))).toHaveLength(0);
    // supports beyond the reused index buffer, and a smaller one after them: each its own indices
    const big = Float64Array.from({ length: 9000 }, (_, i) => (i % 3 === 0 ? 0 : i - 4500));
    const want = Array.from({ length: 9000 }, (_, i) => i).filter((i) => i % 3 !== 0 && i !== 4500);
    expect(Array.from(activeIndices(big))).toEqual(want);
    expect(Array.from(activeIndices(big.subarray(0, 10)))).toEqual([1, 2, 4, 5, 7, 8]);
    expect(Array.from(activeIndices(big))).toEqual(want);
  });
});

describe("why a shrunken support needs no certificate: principal submatrices of an SPD operator", () => {
  /** η_dd = max_i Σ_{j≠i}|A_ij| / |A_ii| over the rows in `rows`. */
  const etaDD = (A: Dense, rows: number[]) => Math.max(...rows.map((i) => rows.reduce((s, j) => s + (j === i ? 0 : Math.abs(A[i][j])), 0) / Math.abs(A[i][i])));
  const sub = (A: Dense, idx: number[]) => idx.map((i) => idx.map((j) => A[i][j]));

  it.each([1, 2, 3, 4, 5])("random 12×12 L_W = BᵀB + 0.01 I, seed %i: every subset of S has λ_min ≥ and η_dd ≤ those of S", (seed) => {
    const rand = mulberry32(seed);
    const n = 12;
    const B: Dense = Array.from({ length: 8 }, () => Array.from({ length: n }, () => randn(rand)));
    const L = matmul(transpose(B), B).map((row, i) => row.map((v, j) => v + (i === j ? 0.01 : 0)));
    const S = Array.from({ length: n }, (_, i) => i).filter(() => rand() < 0.75);
    const lminS = Math.min(...jacobiEigen(sub(L, S)).values);
    for (let t = 0; t < 20; t++) {
      const S2 = S.filter(() => rand() < 0.6);
      if (S2.length === 0) continue;
      const lmin2 = Math.min(...jacobiEigen(sub(L, S2)).values);
      expect(lmin2).toBeGreaterThanOrEqual(lminS - 1e-12 * Math.abs(lminS));
      expect(etaDD(L, S2)).toBeLessThanOrEqual(etaDD(L, S) + 1e-15);
    }
  });
});
