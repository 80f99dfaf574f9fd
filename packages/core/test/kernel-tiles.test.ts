// The blocked Cholesky's tile kernels (assembly/tiles.ts) against the textbook loops they replace,
// bit for bit: each output the same ordered sum (SIMD lanes hold outputs, never terms of one sum),
// at even and odd tile sizes, in both builds (float64 arithmetic in each).
import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel } from "../src/kernel/index.js";
import { mulberry32 } from "@cflow/test-kit";

/** X ← X L⁻ᵀ, rows of X solved independently (the loop of packages/fda's factorisation). */
function trsm(l: Float64Array, x: Float64Array, b: number): void {
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < b; j++) {
      let s = x[r * b + j];
      for (let k = 0; k < j; k++) s -= x[r * b + k] * l[j * b + k];
      x[r * b + j] = s / l[j * b + j];
    }
  }
}

/** C ← C − A Bᵀ entry by entry, each sum from 0 in k order. */
function gemmSub(c: Float64Array, a: Float64Array, bm: Float64Array, b: number): void {
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) {
      let s = 0;
      for (let k = 0; k < b; k++) s += a[i * b + k] * bm[j * b + k];
      c[i * b + j] -= s;
    }
  }
}

const transpose = (m: Float64Array, b: number) => Float64Array.from(m, (_, t) => m[(t % b) * b + Math.floor(t / b)]);

describe.each(DTYPES)("tile kernels (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([1, 2, 5, 8, 48, 49])("b = %i: tileTrsm, tileGemmSub and tileGemmSubT give the textbook loops' bits", (b) => {
    const rand = mulberry32(100 + b);
    const r = () => rand() * 2 - 1;
    // a well-conditioned lower-triangular L, and X, A, B, C of mixed magnitudes
    const l = Float64Array.from({ length: b * b }, (_, t) => (t % b > Math.floor(t / b) ? Number.NaN : t % b === Math.floor(t / b) ? 1 + rand() : r() * 1e-3 ** rand()));
    const x = Float64Array.from({ length: b * b }, () => r() * 10 ** (4 * rand() - 2));
    const a = Float64Array.from({ length: b * b }, r);
    const bm = Float64Array.from({ length: b * b }, r);
    const c = Float64Array.from({ length: b * b }, () => r() * 100);
    const bl = k.allocF64(b * b);
    const bx = k.allocF64(b * b);
    const bc = k.allocF64(b * b);
    const ba = k.allocF64(b * b);
    try {
      bl.view.set(l);
      bx.view.set(transpose(x, b));
      k.exports.tileTrsm(b, bl.ptr, bx.ptr);
      const want = x.slice();
      trsm(l, want, b);
      expect(Array.from(transpose(bx.view, b))).toEqual(Array.from(want));
      bc.view.set(c);
      ba.view.set(a);
      bx.view.set(transpose(bm, b));
      k.exports.tileGemmSub(b, bc.ptr, ba.ptr, bx.ptr);
      const cw = c.slice();
      gemmSub(cw, a, bm, b);
      expect(Array.from(bc.view)).toEqual(Array.from(cw));
      // the same update with A given transposed too
      bc.view.set(c);
      ba.view.set(transpose(a, b));
      bx.view.set(transpose(bm, b));
      k.exports.tileGemmSubT(b, bc.ptr, ba.ptr, bx.ptr);
      expect(Array.from(bc.view)).toEqual(Array.from(cw));
    } finally {
      for (const t of [bl, bx, bc, ba]) t.free();
    }
  });
});
