import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES } from "../src/dtype.js";
import { CflowError, ShapeError } from "../src/errors.js";
import { Kernel, PlanBuilder } from "../src/kernel/index.js";
import { DctTransform, dctFactory } from "../src/transforms/dct.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe.each(DTYPES)("DCT transform (%s)", (dtype: Dtype) => {
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const rand = mulberry32(3);

  it.each([[[64]], [[12]], [[16, 12]], [[8, 8]], [[3, 5]]])("shape %j: unitary — inverse undoes forward, norms kept, adjoint identity", (shape) => {
    const W = new DctTransform({ shape, dtype });
    expect(W.frame).toBe("unitary");
    expect(W.c).toBe(1);
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    expect(W.coeffSize).toBe(n);
    expect(W.bands).toEqual([{ level: 0, orientation: "x", offset: 0, shape }]);
    const x = randomArray(dtype, n, rand);
    const u = W.forward(x);
    expectScalarClose(dot(u, u), dot(x, x), tol * 10);
    expectArrayClose(W.inverse(u), x, tol);
    const v = randomArray(dtype, n, rand);
    const Wtv = W.adjoint(v);
    expectScalarClose(dot(u, v), dot(x, Wtv), 0, tol * 10 * Math.sqrt(dot(u, u) * dot(v, v)));
    expectArrayClose(Wtv, W.inverse(v), 0);
    // a constant signal has all its energy in coefficient 0 (DC), equal to √n times the value
    const c = new (dtype === "float64" ? Float64Array : Float32Array)(n).fill(2);
    const uc = W.forward(c);
    expectScalarClose(uc[0], 2 * Math.sqrt(n), tol);
    expect(Math.max(...Array.from(uc.subarray(1), Math.abs))).toBeLessThan(tol * 10 * Math.sqrt(n));
    W.dispose();
  });

  it("records forward and inverse into a plan as one kernel call", () => {
    const W = new DctTransform({ shape: [32, 16], dtype });
    const k = Kernel.get(dtype);
    const x = k.from(randomArray(dtype, 512, rand));
    const [u, y] = [k.alloc(512), k.alloc(512)];
    const p = new PlanBuilder(k);
    W.emitForward(p, x, u);
    W.emitInverse(p, u, y);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    prog.run();
    expectArrayClose(y.view, x.view, tol);
    prog.dispose();
    for (const b of [x, u, y]) b.free();
    W.dispose();
  });

  it("factory: name, probe and validation of options", () => {
    const W = dctFactory.create({ shape: dctFactory.probe.shape, levels: 3, dtype });
    expect(W.name).toBe("dct");
    expect(W.shape).toEqual([16, 12]);
    W.dispose();
    expect(() => new DctTransform({ shape: [0], dtype })).toThrow(ShapeError);
    expect(() => new DctTransform({ shape: [2, 3, 4], dtype })).toThrow(/dct.shape: shape mismatch — expected \[n\] or \[h, w\]/);
    expect(() => new DctTransform({ shape: [4], dtype: "float16" as never })).toThrow(CflowError);
    const W2 = new DctTransform({ shape: [8], dtype });
    expect(() => W2.forward(randomArray(dtype, 7, rand))).toThrow(ShapeError);
    W2.dispose();
  });
});
