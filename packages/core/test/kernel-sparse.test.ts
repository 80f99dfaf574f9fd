// The symmetric CSR product (assembly/sparse.ts) against the JS loop it replaces
// (csrMultiply, packages/fda/src/sparse-symmetric.ts), bit for bit, at even and odd sizes, with
// diagonal entries present and missing, empty rows, columns out of order, in both builds.
import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel } from "../src/kernel/index.js";
import { mulberry32 } from "@cflow/test-kit";

interface Csr {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/** y ← A x, A symmetric with one triangle stored (the loop of packages/fda/src/sparse-symmetric.ts). */
function csrMultiply(a: Csr, x: Float64Array, y: Float64Array): void {
  y.fill(0, 0, a.n);
  for (let i = 0; i < a.n; i++) {
    const xi = x[i];
    let s = y[i];
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      const j = a.col[p];
      s += a.val[p] * x[j];
      if (j !== i) y[j] += a.val[p] * xi;
    }
    y[i] = s;
  }
}

/** A random upper-triangle pattern: each row i gets its diagonal with probability 0.8 and up to 6 columns j > i, shuffled. */
function randomCsr(n: number, seed: number): Csr {
  const rand = mulberry32(seed);
  const rowPtr = new Int32Array(n + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    const cols = new Set<number>();
    if (rand() < 0.8) cols.add(i);
    const extra = Math.floor(rand() * 7);
    for (let t = 0; t < extra && i + 1 < n; t++) cols.add(i + 1 + Math.floor(rand() * (n - i - 1)));
    const row = [...cols].sort(() => rand() - 0.5);
    for (const j of row) {
      col.push(j);
      val.push((rand() * 2 - 1) * 10 ** (6 * rand() - 3));
    }
    rowPtr[i + 1] = col.length;
  }
  return { n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
}

describe.each(DTYPES)("csrSymMultiply (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([1, 2, 7, 64, 513])("n = %i: the JS loop's bits", (n) => {
    const a = randomCsr(n, 300 + n);
    const rand = mulberry32(n);
    const x = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (4 * rand() - 2));
    const want = new Float64Array(n);
    csrMultiply(a, x, want);
    const rowPtr = k.allocI32(n + 1);
    const col = k.allocI32(Math.max(a.col.length, 1));
    const val = k.allocF64(Math.max(a.val.length, 1));
    const bx = k.allocF64(n);
    const by = k.allocF64(n);
    try {
      rowPtr.view.set(a.rowPtr);
      col.view.set(a.col);
      val.view.set(a.val);
      bx.view.set(x);
      by.view.fill(Number.NaN); // the product overwrites y
      k.exports.csrSymMultiply(n, rowPtr.ptr, col.ptr, val.ptr, bx.ptr, by.ptr);
      expect(Array.from(by.view)).toEqual(Array.from(want));
      // and it is A x: against the dense product summed in a different order, to rounding
      const dense = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) dense[i * n + a.col[p]] = dense[a.col[p] * n + i] = a.val[p];
      for (let i = 0; i < n; i++) {
        let s = 0;
        let mag = 0;
        for (let j = 0; j < n; j++) {
          s += dense[i * n + j] * x[j];
          mag += Math.abs(dense[i * n + j] * x[j]);
        }
        expect(Math.abs(by.view[i] - s)).toBeLessThanOrEqual(1e-13 * mag);
      }
    } finally {
      for (const t of [rowPtr, col, val, bx, by]) t.free();
    }
  });
});
