// The kernel's symmetric CSR product (kernel-csr-operator.ts) against csrMultiply
// (sparse-symmetric.ts), the JS loop it replaces in the inertia route: bit for bit on matrices
// whose rows list columns out of order (as ShiftClassRows.restrict assembles them), with and
// without diagonal entries, at even and odd sizes; and the Lanczos runs on either are the same.
import { describe, expect, it } from "vitest";
import { rngKey } from "@cflow/core";
import { csrMultiply, dominance, lanczos, type RestrictedMatrix, type SymmetricCsr } from "../src/index.js";
import { csrAbsOffMultiply } from "../src/sparse-symmetric.js";
import { KernelCsrOperator } from "../src/kernel-csr-operator.js";
import { mulberry32 } from "@cflow/test-kit";

function randomCsr(n: number, seed: number): SymmetricCsr {
  const rand = mulberry32(seed);
  const rowPtr = new Int32Array(n + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    const cols = new Set<number>();
    if (rand() < 0.9) cols.add(i);
    const extra = Math.floor(rand() * 9);
    for (let t = 0; t < extra && i + 1 < n; t++) cols.add(i + 1 + Math.floor(rand() * Math.min(n - i - 1, 40)));
    for (const j of [...cols].sort(() => rand() - 0.5)) {
      col.push(j);
      val.push(j === i ? 4 + rand() : (rand() * 2 - 1) * 10 ** (3 * rand() - 2));
    }
    rowPtr[i + 1] = col.length;
  }
  return { n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
}

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
    // every diagonal entry stored and positive (the iteration needs D > 0), couplings from randomCsr
    const b = randomCsr(600, 8);
    const rowPtr = new Int32Array(b.n + 1);
    const col: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < b.n; i++) {
      col.push(i);
      val.push(0.05 + (i % 5) / 10);
      for (let p = b.rowPtr[i]; p < b.rowPtr[i + 1]; p++) {
        if (b.col[p] === i) continue;
        col.push(b.col[p]);
        val.push(b.val[p]);
      }
      rowPtr[i + 1] = col.length;
    }
    const a: SymmetricCsr = { n: b.n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
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
