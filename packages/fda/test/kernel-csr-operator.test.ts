// The kernel's symmetric CSR product (kernel-csr-operator.ts) against csrMultiply
// (sparse-symmetric.ts), the JS loop it replaces in the inertia route: bit for bit on matrices
// whose rows list columns out of order (as ShiftClassRows.restrict assembles them), with and
// without diagonal entries, at even and odd sizes; and the Lanczos runs on either are the same.
import { describe, expect, it } from "vitest";
import { rngKey } from "@cflow/core";
import { csrMultiply, dominance, lanczos, type RestrictedMatrix, type SymmetricCsr } from "../src/index.js";
import { csrAbsOffMultiply } from "../src/sparse-symmetric.js";
import { KernelCsrOperator } from "../src/kernel-csr-operator.js";
import { mulberry32, randomSymmetricCsr } from "@cflow/test-kit";

/** Rows within 40 columns of the diagonal, which 9 in 10 rows hold. */
const randomCsr = (n: number, seed: number): SymmetricCsr => randomSymmetricCsr(n, seed, { diagonal: 0.9, reach: 40 });

describe("KernelCsrOperator", () => {
  it.each([1, 2, 9, 100, 1001])("n = %i: csrMultiply's bits", (n) => {
    const a = randomCsr(n, 40 + n);
    const op = new KernelCsrOperator(a);
    try {
      const rand = mulberry32(n);
      for (let rep = 0; rep < 3; rep++) {
        const x = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (4 * rand() - 2));
        const want = new Float64Array(n);
        const got = new Float64Array(n).fill(Number.NaN);
        csrMultiply(a, x, want);
        op.apply(x, got);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    } finally {
      op.dispose();
    }
  });

  it("Lanczos on it runs as on csrMultiply", () => {
    const a = randomCsr(777, 5);
    const op = new KernelCsrOperator(a);
    try {
      const js = lanczos({ size: a.n, apply: (v, out) => csrMultiply(a, v, out) }, { key: rngKey(3), maxIter: 30, tol: 0, absTol: 0 });
      const wasm = lanczos(op, { key: rngKey(3), maxIter: 30, tol: 0, absTol: 0 });
      expect(wasm).toEqual(js);
    } finally {
      op.dispose();
    }
  });

  it.each([1, 2, 9, 100, 1001])("n = %i: |A − D|w with csrAbsOffMultiply's bits", (n) => {
    const a = randomCsr(n, 70 + n);
    const op = new KernelCsrOperator(a);
    try {
      const rand = mulberry32(3 * n);
      for (let rep = 0; rep < 3; rep++) {
        const w = Float64Array.from({ length: n }, () => rand() * 10 ** (4 * rand() - 2));
        const want = new Float64Array(n);
        const got = new Float64Array(n).fill(Number.NaN);
        csrAbsOffMultiply(a, w, want);
        op.absOffMultiply(w, got);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    } finally {
      op.dispose();
    }
  });

  it("the dominance iterates on it as on csrAbsOffMultiply (cold and warm)", () => {
    // every diagonal entry stored and positive (the iteration needs D > 0)
    const a = randomSymmetricCsr(600, 8, { diagonal: 1, reach: 40 });
    const R: RestrictedMatrix = { active: Int32Array.from({ length: a.n }, (_, i) => i), matrix: a, perturbation: 0, rowPerturbation: 1e-9, parts: { dropped: 0, rounding: 0 }, source: "exact rows", ms: 0 };
    const op = new KernelCsrOperator(a);
    try {
      const absOff = (w: Float64Array, out: Float64Array) => op.absOffMultiply(w, out);
      const untimed = (d: ReturnType<typeof dominance>) => ({ ...d, ms: 0 });
      const js = dominance(R);
      expect(js.iterations).toBeGreaterThan(3);
      expect(untimed(dominance(R, { absOff }))).toEqual(untimed(js));
      const start = Float64Array.from(js.v, (x, i) => x * (1 + (i % 3) / 10));
      expect(untimed(dominance(R, { start, maxIter: 40, absOff }))).toEqual(untimed(dominance(R, { start, maxIter: 40 })));
    } finally {
      op.dispose();
    }
  });
});
