import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.conv;

describe.each(DTYPES)("convolution kernels match their references (%s)", (dtype: Dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(31);
  const mk = (n: number) => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

  it("pins the centring convention on a hand-computed case (numpy.convolve 'same')", () => {
    const x = k.from(dtype === "float64" ? Float64Array.of(1, 2, 3, 4) : Float32Array.of(1, 2, 3, 4));
    const kk = k.from(dtype === "float64" ? Float64Array.of(1, 2, 3) : Float32Array.of(1, 2, 3));
    const y = k.alloc(4);
    e.conv1d(4, x.ptr, 3, kk.ptr, 1, y.ptr, 0);
    expect(Array.from(y.view)).toEqual([4, 10, 16, 17]);
    e.conv1d(4, x.ptr, 3, kk.ptr, 1, y.ptr, 1);
    // circular: y0 gains k2·x3 = 12, y3 gains k0·x0 = 1
    expect(Array.from(y.view)).toEqual([16, 10, 16, 18]);
    for (const b of [x, y, kk]) b.free();
  });

  const kernels = [1, 2, 3, 4, 7, 13, 26];
  it.each(paritySizes(rand).filter((n) => n > 0))("conv1d, n = %i", (n) => {
    const xa = randomArray(dtype, n, rand);
    const x = k.from(xa);
    const y = k.alloc(n);
    const yr = mk(n);
    for (const m of kernels) {
      const ka = randomArray(dtype, m, rand);
      const kb = k.from(ka);
      for (const c of new Set([Math.floor(m / 2), m - 1 - Math.floor(m / 2), 0, m - 1])) {
        for (const circular of [0, 1]) {
          e.conv1d(n, x.ptr, m, kb.ptr, c, y.ptr, circular);
          ref.conv1d(n, xa, m, ka, c, yr, circular);
          expectArrayClose(y.view, yr, tol);
        }
      }
      kb.free();
    }
    x.free();
    y.free();
  });

  it.each([
    [1, 1, 1, 1],
    [5, 7, 3, 3],
    [9, 33, 3, 5],
    [17, 19, 13, 13],
    [8, 40, 6, 4],
    [3, 4, 7, 9], // kernel larger than the image: wraps several times when circular
    [64, 64, 13, 13],
  ])("convRows / convCols / conv2d, %i × %i image, %i × %i kernel", (h, w, mh, mw) => {
    const xa = randomArray(dtype, h * w, rand);
    const ka = randomArray(dtype, mh * mw, rand);
    const kr = randomArray(dtype, mw, rand);
    const kc = randomArray(dtype, mh, rand);
    const [x, kb, krb, kcb, y] = [k.from(xa), k.from(ka), k.from(kr), k.from(kc), k.alloc(h * w)];
    const yr = mk(h * w);
    for (const circular of [0, 1]) {
      for (const [ch, cw] of [
        [Math.floor(mh / 2), Math.floor(mw / 2)],
        [mh - 1 - Math.floor(mh / 2), mw - 1 - Math.floor(mw / 2)],
        [0, mw - 1],
      ]) {
        e.conv2d(h, w, x.ptr, mh, mw, kb.ptr, ch, cw, y.ptr, circular);
        ref.conv2d(h, w, xa, mh, mw, ka, ch, cw, yr, circular);
        expectArrayClose(y.view, yr, tol);
        e.convRows(h, w, x.ptr, mw, krb.ptr, cw, y.ptr, circular);
        ref.convRows(h, w, xa, mw, kr, cw, yr, circular);
        expectArrayClose(y.view, yr, tol);
        e.convCols(h, w, x.ptr, mh, kcb.ptr, ch, y.ptr, circular);
        ref.convCols(h, w, xa, mh, kc, ch, yr, circular);
        expectArrayClose(y.view, yr, tol);
      }
    }
    for (const b of [x, kb, krb, kcb, y]) b.free();
  });

  it("separable filtering equals the 2D convolution with the outer-product kernel", () => {
    const [h, w, mh, mw] = [12, 21, 5, 3];
    const xa = randomArray(dtype, h * w, rand);
    const kr = randomArray(dtype, mw, rand);
    const kc = randomArray(dtype, mh, rand);
    const outer = mk(mh * mw);
    for (let a = 0; a < mh; a++) for (let b = 0; b < mw; b++) outer[a * mw + b] = kc[a] * kr[b];
    const [x, t, y, y2, krb, kcb, kb] = [k.from(xa), k.alloc(h * w), k.alloc(h * w), k.alloc(h * w), k.from(kr), k.from(kc), k.from(outer)];
    for (const circular of [0, 1]) {
      e.convRows(h, w, x.ptr, mw, krb.ptr, 1, t.ptr, circular);
      e.convCols(h, w, t.ptr, mh, kcb.ptr, 2, y.ptr, circular);
      e.conv2d(h, w, x.ptr, mh, mw, kb.ptr, 2, 1, y2.ptr, circular);
      expectArrayClose(y.view, y2.view, dtype === "float64" ? 1e-13 : 1e-5);
    }
    for (const b of [x, t, y, y2, krb, kcb, kb]) b.free();
  });

  it("zero-padding and cropping", () => {
    const [h, w, H, W] = [3, 5, 4, 8];
    const xa = randomArray(dtype, h * w, rand);
    const x = k.from(xa);
    const xp = k.alloc(H * W);
    k.exports.fill(H * W, 7, xp.ptr);
    e.convPad2d(h, w, x.ptr, H, W, xp.ptr);
    const want = mk(H * W);
    ref.convPad2d(h, w, xa, H, W, want);
    expect(Array.from(xp.view)).toEqual(Array.from(want));
    const y = k.alloc(h * w);
    e.convCrop2d(H, W, xp.ptr, h, w, y.ptr);
    expect(Array.from(y.view)).toEqual(Array.from(xa));
    for (const b of [x, xp, y]) b.free();
  });
});
