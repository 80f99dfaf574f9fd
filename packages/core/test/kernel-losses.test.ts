import { describe, expect, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.losses;

describe.each(DTYPES)("loss kernels (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const rand = mulberry32(9);
  const tol = parityTol(dtype);

  it.each(paritySizes(rand).filter((n) => n > 0))("match the textbook formulas, n = %i", (n) => {
    const ra = randomArray(dtype, n, rand);
    const ya = ra.map(() => (rand() < 0.5 ? -1 : 1));
    const ca = ra.map(() => rand());
    const r = k.from(ra);
    const y = k.from(ya);
    const c = k.from(ca);
    const g = k.alloc(n);
    const gr = ra.slice();
    const w = 0.25 + rand();
    // value sums n terms: compare on the scale of the summed magnitudes
    const sumTol = (v: number) => 1e-12 * Math.max(1, Math.abs(v)) + (dtype === "float32" ? 1e-6 * n : 0);

    let v = ref.lossSquared(n, w, ra, gr);
    expectScalarClose(k.exports.lossSquared(n, w, r.ptr, g.ptr), v, 1e-12, sumTol(v));
    expectArrayClose(g.view, gr, tol);

    // the fused squared-loss passes of the flow step
    const ba = randomArray(dtype, n, rand);
    const bb = k.from(ba);
    const rr = ra.slice();
    const rk = k.from(ra);
    v = ref.lossSquaredResidual(n, w, ba, rr);
    expectScalarClose(k.exports.lossSquaredResidual(n, w, bb.ptr, rk.ptr), v, 1e-12, sumTol(v));
    expectArrayClose(rk.view, rr, tol);
    v = ref.lossSquaredValue(n, w, ra);
    expectScalarClose(k.exports.lossSquaredValue(n, w, r.ptr), v, 1e-12, sumTol(v));
    const beta = 0.3 + rand();
    v = ref.lossSquaredMomentum(n, w, beta, ra, ba, gr);
    expectScalarClose(k.exports.lossSquaredMomentum(n, w, beta, r.ptr, bb.ptr, g.ptr), v, 1e-12, sumTol(v) * (1 + 2 * beta));
    expectArrayClose(g.view, gr, tol * 10);
    // in place over the current residual, as the step calls it
    expectScalarClose(k.exports.lossSquaredMomentum(n, w, beta, rk.ptr, bb.ptr, rk.ptr), ref.lossSquaredMomentum(n, w, beta, rr, ba, rr), 1e-12, sumTol(v) * (1 + 2 * beta));
    expectArrayClose(rk.view, rr, tol * 10);
    for (const x of [bb, rk]) x.free();

    v = ref.lossWeightedSquared(n, w, ca, ra, gr);
    expectScalarClose(k.exports.lossWeightedSquared(n, w, c.ptr, r.ptr, g.ptr), v, 1e-12, sumTol(v));
    expectArrayClose(g.view, gr, tol);

    for (const delta of [0.3, 1.5]) {
      v = ref.lossHuber(n, w, delta, ra, gr);
      expectScalarClose(k.exports.lossHuber(n, w, delta, r.ptr, g.ptr), v, 1e-12, sumTol(v));
      expectArrayClose(g.view, gr, tol);
      k.exports.lossHuberCurvature(n, w, delta, r.ptr, g.ptr);
      ref.lossHuberCurvature(n, w, delta, ra, gr);
      expectArrayClose(g.view, gr, tol);
    }
    v = ref.lossLogistic(n, w, ra, ya, gr);
    expectScalarClose(k.exports.lossLogistic(n, w, r.ptr, y.ptr, g.ptr), v, 1e-12, sumTol(v));
    expectArrayClose(g.view, gr, tol);
    k.exports.lossLogisticCurvature(n, w, r.ptr, g.ptr);
    ref.lossLogisticCurvature(n, w, ra, gr);
    expectArrayClose(g.view, gr, tol);
    for (const b of [r, y, c, g]) b.free();
  });

  it("squared loss may write its gradient over its input", () => {
    const ra = randomArray(dtype, 37, rand);
    const r = k.from(ra);
    const gr = ra.slice();
    const v = ref.lossSquared(37, 2, ra, gr);
    expectScalarClose(k.exports.lossSquared(37, 2, r.ptr, r.ptr), v, 1e-12, 1e-6);
    expectArrayClose(r.view, gr, tol);
    r.free();
  });

  it("logistic stays finite for huge margins where the textbook formula overflows", () => {
    const z = k.from(dtype === "float64" ? Float64Array.of(800, -800) : Float32Array.of(80, -80));
    const y = k.from(dtype === "float64" ? Float64Array.of(-1, 1) : Float32Array.of(-1, 1));
    const g = k.alloc(2);
    const v = k.exports.lossLogistic(2, 1, z.ptr, y.ptr, g.ptr);
    expect(v).toBeCloseTo(dtype === "float64" ? 1600 : 160, 6);
    expect(Array.from(g.view)).toEqual([1, -1]);
    for (const b of [z, y, g]) b.free();
  });
});
