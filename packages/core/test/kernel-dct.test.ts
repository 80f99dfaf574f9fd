import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.dct;

/** The orthonormal DCT-II matrix, D[k][m] = s_k cos(π(2m+1)k/2n), from its definition. */
function dctMatrix(n: number): Float64Array[] {
  return Array.from({ length: n }, (_, k) =>
    Float64Array.from({ length: n }, (_, m) => Math.sqrt((k === 0 ? 1 : 2) / n) * Math.cos((Math.PI * (2 * m + 1) * k) / (2 * n))),
  );
}

function mul(D: Float64Array[], x: ArrayLike<number>, transpose = false): Float64Array {
  const n = D.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[transpose ? j : i] += D[i][j] * x[transpose ? i : j];
  return y;
}

describe.each(DTYPES)("DCT kernels (%s)", (dtype: Dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const rand = mulberry32(17);
  const mk = (n: number): RealArray => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

  it.each([1, 2, 3, 4, 5, 8, 12, 16, 31, 64, 100, 256])("1D, n = %i: the dense orthonormal DCT-II matrix, its transpose, DᵀD = I", (n) => {
    const D = dctMatrix(n);
    // the matrix itself is orthonormal (checks the test's truth)
    if (n <= 64) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(D.reduce((s, row) => s + row[i] * row[j], 0) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    const plan = k.alloc(e.dctPlanSize(n));
    const work = k.alloc(e.dctWorkSize(n));
    e.dctPlan(n, plan.ptr);
    const xa = randomArray(dtype, n, rand);
    const [x, X, y] = [k.from(xa), k.alloc(n), k.alloc(n)];
    e.dct(n, x.ptr, X.ptr, plan.ptr, work.ptr);
    expectArrayClose(X.view, mul(D, xa), tol);
    e.idct(n, X.ptr, y.ptr, plan.ptr, work.ptr);
    expectArrayClose(y.view, mul(D, X.view, true), tol);
    expectArrayClose(y.view, xa, tol); // DᵀD x = x
    expect(Array.from(x.view)).toEqual(Array.from(xa));
    for (const b of [plan, work, x, X, y]) b.free();
  });

  it.each([
    [1, 1],
    [1, 8],
    [5, 1],
    [4, 8],
    [6, 10],
    [16, 12],
    [32, 32],
  ])("2D, %i × %i: the Kronecker product of the dense matrices, and the inverse", (h, w) => {
    const Dh = dctMatrix(h);
    const Dw = dctMatrix(w);
    const xa = randomArray(dtype, h * w, rand);
    const want = new Float64Array(h * w);
    for (let a = 0; a < h; a++) for (let b = 0; b < w; b++) for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) want[a * w + b] += Dh[a][r] * Dw[b][s] * xa[r * w + s];
    const plan = k.alloc(e.dct2PlanSize(h, w));
    const work = k.alloc(e.dct2WorkSize(h, w));
    e.dct2Plan(h, w, plan.ptr);
    const [x, X, y] = [k.from(xa), k.alloc(h * w), k.alloc(h * w)];
    e.dct2(h, w, x.ptr, X.ptr, plan.ptr, work.ptr);
    expectArrayClose(X.view, want, tol);
    e.idct2(h, w, X.ptr, y.ptr, plan.ptr, work.ptr);
    expectArrayClose(y.view, xa, tol);
    for (const b of [plan, work, x, X, y]) b.free();
  });

  it.each([2, 7, 64, 1000, 1024, 2048])("matches the plain-TS reference, n = %i", (n) => {
    const tolP = parityTol(dtype);
    const plan = k.alloc(e.dctPlanSize(n));
    const work = k.alloc(e.dctWorkSize(n));
    e.dctPlan(n, plan.ptr);
    const xa = randomArray(dtype, n, rand);
    const [x, X] = [k.from(xa), k.alloc(n)];
    const want = mk(n);
    const none = mk(0);
    e.dct(n, x.ptr, X.ptr, plan.ptr, work.ptr);
    ref.dct(n, xa, want, none, none);
    expectArrayClose(X.view, want, tolP);
    e.idct(n, x.ptr, X.ptr, plan.ptr, work.ptr);
    ref.idct(n, xa, want, none, none);
    expectArrayClose(X.view, want, tolP);
    for (const b of [plan, work, x, X]) b.free();
  });

  it("2D matches the plain-TS reference", () => {
    const [h, w] = [24, 32];
    const plan = k.alloc(e.dct2PlanSize(h, w));
    const work = k.alloc(e.dct2WorkSize(h, w));
    e.dct2Plan(h, w, plan.ptr);
    const xa = randomArray(dtype, h * w, rand);
    const [x, X] = [k.from(xa), k.alloc(h * w)];
    const want = mk(h * w);
    const none = mk(0);
    e.dct2(h, w, x.ptr, X.ptr, plan.ptr, work.ptr);
    ref.dct2(h, w, xa, want, none, none);
    expectArrayClose(X.view, want, parityTol(dtype));
    e.idct2(h, w, x.ptr, X.ptr, plan.ptr, work.ptr);
    ref.idct2(h, w, xa, want, none, none);
    expectArrayClose(X.view, want, parityTol(dtype));
    for (const b of [plan, work, x, X]) b.free();
  });
});
