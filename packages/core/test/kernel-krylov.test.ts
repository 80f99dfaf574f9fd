// The Gram–Schmidt pass, dot and quotient (assembly/krylov.ts) against the JS loops it replaces — packages/fda's
// vector.ts `dot` then `axpy` against each basis vector in turn, `dot`, and w[i] / b — bit for bit, at lengths with every
// remainder mod 4 and basis sizes 1 to 30, in both builds (float64 arithmetic in each).
import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel } from "../src/kernel/index.js";
import { mulberry32 } from "@cflow/test-kit";

/** packages/fda/src/vector.ts's dot: four partial sums over blocks of four, the tail into the first. */
function dot(n: number, x: Float64Array, y: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; i++) s0 += x[i] * y[i];
  return s0 + s1 + (s2 + s3);
}

/** packages/fda/src/vector.ts's axpy: y ← y + a·x. */
function axpy(n: number, a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) y[i] += a * x[i];
}

describe.each(DTYPES)("gramSchmidtPass, krylovDot, krylovQuotient (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([
    [1, 1],
    [2, 3],
    [3, 2],
    [4, 1],
    [5, 4],
    [7, 30],
    [64, 7],
    [1001, 30],
    [1002, 12],
  ])("n = %i, %i vectors: the bits of dot then axpy per vector", (n, count) => {
    const rand = mulberry32(n * 37 + count);
    const basis = Array.from({ length: count }, () => Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (2 * rand() - 1)));
    const w = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * 10 ** (4 * rand() - 2));
    const want = w.slice();
    let cWant = 0;
    for (let i = 0; i < count; i++) {
      cWant = dot(n, basis[i], want);
      axpy(n, -cWant, basis[i], want);
    }
    const bufs = basis.map((v) => {
      const b = k.allocF64(n);
      b.view.set(v);
      return b;
    });
    const table = k.allocI32(count);
    const bw = k.allocF64(n);
    try {
      bufs.forEach((b, i) => (table.view[i] = b.ptr));
      bw.view.set(w);
      const c = k.exports.gramSchmidtPass(n, count, table.ptr, bw.ptr);
      expect(c).toBe(cWant);
      expect(Array.from(bw.view)).toEqual(Array.from(want));
      // the dot alone, and the quotient
      bw.view.set(w);
      expect(k.exports.krylovDot(n, bufs[0].ptr, bw.ptr)).toBe(dot(n, basis[0], w));
      const b = 0.1 + rand() * 3;
      k.exports.krylovQuotient(n, bw.ptr, b, bufs[0].ptr);
      expect(Array.from(bufs[0].view)).toEqual(Array.from(w, (x) => x / b));
    } finally {
      for (const b of [...bufs, table, bw]) b.free();
    }
  });
});
