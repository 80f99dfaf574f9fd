import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { CflowError, DtypeError, ShapeError } from "../src/errors.js";
import { Kernel, PlanBuilder, RealFft } from "../src/kernel/index.js";
import { type ConvBoundary, type ConvOp, conv1d, conv1dFactory, conv2d, conv2dFactory } from "../src/ops/conv.js";
import { gaussianKernel1d, gaussianKernel2d } from "../src/ops/gaussian.js";
import type { Op } from "../src/ops/op.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

/** The dense matrix of a same-size convolution, built tap by tap from the definition. */
function denseConv(h: number, w: number, k: ArrayLike<number>, mh: number, mw: number, boundary: ConvBoundary): Float64Array[] {
  const n = h * w;
  const M = Array.from({ length: n }, () => new Float64Array(n));
  const ch = Math.floor(mh / 2);
  const cw = Math.floor(mw / 2);
  for (let r = 0; r < h; r++) {
    for (let s = 0; s < w; s++) {
      for (let a = 0; a < mh; a++) {
        for (let b = 0; b < mw; b++) {
          let t = r - a + ch;
          let u = s - b + cw;
          if (boundary === "zero" && (t < 0 || t >= h || u < 0 || u >= w)) continue;
          t = ((t % h) + h) % h;
          u = ((u % w) + w) % w;
          M[r * w + s][t * w + u] += k[a * mw + b];
        }
      }
    }
  }
  return M;
}

function matvec(M: Float64Array[], x: ArrayLike<number>, transpose = false): Float64Array {
  const n = M.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[transpose ? j : i] += M[i][j] * x[transpose ? i : j];
  return y;
}

/** ‖M‖₂ by power iteration on MᵀM in float64 (independent of the ops); a lower bound at any `iters`. */
function denseNorm(M: Float64Array[], iters = 3000): number {
  let v = Float64Array.from({ length: M.length }, (_, i) => 1 + Math.sin(i));
  let lambda = 0;
  for (let it = 0; it < iters; it++) {
    const u = matvec(M, matvec(M, v), true);
    const nu = norm(u);
    if (nu === 0) return 0;
    const next = nu / norm(v);
    v = u.map((x) => x / nu);
    if (Math.abs(next - lambda) <= 1e-15 * next) return Math.sqrt(next);
    lambda = next;
  }
  return Math.sqrt(lambda);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

describe.each(DTYPES)("convolution operators (%s)", (dtype: Dtype) => {
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const rand = mulberry32(5);
  const mk = (n: number): RealArray => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

  function checkAdjoint(op: Op): void {
    const x = randomArray(dtype, op.inShape.reduce((a, b) => a * b, 1), rand);
    const y = randomArray(dtype, op.outShape.reduce((a, b) => a * b, 1), rand);
    const Ax = op.apply(x);
    const Aty = op.adjoint(y);
    expectScalarClose(dot(Ax, y), dot(x, Aty), 0, tol * norm(Ax) * norm(y) * 10);
  }

  const cases1d: [number, number][] = [
    [8, 1],
    [8, 4],
    [8, 5],
    [8, 11], // kernel longer than the signal
    [13, 3],
    [13, 6],
    [16, 16],
  ];
  for (const boundary of ["circular", "zero"] as const) {
    it.each(cases1d)(`conv1d ${boundary}: n = %i, m = %i — dense form, FFT = direct, adjoint, norm`, (n, m) => {
      const k = randomArray(dtype, m, rand);
      const M = denseConv(1, n, k, 1, m, boundary);
      const x = randomArray(dtype, n, rand);
      const want = matvec(M, x);
      const wantT = matvec(M, x, true);
      const exact = boundary === "circular" ? denseNorm(M) : 0;
      const methods = boundary === "zero" || (n & (n - 1)) === 0 ? (["fft", "direct"] as const) : (["direct"] as const);
      for (const method of methods) {
        const op = conv1d(k, { shape: [n], boundary, method, dtype });
        expect(op.method).toBe(method);
        expectArrayClose(op.apply(x), want, tol * 10);
        expectArrayClose(op.adjoint(x), wantT, tol * 10);
        checkAdjoint(op);
        if (boundary === "circular") expectScalarClose(op.normHint, exact, 1e-9);
        else {
          expectScalarClose(op.normHint, Array.from(k, Math.abs).reduce((s, t) => s + t, 0), 1e-12);
          expect(op.normHint).toBeGreaterThanOrEqual(denseNorm(M, 100) * (1 - 1e-9));
        }
        op.dispose();
      }
    });
  }

  const cases2d: [number, number, number, number][] = [
    [8, 16, 3, 3],
    [4, 8, 4, 5],
    [6, 10, 3, 5],
    [4, 4, 5, 7], // kernel larger than the image
    [1, 8, 1, 3],
  ];
  for (const boundary of ["circular", "zero"] as const) {
    it.each(cases2d)(`conv2d ${boundary}: %i × %i image, %i × %i kernel — dense form, FFT = direct, separable, adjoint`, (h, w, mh, mw) => {
      const pow2 = (h & (h - 1)) === 0 && (w & (w - 1)) === 0 && w >= 2;
      const methods = boundary === "zero" || pow2 ? (["fft", "direct"] as const) : (["direct"] as const);
      const x = randomArray(dtype, h * w, rand);
      const full = randomArray(dtype, mh * mw, rand);
      const M = denseConv(h, w, full, mh, mw, boundary);
      const exact = boundary === "circular" ? denseNorm(M) : 0;
      const row = randomArray(dtype, mw, rand);
      const col = randomArray(dtype, mh, rand);
      const outer = mk(mh * mw);
      for (let a = 0; a < mh; a++) for (let b = 0; b < mw; b++) outer[a * mw + b] = col[a] * row[b];
      const Ms = denseConv(h, w, outer, mh, mw, boundary);
      for (const method of methods) {
        const op = conv2d(full, { shape: [h, w], kernelShape: [mh, mw], boundary, method, dtype });
        expectArrayClose(op.apply(x), matvec(M, x), tol * 10);
        expectArrayClose(op.adjoint(x), matvec(M, x, true), tol * 10);
        checkAdjoint(op);
        if (boundary === "circular") expectScalarClose(op.normHint, exact, 1e-9);
        else expect(op.normHint).toBeGreaterThanOrEqual(denseNorm(M, 100) * (1 - 1e-9));
        op.dispose();
        const sep = conv2d({ row, col }, { shape: [h, w], boundary, method, dtype });
        expectArrayClose(sep.apply(x), matvec(Ms, x), tol * 10);
        expectArrayClose(sep.adjoint(x), matvec(Ms, x, true), tol * 10);
        checkAdjoint(sep);
        sep.dispose();
      }
    });
  }

  it.each(["circular", "zero"] as const)("FFT and direct agree on larger problems (%s)", (boundary) => {
    const x1 = randomArray(dtype, 1024, rand);
    const k1 = gaussianKernel1d(4, dtype);
    const a = conv1d(k1, { shape: [1024], boundary, method: "fft", dtype });
    const b = conv1d(k1, { shape: [1024], boundary, method: "direct", dtype });
    expectArrayClose(a.apply(x1), b.apply(x1), tol * 10);
    expectArrayClose(a.adjoint(x1), b.adjoint(x1), tol * 10);
    const x2 = randomArray(dtype, 64 * 128, rand);
    const k2 = randomArray(dtype, 7 * 9, rand);
    const c = conv2d(k2, { shape: [64, 128], kernelShape: [7, 9], boundary, method: "fft", dtype });
    const d = conv2d(k2, { shape: [64, 128], kernelShape: [7, 9], boundary, method: "direct", dtype });
    expectArrayClose(c.apply(x2), d.apply(x2), tol * 10);
    expectArrayClose(c.adjoint(x2), d.adjoint(x2), tol * 10);
    for (const op of [a, b, c, d]) op.dispose();
  });

  it("gram() of an FFT circular convolution equals adjoint ∘ apply, with norm hint ‖A‖²", () => {
    for (const op of [
      conv1d(randomArray(dtype, 9, rand), { shape: [64], boundary: "circular", method: "fft", dtype }),
      conv2d(gaussianKernel2d(1.5, dtype), { shape: [16, 32], boundary: "circular", method: "fft", dtype }),
      conv2d({ row: randomArray(dtype, 3, rand), col: randomArray(dtype, 5, rand) }, { shape: [8, 8], boundary: "circular", method: "fft", dtype }),
    ]) {
      expect(op.gram).toBeTypeOf("function");
      const G = op.gram!();
      const x = randomArray(dtype, op.inShape.reduce((p, q) => p * q, 1), rand);
      expectArrayClose(G.apply(x), op.adjoint(op.apply(x)), tol * 10);
      expectArrayClose(G.adjoint(x), G.apply(x), 0);
      expectScalarClose(G.normHint!, op.normHint ** 2, 1e-12);
      expect(G.inShape).toEqual(op.inShape);
      checkAdjoint(G);
      G.dispose();
      op.dispose();
    }
    // no Gram shortcut where AᵀA is not a spectral product
    for (const op of [
      conv1d(randomArray(dtype, 5, rand), { shape: [64], boundary: "zero", method: "fft", dtype }),
      conv1d(randomArray(dtype, 5, rand), { shape: [64], boundary: "circular", method: "direct", dtype }),
    ]) {
      expect(op.gram).toBeUndefined();
      op.dispose();
    }
  });

  it("records apply and adjoint as one kernel call each", () => {
    const op = conv2d(gaussianKernel2d(2, dtype), { shape: [32, 32], boundary: "zero", method: "fft", dtype });
    const k = Kernel.get(dtype);
    const [x, y] = [k.from(randomArray(dtype, 1024, rand)), k.alloc(1024)];
    const p = new PlanBuilder(k);
    op.emitApply(p, x, y);
    op.emitAdjoint(p, y, x);
    const prog = p.build();
    expect(prog.kernelCalls).toBe(1);
    expect(prog.jsSteps).toBe(0);
    prog.dispose();
    for (const b of [x, y]) b.free();
    op.dispose();
  });

  it('"auto" picks the FFT for large kernels on power-of-two grids and the direct sum for short ones', () => {
    const big = conv2d(gaussianKernel2d(2, dtype), { shape: [512, 512], boundary: "circular", dtype });
    expect(big.method).toBe("fft");
    const sep = conv2d({ row: gaussianKernel1d(1, dtype), col: gaussianKernel1d(1, dtype) }, { shape: [512, 512], boundary: "circular", dtype });
    expect(sep.method).toBe("direct");
    const short = conv1d(gaussianKernel1d(0.5, dtype), { shape: [1 << 12], boundary: "circular", dtype });
    expect(short.method).toBe("direct");
    const long = conv1d(gaussianKernel1d(16, dtype), { shape: [1 << 12], boundary: "circular", dtype });
    expect(long.method).toBe("fft");
    const odd = conv1d(gaussianKernel1d(8, dtype), { shape: [1000], boundary: "circular", dtype });
    expect(odd.method).toBe("direct");
    for (const op of [big, sep, short, long, odd]) op.dispose();
  });

  it("rejects non-power-of-two FFT lengths, bad shapes, kernels and dtypes with precise errors", () => {
    const k3 = randomArray(dtype, 3, rand);
    expect(() => conv1d(k3, { shape: [12], boundary: "circular", method: "fft", dtype })).toThrow(/power-of-two extents.*\[12\]/);
    expect(() => conv2d(gaussianKernel2d(1, dtype), { shape: [8, 12], boundary: "circular", method: "fft", dtype })).toThrow(CflowError);
    expect(() => new RealFft(Kernel.get(dtype), [12])).toThrow(/powers of two ≥ 2, found 12/);
    expect(() => new RealFft(Kernel.get(dtype), [6, 8])).toThrow(/powers of two, found 6/);
    expect(() => new RealFft(Kernel.get(dtype), [1])).toThrow(/≥ 2/);
    expect(() => conv1d(k3, { shape: [0], boundary: "zero", dtype })).toThrow(ShapeError);
    expect(() => conv1d(k3, { shape: [4, 4], boundary: "zero", dtype })).toThrow(/conv1d.shape: shape mismatch/);
    expect(() => conv2d(k3, { shape: [4, 4], boundary: "zero", dtype })).toThrow(/square number of taps/);
    expect(() => conv2d(randomArray(dtype, 6, rand), { shape: [4, 4], kernelShape: [2, 2], boundary: "zero", dtype })).toThrow(/mh·mw = 6/);
    expect(() => conv1d(mk(0), { shape: [4], boundary: "zero", dtype })).toThrow(/at least one tap/);
    const other = dtype === "float64" ? new Float32Array(3) : new Float64Array(3);
    expect(() => conv1d(other, { shape: [4], boundary: "zero", dtype })).toThrow(DtypeError);
    expect(() => conv1d(k3, { shape: [4], boundary: "reflect" as never, dtype })).toThrow(/boundary must be "circular" or "zero"/);
    expect(() => conv1d(k3, { shape: [4], boundary: "zero", method: "fast" as never, dtype })).toThrow(/method must be/);
    const nan = mk(3);
    nan[1] = NaN;
    expect(() => conv1d(nan, { shape: [4], boundary: "zero", dtype })).toThrow(/tap 1 is NaN/);
    const op = conv1d(k3, { shape: [8], boundary: "zero", dtype });
    expect(() => op.apply(mk(7))).toThrow(ShapeError);
    op.dispose();
  });

  it("factories build the same operators from spec parameters and data names", () => {
    const psf = gaussianKernel2d(1, dtype);
    const g = gaussianKernel1d(1, dtype);
    const data = { psf, g, taps: k5() };
    function k5() {
      return randomArray(dtype, 5, rand);
    }
    const ctx = { dtype, data, path: "ops.K" };
    const a = conv1dFactory.create({ shape: [32], kernel: "taps" }, ctx) as ConvOp;
    const b = conv1d(data.taps, { shape: [32], boundary: "circular", dtype });
    const x = randomArray(dtype, 32, rand);
    expect(a.boundary).toBe("circular");
    expectArrayClose(a.apply(x), b.apply(x), tol);
    const c = conv2dFactory.create({ shape: [8, 8], rowKernel: "g", colKernel: "g", boundary: "zero", method: "direct" }, ctx) as ConvOp;
    const d = conv2dFactory.create({ shape: [8, 8], kernel: "psf", boundary: "zero", method: "fft" }, ctx) as ConvOp;
    const x2 = randomArray(dtype, 64, rand);
    expectArrayClose(c.apply(x2), d.apply(x2), tol * 10);
    expect(() => conv1dFactory.create({ shape: [32], kernel: "nope" }, ctx)).toThrow(/ops\.K\.kernel: no data array "nope"/);
    expect(() => conv2dFactory.create({ shape: [8, 8], kernel: "psf", rowKernel: "g" }, ctx)).toThrow(/either kernel or both rowKernel and colKernel/);
    for (const op of [a, b, c, d]) op.dispose();
  });
});

describe.each(DTYPES)("Gaussian point-spread functions (%s)", (dtype: Dtype) => {
  it("have 2⌈3σ⌉ + 1 taps, sum to 1, are symmetric and peak at the centre", () => {
    const g = gaussianKernel1d(2, dtype);
    expect(g.length).toBe(13);
    expectScalarClose(Array.from(g).reduce((a, b) => a + b, 0), 1, dtype === "float64" ? 1e-15 : 1e-6);
    for (let i = 0; i < 13; i++) expect(g[i]).toBe(g[12 - i]);
    expect(Math.max(...g)).toBe(g[6]);
    expectScalarClose(g[7] / g[6], Math.exp(-1 / 8), dtype === "float64" ? 1e-15 : 1e-6);
    expect(gaussianKernel1d(4, dtype).length).toBe(25);
    expect(gaussianKernel1d(1, dtype, 5).length).toBe(11);
    const g2 = gaussianKernel2d(2, dtype);
    expect(g2.length).toBe(169);
    for (let a = 0; a < 13; a++) for (let b = 0; b < 13; b++) expectScalarClose(g2[a * 13 + b], g[a] * g[b], dtype === "float64" ? 1e-15 : 1e-6);
    expect(() => gaussianKernel1d(0, dtype)).toThrow(/sigma must be a finite number > 0, found 0/);
    expect(() => gaussianKernel2d(1, dtype, 1.5)).toThrow(/radius must be an integer/);
  });
});
