import { describe, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.linalg;

/** A random CSR pattern: m rows over n columns, some rows empty, column indices unsorted. */
function randomCsr(m: number, n: number, rand: () => number): { indptr: Int32Array; indices: Int32Array } {
  const indptr = new Int32Array(m + 1);
  const cols: number[] = [];
  for (let i = 0; i < m; i++) {
    const nnz = n === 0 || rand() < 0.15 ? 0 : Math.floor(rand() * Math.min(n, 12));
    for (let k = 0; k < nnz; k++) cols.push(Math.floor(rand() * n));
    indptr[i + 1] = cols.length;
  }
  return { indptr, indices: Int32Array.from(cols) };
}

describe.each(DTYPES)("linalg kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const tol = parityTol(dtype);
  const rand = mulberry32(21);
  const sides = paritySizes(rand).filter((s) => s <= 1100);
  // every row count mod 4 against every column count mod the lane widths, plus a matrix wider
  // than one or two gemvT tiles (8192 columns) and a tall one
  const shapes: [number, number][] = [];
  for (const m of [0, 1, 3, 4, 5, 7, 8, 9]) for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9]) shapes.push([m, n]);
  shapes.push([6, 2500], [5, 8193], [3, 16390], [700, 3], [33, 65]);
  for (let i = 0; i < 6; i++) shapes.push([sides[Math.floor(rand() * sides.length)] % 300, sides[Math.floor(rand() * sides.length)]]);

  it.each(shapes)("gemv and gemvT, %i × %i", (m, n) => {
    const Aa = randomArray(dtype, m * n, rand);
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, m, rand);
    const [A, x, y] = [Aa, xa, ya].map((a) => k.from(a));
    const yOut = k.alloc(m);
    const xOut = k.alloc(n);
    k.exports.gemv(m, n, A.ptr, x.ptr, yOut.ptr);
    const yr = ya.slice();
    ref.gemv(m, n, Aa, xa, yr);
    expectArrayClose(yOut.view, yr, tol);
    k.exports.fill(n, 7, xOut.ptr); // gemvT overwrites, it does not accumulate
    k.exports.gemvT(m, n, A.ptr, y.ptr, xOut.ptr);
    const xr = xa.slice();
    ref.gemvT(m, n, Aa, ya, xr);
    expectArrayClose(xOut.view, xr, tol);
    for (const b of [A, x, y, yOut, xOut]) b.free();
  });

  it.each(shapes)("spmv and spmvT, %i × %i", (m, n) => {
    const { indptr, indices } = randomCsr(m, n, rand);
    const va = randomArray(dtype, indices.length, rand);
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, m, rand);
    const ip = k.allocI32(m + 1);
    ip.view.set(indptr);
    const ix = k.allocI32(indices.length);
    ix.view.set(indices);
    const [v, x, y] = [va, xa, ya].map((a) => k.from(a));
    const yOut = k.alloc(m);
    const xOut = k.alloc(n);
    k.exports.spmv(m, ip.ptr, ix.ptr, v.ptr, x.ptr, yOut.ptr);
    const yr = ya.slice();
    ref.spmv(m, indptr, indices, va, xa, yr);
    expectArrayClose(yOut.view, yr, tol);
    k.exports.fill(n, 7, xOut.ptr);
    k.exports.spmvT(m, n, ip.ptr, ix.ptr, v.ptr, y.ptr, xOut.ptr);
    const xr = xa.slice();
    ref.spmvT(m, n, indptr, indices, va, ya, xr);
    expectArrayClose(xOut.view, xr, tol);
    for (const b of [ip, ix, v, x, y, yOut, xOut]) b.free();
  });
});
