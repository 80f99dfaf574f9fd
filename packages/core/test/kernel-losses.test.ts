import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { expectArrayClose, expectScalarClose, mulberry32, parityTol, paritySizes, randomArray } from "./helpers.js";

describe.each(DTYPES)("loss kernels (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const rand = mulberry32(9);
  const tol = parityTol(dtype);

  it.each(paritySizes(rand).filter((n) => n > 0))("match the textbook formulas, n = %i", (n) => {
    const ra = randomArray(dtype, n, rand);
    const ya = ra.map(() => (rand() < 0.5 ? -1 : 1));
    const r = k.from(ra);
    const y = k.from(ya);
    const g = k.alloc(n);
    const gr = ra.slice();
    for (const delta of [0.3, 1.5]) {
      const v = k.exports.huber(n, delta, r.ptr, g.ptr);
      expectScalarClose(v, reference.losses.huber(n, delta, ra, gr), 1e-12, 1e-300);
      expectArrayClose(g.view, gr, tol);
      k.exports.huberCurvature(n, delta, r.ptr, g.ptr);
      reference.losses.huberCurvature(n, delta, ra, gr);
      expectArrayClose(g.view, gr, 0);
    }
    const v = k.exports.logistic(n, r.ptr, y.ptr, g.ptr);
    expectScalarClose(v, reference.losses.logistic(n, ra, ya, gr), 1e-12);
    expectArrayClose(g.view, gr, tol);
    k.exports.logisticCurvature(n, r.ptr, g.ptr);
    reference.losses.logisticCurvature(n, ra, gr);
    expectArrayClose(g.view, gr, tol);
    for (const b of [r, y, g]) b.free();
  });

  it("logistic stays finite for huge margins where the textbook formula overflows", () => {
    const z = k.from(dtype === "float64" ? Float64Array.of(800, -800) : Float32Array.of(80, -80));
    const y = k.from(dtype === "float64" ? Float64Array.of(-1, 1) : Float32Array.of(-1, 1));
    const g = k.alloc(2);
    const v = k.exports.logistic(2, z.ptr, y.ptr, g.ptr);
    expect(v).toBeCloseTo(dtype === "float64" ? 1600 : 160, 6);
    expect(Array.from(g.view)).toEqual([1, -1]);
    for (const b of [z, y, g]) b.free();
  });
});
