import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { expectArrayClose, expectScalarClose, mulberry32, parityTol, paritySizes, randomArray } from "./helpers.js";

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

  it("dot accumulates in float64 even for float32 arrays", () => {
    // 2^24 + 1 ones: a float32 accumulator would stop at 2^24.
    const n = (1 << 24) + 4;
    const x = k.alloc(n);
    k.exports.fill(n, 1, x.ptr);
    expect(k.exports.dot(n, x.ptr, x.ptr)).toBe(n);
    x.free();
  });
});
