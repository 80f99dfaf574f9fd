import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.vec;

describe.each(DTYPES)("vec kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const tol = parityTol(dtype);
  const rand = mulberry32(7);
  const sizes = paritySizes(rand);

  it.each(sizes)("n = %i", (n) => {
    const xa = randomArray(dtype, n, rand);
    const ya = randomArray(dtype, n, rand);
    const x = k.from(xa);
    const y = k.from(ya);
    const a = rand() * 2 - 1;
    const b = rand() * 2 - 1;

    k.exports.axpy(n, a, x.ptr, y.ptr);
    const yr = ya.slice();
    ref.axpy(n, a, xa, yr);
    expectArrayClose(y.view, yr, tol);

    k.exports.axpby(n, a, x.ptr, b, y.ptr);
    ref.axpby(n, a, xa, b, yr);
    expectArrayClose(y.view, yr, tol);

    k.exports.scale(n, b, y.ptr);
    ref.scale(n, b, yr);
    expectArrayClose(y.view, yr, tol);

    const d = k.exports.dot(n, x.ptr, y.ptr);
    const dr = ref.dot(n, xa, yr);
    expectScalarClose(d, dr, tol, tol * Math.sqrt(n));

    k.exports.copy(n, x.ptr, y.ptr);
    expect(Array.from(y.view)).toEqual(Array.from(xa));

    k.exports.fill(n, a, y.ptr);
    const fr = ya.slice();
    ref.fill(n, a, fr);
    expectArrayClose(y.view, fr, 0);

    x.free();
    y.free();
  });

  it.each(sizes)("element-wise kernels and reductions, n = %i", (n) => {
    const [xa, ya, pa] = [0, 1, 2].map(() => randomArray(dtype, n, rand));
    const [x, y, p] = [xa, ya, pa].map((a) => k.from(a));
    const out = k.alloc(n);
    const r = xa.slice();
    const a = rand() * 4 - 2;
    const b = rand() * 4 - 2;

    k.exports.mul(n, x.ptr, y.ptr, out.ptr);
    ref.mul(n, xa, ya, r);
    expectArrayClose(out.view, r, tol);

    k.exports.sub(n, x.ptr, y.ptr, out.ptr);
    ref.sub(n, xa, ya, r);
    expectArrayClose(out.view, r, tol);

    k.exports.axpbyz(n, a, x.ptr, b, y.ptr, out.ptr);
    ref.axpbyz(n, a, xa, b, ya, r);
    expectArrayClose(out.view, r, tol);

    // the forward step's input: f64 arithmetic rounded once, the bits of the reference in both builds
    k.exports.forwardInput(n, a, x.ptr, y.ptr, out.ptr);
    ref.forwardInput(n, a, xa, ya, r);
    expect(Array.from(out.view)).toEqual(Array.from(r));

    k.exports.momentum(n, a, x.ptr, p.ptr, out.ptr);
    ref.momentum(n, a, xa, pa, r);
    expectArrayClose(out.view, r, tol);

    // in place: the extrapolated point overwrites the previous iterate
    k.exports.momentum(n, a, x.ptr, p.ptr, p.ptr);
    expectArrayClose(p.view, r, tol);
    // element-wise kernels may write over an input
    k.exports.mul(n, x.ptr, y.ptr, y.ptr);
    ref.mul(n, xa, ya, r);
    expectArrayClose(y.view, r, tol);

    // float64 accumulation in both builds: f32 squares are exact in f64, so the sums agree to f64 precision
    expectScalarClose(k.exports.norm2sq(n, x.ptr), ref.norm2sq(n, xa), 1e-12);
    expectScalarClose(k.exports.norm1(n, x.ptr), ref.norm1(n, xa), 1e-12);
    expect(k.exports.maxAbs(n, x.ptr)).toBe(ref.maxAbs(n, xa));

    for (const buf of [x, y, p, out]) buf.free();
  });

  it("maxAbs finds the extreme at every position and propagates NaN", () => {
    for (const n of [1, 5, 8, 9, 17]) {
      for (let at = 0; at < n; at++) {
        const xa = randomArray(dtype, n, rand).map((v) => v / 100);
        xa[at] = at % 2 ? -3.5 : 3.5;
        const x = k.from(xa);
        expect(k.exports.maxAbs(n, x.ptr)).toBe(3.5);
        x.view[at] = -Infinity;
        expect(k.exports.maxAbs(n, x.ptr)).toBe(Infinity);
        x.view[at] = NaN;
        expect(k.exports.maxAbs(n, x.ptr)).toBeNaN();
        x.free();
      }
    }
  });

  it("dot accumulates in float64 even for float32 arrays", () => {
    // 2^24 + 1 ones: a float32 accumulator would stop at 2^24.
    const n = (1 << 24) + 4;
    const x = k.alloc(n);
    k.exports.fill(n, 1, x.ptr);
    expect(k.exports.dot(n, x.ptr, x.ptr)).toBe(n);
    expect(k.exports.norm2sq(n, x.ptr)).toBe(n);
    expect(k.exports.norm1(n, x.ptr)).toBe(n);
    x.free();
  });
});
