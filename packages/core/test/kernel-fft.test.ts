import { describe, expect, it } from "vitest";
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { Kernel, reference, type RealBuf } from "../src/kernel/index.js";
import { parityTol, paritySizes } from "./helpers.js";
import { expectArrayClose, expectScalarClose, mulberry32, randomArray } from "@cflow/test-kit";

const ref = reference.fft;

/** The DFT by its definition, in float64: X_k = Σ_j x_j e^(∓2πijk/n), interleaved complex. */
function naiveDft(n: number, x: ArrayLike<number>, inverse = false): Float64Array {
  const out = new Float64Array(2 * n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a);
      const s = Math.sin(a);
      sr += x[2 * j] * c - x[2 * j + 1] * s;
      si += x[2 * j] * s + x[2 * j + 1] * c;
    }
    out[2 * k] = inverse ? sr / n : sr;
    out[2 * k + 1] = inverse ? si / n : si;
  }
  return out;
}

/** Real signal → interleaved complex with zero imaginary parts. */
function complexOf(x: ArrayLike<number>): Float64Array {
  const z = new Float64Array(2 * x.length);
  for (let i = 0; i < x.length; i++) z[2 * i] = x[i];
  return z;
}

/** The 2D DFT of a real h × w image as h × (w/2 + 1) bins: DFT of each row, then of each column. */
function naiveRfft2(h: number, w: number, x: ArrayLike<number>): Float64Array {
  const wb = w / 2 + 1;
  const rows = new Float64Array(2 * h * wb);
  for (let r = 0; r < h; r++) rows.set(naiveDft(w, complexOf(Array.from(x).slice(r * w, (r + 1) * w))).subarray(0, 2 * wb), 2 * r * wb);
  const out = new Float64Array(2 * h * wb);
  for (let c = 0; c < wb; c++) {
    const col = new Float64Array(2 * h);
    for (let r = 0; r < h; r++) {
      col[2 * r] = rows[2 * (r * wb + c)];
      col[2 * r + 1] = rows[2 * (r * wb + c) + 1];
    }
    const f = naiveDft(h, col);
    for (let r = 0; r < h; r++) {
      out[2 * (r * wb + c)] = f[2 * r];
      out[2 * (r * wb + c) + 1] = f[2 * r + 1];
    }
  }
  return out;
}

function sumSq(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** Kernel buffers for one transform size, freed by `free`. */
function kernelBufs(k: Kernel, sizes: Record<string, number>): Record<string, RealBuf> & { free(): void } {
  const bufs: Record<string, RealBuf> = {};
  for (const [name, n] of Object.entries(sizes)) bufs[name] = k.alloc(n);
  const all = Object.values(bufs);
  return Object.assign(bufs, { free: () => all.forEach((b) => b.free()) });
}

const POW2 = Array.from({ length: 11 }, (_, i) => 1 << i); // 1 … 1024

describe.each(DTYPES)("FFT kernels against the DFT definition (%s)", (dtype: Dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = dtype === "float64" ? 1e-12 : 1e-5;
  const rand = mulberry32(2024);

  it.each(POW2)("complex FFT and inverse, n = %i", (n) => {
    const xa = randomArray(dtype, 2 * n, rand);
    const b = kernelBufs(k, { x: 2 * n, y: 2 * n, z: 2 * n, plan: e.fftPlanSize(n), work: e.fftWorkSize(n) });
    b.x.set(xa);
    e.fftPlan(n, b.plan.ptr);
    e.fft(n, b.x.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    expectArrayClose(b.y.view, naiveDft(n, xa), tol);
    expect(Array.from(b.x.view)).toEqual(Array.from(xa)); // input only read
    e.ifft(n, b.y.ptr, b.z.ptr, b.plan.ptr, b.work.ptr);
    expectArrayClose(b.z.view, naiveDft(n, b.y.view, true), tol);
    expectArrayClose(b.z.view, xa, tol);
    b.free();
  });

  it.each(POW2.filter((n) => n >= 2))("real FFT (n/2 + 1 bins), inverse round trip and Parseval, n = %i", (n) => {
    const xa = randomArray(dtype, n, rand);
    const b = kernelBufs(k, { x: n, X: n + 2, y: n, plan: e.rfftPlanSize(n), work: e.rfftWorkSize(n) });
    b.x.set(xa);
    e.rfftPlan(n, b.plan.ptr);
    e.rfft(n, b.x.ptr, b.X.ptr, b.plan.ptr, b.work.ptr);
    const full = naiveDft(n, complexOf(xa));
    expectArrayClose(b.X.view, full.subarray(0, n + 2), tol);
    expect(Array.from(b.x.view)).toEqual(Array.from(xa));
    // Parseval: Σ|x|² = (1/n) Σ_k |X_k|² over all n bins (the bins n/2+1 … n−1 mirror 1 … n/2−1)
    const X = b.X.view;
    let spec = X[0] * X[0] + (n > 1 ? X[n] * X[n] : 0);
    for (let kk = 1; kk < n / 2; kk++) spec += 2 * (X[2 * kk] ** 2 + X[2 * kk + 1] ** 2);
    expectScalarClose(spec / n, sumSq(xa), tol * 10);
    const Xcopy = X.slice();
    e.irfft(n, b.X.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    expectArrayClose(b.y.view, xa, tol);
    expect(Array.from(b.X.view)).toEqual(Array.from(Xcopy));
    b.free();
  });

  it("inverse real FFT ignores the imaginary parts of the DC and Nyquist bins (numpy convention)", () => {
    const n = 16;
    const b = kernelBufs(k, { X: n + 2, y: n, y2: n, plan: e.rfftPlanSize(n), work: e.rfftWorkSize(n) });
    e.rfftPlan(n, b.plan.ptr);
    const X = randomArray(dtype, n + 2, rand);
    b.X.set(X);
    e.irfft(n, b.X.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    X[1] = 0;
    X[n + 1] = 0;
    b.X.set(X);
    e.irfft(n, b.X.ptr, b.y2.ptr, b.plan.ptr, b.work.ptr);
    expect(Array.from(b.y.view)).toEqual(Array.from(b.y2.view));
    // and the result is the real part of the inverse DFT of the Hermitian extension
    const full = new Float64Array(2 * n);
    for (let kk = 0; kk <= n / 2; kk++) {
      full[2 * kk] = X[2 * kk];
      full[2 * kk + 1] = X[2 * kk + 1];
      if (kk > 0 && kk < n / 2) {
        full[2 * (n - kk)] = X[2 * kk];
        full[2 * (n - kk) + 1] = -X[2 * kk + 1];
      }
    }
    const inv = naiveDft(n, full, true).filter((_, i) => i % 2 === 0);
    expectArrayClose(b.y.view, inv, tol);
    b.free();
  });

  it.each([
    [1, 2],
    [2, 2],
    [1, 16],
    [4, 8],
    [8, 4],
    [16, 32],
    [32, 16],
    [2, 64],
    [64, 2],
    [32, 64],
  ])("2D real FFT against the separable DFT, and its inverse, %i × %i", (h, w) => {
    const xa = randomArray(dtype, h * w, rand);
    const nb = h * (w / 2 + 1);
    const b = kernelBufs(k, { x: h * w, X: 2 * nb, y: h * w, plan: e.rfft2PlanSize(h, w), work: e.rfft2WorkSize(h, w) });
    b.x.set(xa);
    e.rfft2Plan(h, w, b.plan.ptr);
    e.rfft2(h, w, b.x.ptr, b.X.ptr, b.plan.ptr, b.work.ptr);
    expectArrayClose(b.X.view, naiveRfft2(h, w, xa), tol);
    expect(Array.from(b.x.view)).toEqual(Array.from(xa));
    const Xcopy = b.X.view.slice();
    e.irfft2(h, w, b.X.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    expectArrayClose(b.y.view, xa, tol);
    expect(Array.from(b.X.view)).toEqual(Array.from(Xcopy));
    b.free();
  });

  it("spectral products: a·b, a·conj(b), a·r", () => {
    const n = 37;
    const a = randomArray(dtype, 2 * n, rand);
    const bb = randomArray(dtype, 2 * n, rand);
    const r = randomArray(dtype, n, rand);
    const b = kernelBufs(k, { a: 2 * n, b: 2 * n, r: n, out: 2 * n });
    b.a.set(a);
    b.b.set(bb);
    b.r.set(r);
    const check = (f: (j: number) => [number, number]) => {
      const want = new Float64Array(2 * n);
      for (let j = 0; j < n; j++) [want[2 * j], want[2 * j + 1]] = f(j);
      expectArrayClose(b.out.view, want, tol);
    };
    e.cmul(n, b.a.ptr, b.b.ptr, b.out.ptr);
    check((j) => [a[2 * j] * bb[2 * j] - a[2 * j + 1] * bb[2 * j + 1], a[2 * j] * bb[2 * j + 1] + a[2 * j + 1] * bb[2 * j]]);
    e.cmulConj(n, b.a.ptr, b.b.ptr, b.out.ptr);
    check((j) => [a[2 * j] * bb[2 * j] + a[2 * j + 1] * bb[2 * j + 1], a[2 * j + 1] * bb[2 * j] - a[2 * j] * bb[2 * j + 1]]);
    e.cmulReal(n, b.a.ptr, b.r.ptr, b.out.ptr);
    check((j) => [a[2 * j] * r[j], a[2 * j + 1] * r[j]]);
    // in place (out aliases a)
    e.cmul(n, b.a.ptr, b.b.ptr, b.a.ptr);
    e.cmulConj(n, b.b.ptr, b.b.ptr, b.out.ptr);
    for (let j = 0; j < n; j++) expect(Math.abs(b.out.view[2 * j + 1])).toBeLessThan(1e-12 + tol * Math.abs(b.out.view[2 * j]));
    b.free();
  });
});

describe.each(DTYPES)("FFT kernels match their plain-TS references (%s)", (dtype: Dtype) => {
  const k = Kernel.get(dtype);
  const e = k.exports;
  const tol = parityTol(dtype);
  const rand = mulberry32(99);
  const mk = (n: number): RealArray => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

  it.each([1, 2, 4, 8, 64, 512, 4096, 1 << 15])("fft / ifft / rfft / irfft, n = %i", (n) => {
    const xa = randomArray(dtype, 2 * n, rand);
    const b = kernelBufs(k, { x: 2 * n, y: 2 * n + 2, plan: e.fftPlanSize(n), work: e.fftWorkSize(n), rplan: e.rfftPlanSize(n), rwork: e.rfftWorkSize(n) });
    const rplan = mk(ref.fftPlanSize(n));
    ref.fftPlan(n, rplan);
    const y = mk(2 * n + 2);
    b.x.set(xa);
    e.fftPlan(n, b.plan.ptr);
    e.fft(n, b.x.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    ref.fft(n, xa, y, rplan, mk(0));
    expectArrayClose(b.y.view.subarray(0, 2 * n), y.subarray(0, 2 * n), tol);
    e.ifft(n, b.x.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    ref.ifft(n, xa, y, rplan, mk(0));
    expectArrayClose(b.y.view.subarray(0, 2 * n), y.subarray(0, 2 * n), tol);
    if (n >= 2) {
      e.rfftPlan(n, b.rplan.ptr);
      const xr = xa.subarray(0, n);
      const rw = mk(ref.rfftWorkSize(n));
      e.rfft(n, b.x.ptr, b.y.ptr, b.rplan.ptr, b.rwork.ptr);
      ref.rfft(n, xr, y, rplan, rw);
      expectArrayClose(b.y.view.subarray(0, n + 2), y.subarray(0, n + 2), tol);
      e.irfft(n, b.y.ptr, b.x.ptr, b.rplan.ptr, b.rwork.ptr);
      const back = mk(n);
      ref.irfft(n, y, back, rplan, rw);
      expectArrayClose(b.x.view.subarray(0, n), back, tol);
    }
    b.free();
  });

  it.each([
    [8, 16],
    [64, 32],
    [128, 256],
  ])("rfft2 / irfft2, %i × %i", (h, w) => {
    const xa = randomArray(dtype, h * w, rand);
    const nb = 2 * h * (w / 2 + 1);
    const b = kernelBufs(k, { x: h * w, X: nb, y: h * w, plan: e.rfft2PlanSize(h, w), work: e.rfft2WorkSize(h, w) });
    b.x.set(xa);
    e.rfft2Plan(h, w, b.plan.ptr);
    const rplan = mk(ref.rfft2PlanSize(h, w));
    const rwork = mk(ref.rfft2WorkSize(h, w));
    ref.rfft2Plan(h, w, rplan);
    const X = mk(nb);
    e.rfft2(h, w, b.x.ptr, b.X.ptr, b.plan.ptr, b.work.ptr);
    ref.rfft2(h, w, xa, X, rplan, rwork);
    expectArrayClose(b.X.view, X, tol);
    const y = mk(h * w);
    e.irfft2(h, w, b.X.ptr, b.y.ptr, b.plan.ptr, b.work.ptr);
    ref.irfft2(h, w, X, y, rplan, rwork);
    expectArrayClose(b.y.view, y, tol);
    b.free();
  });

  it.each(paritySizes(rand))("spectral products, %i bins", (n) => {
    const a = randomArray(dtype, 2 * n, rand);
    const bb = randomArray(dtype, 2 * n, rand);
    const r = randomArray(dtype, n, rand);
    const b = kernelBufs(k, { a: 2 * n, b: 2 * n, r: n, out: 2 * n });
    b.a.set(a);
    b.b.set(bb);
    b.r.set(r);
    const out = mk(2 * n);
    for (const name of ["cmul", "cmulConj"] as const) {
      e[name](n, b.a.ptr, b.b.ptr, b.out.ptr);
      ref[name](n, a, bb, out);
      expectArrayClose(b.out.view, out, tol);
    }
    e.cmulReal(n, b.a.ptr, b.r.ptr, b.out.ptr);
    ref.cmulReal(n, a, r, out);
    expectArrayClose(b.out.view, out, tol);
    b.free();
  });
});
