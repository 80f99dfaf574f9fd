// The symmetric CSR product (assembly/sparse.ts) against the JS loop it replaces
// (csrMultiply, packages/fda/src/sparse-symmetric.ts), bit for bit, at even and odd sizes, with
// diagonal entries present and missing, empty rows, columns out of order, in both builds.
import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel } from "../src/kernel/index.js";
import { mulberry32, randomSymmetricCsr as randomCsr, type UpperCsr } from "@cflow/test-kit";

type Csr = UpperCsr;

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

// The congruence route's operator pieces (assembly/sparse.ts: splitSymMultiply, lowerColumnsSolve,
// lowerColumnsTransposeSolve) against copies of the JS loops they replace (splitMultiply,
// packages/fda/src/sparse-symmetric.ts; lowerSolve and lowerTransposeSolve,
// packages/fda/test/incomplete-cholesky-reference.ts), bit for bit, in both builds. The same strict upper
// pattern serves as A's rows and, read as columns, as L's strict lower part.
function splitMultiply(n: number, diag: Float64Array, a: Csr, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] = diag[i] * x[i];
  let p = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let s0 = y[i];
    let s1 = 0;
    const end = a.rowPtr[i + 1];
    for (; p + 1 < end; p += 2) {
      s0 += a.val[p] * x[a.col[p]];
      s1 += a.val[p + 1] * x[a.col[p + 1]];
      y[a.col[p]] += a.val[p] * xi;
      y[a.col[p + 1]] += a.val[p + 1] * xi;
    }
    if (p < end) {
      s0 += a.val[p] * x[a.col[p]];
      y[a.col[p]] += a.val[p] * xi;
      p++;
    }
    y[i] = s0 + s1;
  }
}

function lowerSolve(n: number, diag: Float64Array, l: Csr, x: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const xj = x[j] / diag[j];
    x[j] = xj;
    for (let q = l.rowPtr[j]; q < l.rowPtr[j + 1]; q++) x[l.col[q]] -= l.val[q] * xj;
  }
}

function lowerTransposeSolve(n: number, diag: Float64Array, l: Csr, b: Float64Array, x: Float64Array): void {
  let q = l.rowPtr[n] - 1;
  for (let j = n - 1; j >= 0; j--) {
    let s = b[j];
    for (; q >= l.rowPtr[j]; q--) s -= l.val[q] * x[l.col[q]];
    x[j] = s / diag[j];
  }
}

/** The strict upper part of `randomCsr` (its diagonal entries left out). */
function strictUpper(a: Csr): Csr {
  const rowPtr = new Int32Array(a.n + 1);
  const col: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < a.n; i++) {
    for (let p = a.rowPtr[i]; p < a.rowPtr[i + 1]; p++) {
      if (a.col[p] === i) continue;
      col.push(a.col[p]);
      val.push(a.val[p]);
    }
    rowPtr[i + 1] = col.length;
  }
  return { n: a.n, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
}

describe.each(DTYPES)("splitSymMultiply and the column triangular solves (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([1, 2, 7, 64, 513])("n = %i: the JS loops' bits", (n) => {
    const a = strictUpper(randomCsr(n, 900 + n));
    const rand = mulberry32(7 * n);
    const diag = Float64Array.from({ length: n }, () => 1 + 3 * rand());
    const x = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (4 * rand() - 2));
    const nz = Math.max(a.col.length, 1);
    const bufs = { rowPtr: k.allocI32(n + 1), col: k.allocI32(nz), val: k.allocF64(nz), diag: k.allocF64(n), x: k.allocF64(n), y: k.allocF64(n) };
    try {
      bufs.rowPtr.view.set(a.rowPtr);
      bufs.col.view.set(a.col);
      bufs.val.view.set(a.val);
      bufs.diag.view.set(diag);
      const run = (fill: (x: Float64Array) => void) => {
        bufs.x.view.set(x);
        bufs.y.view.fill(Number.NaN);
        fill(bufs.x.view);
      };
      const want = new Float64Array(n);
      splitMultiply(n, diag, a, x, want);
      run(() => k.exports.splitSymMultiply(n, bufs.diag.ptr, bufs.rowPtr.ptr, bufs.col.ptr, bufs.val.ptr, bufs.x.ptr, bufs.y.ptr));
      expect(Array.from(bufs.y.view)).toEqual(Array.from(want));
      want.set(x);
      lowerSolve(n, diag, a, want);
      run(() => k.exports.lowerColumnsSolve(n, bufs.diag.ptr, bufs.rowPtr.ptr, bufs.col.ptr, bufs.val.ptr, bufs.x.ptr));
      expect(Array.from(bufs.x.view)).toEqual(Array.from(want));
      lowerTransposeSolve(n, diag, a, x, want);
      run(() => k.exports.lowerColumnsTransposeSolve(n, bufs.diag.ptr, bufs.rowPtr.ptr, bufs.col.ptr, bufs.val.ptr, bufs.x.ptr, bufs.y.ptr));
      expect(Array.from(bufs.y.view)).toEqual(Array.from(want));
    } finally {
      for (const b of Object.values(bufs)) b.free();
    }
  });
});

// csrAbsOffMultiply (assembly/sparse.ts) against a copy of the JS loop it replaces
// (csrAbsOffMultiply, packages/fda/src/sparse-symmetric.ts), bit for bit, in both builds.
function csrAbsOffMultiply(a: Csr, w: Float64Array, out: Float64Array): void {
  out.fill(0, 0, a.n);
  let p = a.rowPtr[0];
  for (let i = 0; i < a.n; i++) {
    const wi = w[i];
    let s = out[i];
    for (; p < a.rowPtr[i + 1]; p++) {
      const j = a.col[p];
      if (j === i) continue;
      const v = Math.abs(a.val[p]);
      s += v * w[j];
      out[j] += v * wi;
    }
    out[i] = s;
  }
}

describe.each(DTYPES)("csrAbsOffMultiply (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([1, 2, 7, 64, 513])("n = %i: the JS loop's bits", (n) => {
    const a = randomCsr(n, 500 + n);
    const rand = mulberry32(11 * n);
    const w = Float64Array.from({ length: n }, () => rand() * 10 ** (4 * rand() - 2));
    const want = new Float64Array(n);
    csrAbsOffMultiply(a, w, want);
    const nz = Math.max(a.col.length, 1);
    const bufs = { rowPtr: k.allocI32(n + 1), col: k.allocI32(nz), val: k.allocF64(nz), w: k.allocF64(n), out: k.allocF64(n) };
    try {
      bufs.rowPtr.view.set(a.rowPtr);
      bufs.col.view.set(a.col);
      bufs.val.view.set(a.val);
      bufs.w.view.set(w);
      bufs.out.view.fill(Number.NaN);
      k.exports.csrAbsOffMultiply(n, bufs.rowPtr.ptr, bufs.col.ptr, bufs.val.ptr, bufs.w.ptr, bufs.out.ptr);
      expect(Array.from(bufs.out.view)).toEqual(Array.from(want));
    } finally {
      for (const b of Object.values(bufs)) b.free();
    }
  });
});
