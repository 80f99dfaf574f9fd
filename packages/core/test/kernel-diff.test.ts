import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.diff;

/** The gradient as a dense matrix, row by row from its definition (Neumann: last difference zero). */
function denseGradient(shape: number[]): number[][] {
  const rows = shape.length === 1 ? 1 : shape[0];
  const cols = shape.length === 1 ? shape[0] : shape[1];
  const n = rows * cols;
  const axes = shape.length === 1 ? [[0, 1]] : [[1, 0], [0, 1]];
  const m: number[][] = [];
  for (const [di, dj] of axes) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const row = new Array<number>(n).fill(0);
        if (i + di < rows && j + dj < cols) {
          row[(i + di) * cols + j + dj] += 1;
          row[i * cols + j] -= 1;
        }
        m.push(row);
      }
    }
  }
  return m;
}

describe.each(DTYPES)("finite differences (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(5);
  const shapes2D: [number, number][] = [
    [1, 1],
    [1, 7],
    [7, 1],
    [2, 2],
    [3, 5],
    [8, 9],
    [17, 33],
    [64, 31],
  ];

  it.each(paritySizes(rand))("1D kernels match the reference, n = %i", (n) => {
    const xa = randomArray(dtype, n, rand);
    const x = k.from(xa);
    const out = k.alloc(n);
    const ra = xa.slice();
    e.diff1D(n, x.ptr, out.ptr);
    ref.diff1D(n, xa, ra);
    expectArrayClose(out.view, ra, tol);
    e.diff1DAdjoint(n, x.ptr, out.ptr);
    ref.diff1DAdjoint(n, xa, ra);
    expectArrayClose(out.view, ra, tol);
    x.free();
    out.free();
  });

  it.each(shapes2D)("2D kernels match the reference, %i × %i", (rows, cols) => {
    const n = rows * cols;
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, 2 * n, rand);
    const x = k.from(xa);
    const y = k.from(ya);
    const gx = k.alloc(2 * n);
    const dy = k.alloc(n);
    const rg = ya.slice();
    const rd = xa.slice();
    e.diff2D(rows, cols, x.ptr, gx.ptr);
    ref.diff2D(rows, cols, xa, rg);
    expectArrayClose(gx.view, rg, tol);
    e.diff2DAdjoint(rows, cols, y.ptr, dy.ptr);
    ref.diff2DAdjoint(rows, cols, ya, rd);
    expectArrayClose(dy.view, rd, tol);
    for (const b of [x, y, gx, dy]) b.free();
  });

  const dense: number[][] = [[1], [2], [5], [9], [1, 1], [1, 6], [5, 1], [2, 3], [4, 5]];
  it.each(dense)("equal their dense-matrix form and its transpose, shape %j", (...shape) => {
    const D = denseGradient(shape);
    const n = shape.reduce((a, b) => a * b, 1);
    const m = D.length;
    const x = k.alloc(n);
    const gx = k.alloc(m);
    const y = k.alloc(m);
    const dy = k.alloc(n);
    const grad = (bx: typeof x, bo: typeof x) => (shape.length === 1 ? e.diff1D(n, bx.ptr, bo.ptr) : e.diff2D(shape[0], shape[1], bx.ptr, bo.ptr));
    const adj = (by: typeof x, bo: typeof x) => (shape.length === 1 ? e.diff1DAdjoint(n, by.ptr, bo.ptr) : e.diff2DAdjoint(shape[0], shape[1], by.ptr, bo.ptr));
    for (let c = 0; c < n; c++) {
      x.view.fill(0);
      x.view[c] = 1;
      grad(x, gx);
      expect(Array.from(gx.view)).toEqual(D.map((row) => row[c]));
    }
    for (let r = 0; r < m; r++) {
      y.view.fill(0);
      y.view[r] = 1;
      adj(y, dy);
      expect(Array.from(dy.view).map((v) => v + 0)).toEqual(D[r].map((v) => v + 0));
    }
    for (const b of [x, gx, y, dy]) b.free();
  });

  it.each([[1000], [33, 47]])("satisfy ⟨Dx, y⟩ = ⟨x, Dᵀy⟩, shape %j", (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const m = shape.length * n;
    const x = k.from(randomArray(dtype, n, rand));
    const y = k.from(randomArray(dtype, m, rand));
    const gx = k.alloc(m);
    const dy = k.alloc(n);
    if (shape.length === 1) {
      e.diff1D(n, x.ptr, gx.ptr);
      e.diff1DAdjoint(n, y.ptr, dy.ptr);
    } else {
      e.diff2D(shape[0], shape[1], x.ptr, gx.ptr);
      e.diff2DAdjoint(shape[0], shape[1], y.ptr, dy.ptr);
    }
    const lhs = e.dot(m, gx.ptr, y.ptr);
    const rhs = e.dot(n, x.ptr, dy.ptr);
    expectScalarClose(lhs, rhs, dtype === "float64" ? 1e-12 : 1e-5, dtype === "float64" ? 1e-10 : 1e-3);
    for (const b of [x, y, gx, dy]) b.free();
  });
});
