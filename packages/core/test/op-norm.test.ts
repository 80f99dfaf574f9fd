import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { compose, csrOp, denseOp, diagonalOp, estimateOpNorm, subsampleOp, sumOp, vstack } from "../src/ops/index.js";
import { rngKey } from "../src/rng.js";
import { type Dense, matmul, spectralNorm } from "./dense-eig.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

const toDense = (a: RealArray, rows: number, cols: number): Dense => Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));

describe.each(DTYPES)("estimateOpNorm (%s)", (dtype: Dtype) => {
  const rand = mulberry32(dtype === "float64" ? 7 : 8);
  // f32 applies round every output, so successive Rayleigh quotients jitter by ~1e-7 even once
  // converged: a tolerance below that could never be met
  const opts = dtype === "float64" ? { tol: 1e-13, maxIters: 5000 } : { tol: 1e-6, maxIters: 5000 };
  const rtol = dtype === "float64" ? 1e-9 : 1e-4;

  it.each([
    [30, 20],
    [12, 40],
    [1, 17],
    [25, 1],
    [64, 64],
  ])("matches the Jacobi spectral norm of a random dense %i × %i matrix", (rows, cols) => {
    const a = randomArray(dtype, rows * cols, rand);
    const A = denseOp(a, { rows, cols, dtype });
    const r = estimateOpNorm(A, { key: rngKey(rows * 100 + cols), ...opts });
    const truth = spectralNorm(toDense(a, rows, cols), cols);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThan(opts.maxIters);
    expect(Math.abs(r.norm - truth)).toBeLessThanOrEqual(rtol * truth);
    A.dispose();
  });

  it("matches the Jacobi spectral norm of composite operators", () => {
    const rows = 15;
    const cols = 11;
    const a = randomArray(dtype, rows * cols, rand);
    const d = randomArray(dtype, cols, rand);
    const A = denseOp(a, { rows, cols, dtype });
    const D = diagonalOp(d, { dtype });
    const AD = compose(A, D);
    const Am = toDense(a, rows, cols);
    const Dm = Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => (i === j ? d[i] : 0)));
    const stacked = vstack(AD, D);
    const twice = sumOp(AD, AD);
    const cases: [string, typeof AD | typeof stacked | typeof twice, Dense][] = [
      ["compose", AD, matmul(Am, Dm)],
      ["vstack", stacked, [...matmul(Am, Dm), ...Dm]],
      ["sum", twice, matmul(Am, Dm).map((r) => r.map((x) => 2 * x))],
    ];
    for (const [, op, M] of cases) {
      const r = estimateOpNorm(op, { key: rngKey(3), ...opts });
      const truth = spectralNorm(M, cols);
      expect(r.converged).toBe(true);
      expect(Math.abs(r.norm - truth)).toBeLessThanOrEqual(rtol * truth);
      if (op.normHint !== undefined) expect(op.normHint).toBeGreaterThanOrEqual(r.norm * (1 - rtol));
    }
    for (const op of [twice, stacked, AD, D, A]) op.dispose();
  });

  it("matches the analytic norms of sparse and selection operators", () => {
    const S = subsampleOp([3, 3, 3, 1, 0, 3], { inShape: 6, dtype }); // index 3 four times: ‖S‖ = 2
    const r = estimateOpNorm(S, opts);
    expect(Math.abs(r.norm - 2)).toBeLessThanOrEqual(rtol * 2);
    expect(S.normHint).toBe(2);
    // a diagonal matrix in CSR form: ‖A‖ = max |a_ii|
    const C = csrOp({ indptr: [0, 1, 2, 3, 3], indices: [0, 1, 2], values: [0.5, -3, 2] }, { rows: 4, cols: 3, dtype });
    const rc = estimateOpNorm(C, opts);
    expect(Math.abs(rc.norm - 3)).toBeLessThanOrEqual(rtol * 3);
    S.dispose();
    C.dispose();
  });

  it("is deterministic in its key, reports non-convergence, and returns 0 for the zero operator", () => {
    const a = randomArray(dtype, 20 * 30, rand);
    const A = denseOp(a, { rows: 20, cols: 30, dtype });
    const r1 = estimateOpNorm(A, { key: rngKey(9), tol: 1e-5 });
    const r2 = estimateOpNorm(A, { key: rngKey(9), tol: 1e-5 });
    expect(r2).toEqual(r1);
    const once = estimateOpNorm(A, { maxIters: 1 });
    expect(once.converged).toBe(false);
    expect(once.iterations).toBe(1);
    expect(once.norm).toBeGreaterThan(0);
    expect(once.norm).toBeLessThanOrEqual(r1.norm * (1 + 1e-5)); // a Rayleigh quotient bounds from below
    const Z = denseOp(new Array(12).fill(0), { rows: 3, cols: 4, dtype });
    expect(estimateOpNorm(Z)).toEqual({ norm: 0, iterations: 1, converged: true });
    expect(() => estimateOpNorm(A, { maxIters: 0 })).toThrow(/maxIters must be a positive integer, found 0/);
    expect(() => estimateOpNorm(A, { tol: -1 })).toThrow(/tol must be a positive number, found -1/);
    A.dispose();
    Z.dispose();
  });
});
