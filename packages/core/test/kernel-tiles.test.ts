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

/** In-place lower Cholesky, column by column (the loop of packages/fda's factorisation); the first non-positive pivot or −1. */
function cholesky(t: Float64Array, b: number): number {
  for (let j = 0; j < b; j++) {
    let d = t[j * b + j];
    for (let k = 0; k < j; k++) d -= t[j * b + k] * t[j * b + k];
    if (!(d > 0)) return j;
    d = Math.sqrt(d);
    t[j * b + j] = d;
    for (let i = j + 1; i < b; i++) {
      let s = t[i * b + j];
      for (let k = 0; k < j; k++) s -= t[i * b + k] * t[j * b + k];
      t[i * b + j] = s / d;
    }
  }
  return -1;
}

const transpose = (m: Float64Array, b: number) => Float64Array.from(m, (_, t) => m[(t % b) * b + Math.floor(t / b)]);

describe.each(DTYPES)("tile kernels (%s build)", (dtype) => {
  const k = Kernel.get(dtype);
  it.each([1, 2, 3, 5, 6, 7, 8, 48, 49])("b = %i: tileTrsm and tileGemmSubT give the textbook loops' bits", (b) => {
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
      const cw = c.slice();
      gemmSub(cw, a, bm, b);
      bc.view.set(c);
      ba.view.set(transpose(a, b));
      bx.view.set(transpose(bm, b));
      k.exports.tileGemmSubT(b, bc.ptr, ba.ptr, bx.ptr);
      expect(Array.from(bc.view)).toEqual(Array.from(cw));
    } finally {
      for (const t of [bl, bx, bc, ba]) t.free();
    }
  });

  it.each([1, 2, 5, 8, 48, 49])("b = %i: tileCholesky gives the textbook loop's bits, and stops where it stops", (b) => {
    const rand = mulberry32(200 + b);
    // M Mᵀ + b·I (positive definite, entries of mixed signs), its upper part garbage
    const m = Float64Array.from({ length: b * b }, () => rand() * 2 - 1);
    const spd = new Float64Array(b * b);
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) {
        let s = i === j ? b : 0;
        for (let k = 0; k < b; k++) s += m[i * b + k] * m[j * b + k];
        spd[i * b + j] = j <= i ? s : rand() * 1e3;
      }
    }
    const bt = k.allocF64(b * b);
    try {
      for (const [name, tile] of [["definite", spd], ["indefinite", Float64Array.from(spd, (v, t) => (t === (b >> 1) * (b + 1) ? -v : v))]] as const) {
        bt.view.set(tile);
        const got = k.exports.tileCholesky(b, bt.ptr);
        const want = tile.slice();
        expect(got, name).toBe(cholesky(want, b));
        expect(Array.from(bt.view), name).toEqual(Array.from(want));
      }
    } finally {
      bt.free();
    }
  });
});
