import { describe, it } from "vitest";
import { DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

describe.each(DTYPES)("flow kernels match their references (%s)", (dtype) => {
  const k = Kernel.get(dtype);
  const rand = mulberry32(5);

  it.each(paritySizes(rand))("n = %i", (n) => {
    const [ya, xa, pa, ga] = [0, 1, 2, 3].map(() => randomArray(dtype, n, rand));
    const [y, x, p, g] = [ya, xa, pa, ga].map((a) => k.from(a));
    const out = k.allocF64(3);
    k.exports.stepMetrics(n, y.ptr, x.ptr, p.ptr, out.ptr);
    const ref = new Float64Array(3);
    reference.flow.stepMetrics(n, ya, xa, pa, ref);
    // sums of n terms: compare on the scale of the summed magnitudes
    expectArrayClose([out.view[0]], [ref[0]], parityTol("float64") * 10);
    expectScalarClose(out.view[1], ref[1], parityTol("float64") * 10, 1e-12 * n * 4);
    expectArrayClose([out.view[2]], [Array.from(xa).reduce((s, v) => s + v * v, 0)], parityTol("float64") * 10);
    expectScalarClose(k.exports.dotDiff(n, g.ptr, x.ptr, y.ptr), reference.flow.dotDiff(n, ga, xa, ya), 1e-11, 1e-12 * n * 4);
    for (const b of [y, x, p, g, out]) b.free();
  });

  it.each(paritySizes(rand))("preconditioned step and metrics, n = %i", (n) => {
    const [ya, ga, xa] = [0, 1, 2].map(() => randomArray(dtype, n, rand));
    // a positive diagonal metric and its inverse
    const da = randomArray(dtype, n, rand).map((v) => 0.1 + Math.abs(v));
    const dinva = da.map((v) => 1 / v);
    const [y, g, x, d, dinv] = [ya, ga, xa, da, dinva].map((a) => k.from(a));
    const z = k.alloc(n);
    k.exports.precondStep(n, -0.37, y.ptr, dinv.ptr, g.ptr, z.ptr);
    const zr = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    reference.flow.precondStep(n, -0.37, ya, dinva, ga, zr);
    expectArrayClose(z.view, zr, parityTol(dtype));
    const out = k.allocF64(3);
    k.exports.precondMetrics(n, d.ptr, y.ptr, x.ptr, out.ptr);
    const ref = new Float64Array(3);
    reference.flow.precondMetrics(n, da, ya, xa, ref);
    expectArrayClose(out.view, ref, parityTol("float64") * 10);
    expectArrayClose([ref[2]], [Array.from(xa).reduce((s, v, i) => s + (da[i] * v) ** 2, 0)], parityTol("float64") * 10);
    for (const b of [y, g, x, d, dinv, z, out]) b.free();
  });
});

describe.each(DTYPES)("scaleCell (%s)", (dtype) => {
  it("scales an f64 cell in place", () => {
    const k = Kernel.get(dtype);
    const c = k.allocF64(2);
    c.view.set([3, 5]);
    k.exports.scaleCell(-0.5, c.ptr + 8);
    const r = Float64Array.of(5);
    reference.flow.scaleCell(-0.5, r);
    expectScalarClose(c.view[1], r[0], 0);
    expectScalarClose(c.view[0], 3, 0);
    c.free();
  });
});
