// FFT and convolution kernels against their plain-TS references, one table: real FFT + inverse
// at 2^20, the 2D real FFT pair at 512×512, and 512×512 convolution with a 13×13 Gaussian by the
// FFT path, the direct sum and the separable direct sum (plus the 1D blur of reference problem 1).
import { type Dtype, DTYPES, type RealArray, zeros } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { conv1d, conv2d } from "../src/ops/conv.js";
import { gaussianKernel1d, gaussianKernel2d } from "../src/ops/gaussian.js";
import { type BenchRow, printTable, timeit } from "./harness.js";

const SLOW = { minReps: 3, minMs: 0, warmup: 1 };
// V8 compiles hot WASM functions to optimised code in the background: warm up long enough that
// the first timed kernel is not measured in baseline code (it matters on a loaded machine).
const KERNEL = { minMs: 1000, warmup: 20 };

function filled(dtype: Dtype, n: number): RealArray {
  const a = zeros(dtype, n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(0.001 * i) + 0.1 * Math.cos(0.37 * i);
  return a;
}

export default async function (): Promise<void> {
  const rows: BenchRow[] = [];
  const f64ms = new Map<string, number>();
  for (const dtype of DTYPES as Dtype[]) {
    const k = Kernel.get(dtype);
    const e = k.exports;
    const ratio = (name: string, ms: number) => (dtype === "float64" ? (f64ms.set(name, ms), "") : `f32/f64 = ${(ms / f64ms.get(name)!).toFixed(2)}`);

    // real FFT + inverse, 2^20
    {
      const n = 1 << 20;
      const xa = filled(dtype, n);
      const [x, X, y] = [k.from(xa), k.alloc(n + 2), k.alloc(n)];
      const plan = k.alloc(e.rfftPlanSize(n));
      const work = k.alloc(e.rfftWorkSize(n));
      e.rfftPlan(n, plan.ptr);
      const ms = timeit(() => {
        e.rfft(n, x.ptr, X.ptr, plan.ptr, work.ptr);
        e.irfft(n, X.ptr, y.ptr, plan.ptr, work.ptr);
      }, KERNEL);
      const rplan = zeros(dtype, reference.fft.rfftPlanSize(n));
      const rwork = zeros(dtype, reference.fft.rfftWorkSize(n));
      const [rX, ry] = [zeros(dtype, n + 2), zeros(dtype, n)];
      reference.fft.rfftPlan(n, rplan);
      const refMs = timeit(() => {
        reference.fft.rfft(n, xa, rX, rplan, rwork);
        reference.fft.irfft(n, rX, ry, rplan, rwork);
      }, SLOW);
      const note = dtype === "float64" ? `target ≤ 15 ms: ${ms <= 15 ? "met" : "missed"}` : ratio("rfft", ms);
      if (dtype === "float64") f64ms.set("rfft", ms);
      rows.push({ name: "rfft + irfft, n = 2^20", dtype, ms, refMs, note });
      for (const b of [x, X, y, plan, work]) b.free();
    }

    // 2D real FFT + inverse, 512 × 512
    {
      const [h, w] = [512, 512];
      const xa = filled(dtype, h * w);
      const nb = 2 * h * (w / 2 + 1);
      const [x, X, y] = [k.from(xa), k.alloc(nb), k.alloc(h * w)];
      const plan = k.alloc(e.rfft2PlanSize(h, w));
      const work = k.alloc(e.rfft2WorkSize(h, w));
      e.rfft2Plan(h, w, plan.ptr);
      const ms = timeit(() => {
        e.rfft2(h, w, x.ptr, X.ptr, plan.ptr, work.ptr);
        e.irfft2(h, w, X.ptr, y.ptr, plan.ptr, work.ptr);
      });
      const rplan = zeros(dtype, reference.fft.rfft2PlanSize(h, w));
      const rwork = zeros(dtype, reference.fft.rfft2WorkSize(h, w));
      const [rX, ry] = [zeros(dtype, nb), zeros(dtype, h * w)];
      reference.fft.rfft2Plan(h, w, rplan);
      const refMs = timeit(() => {
        reference.fft.rfft2(h, w, xa, rX, rplan, rwork);
        reference.fft.irfft2(h, w, rX, ry, rplan, rwork);
      }, SLOW);
      rows.push({ name: "rfft2 + irfft2, 512 × 512", dtype, ms, refMs, note: ratio("rfft2", ms) });
      for (const b of [x, X, y, plan, work]) b.free();
    }

    // 2D convolution 512 × 512, 13 × 13 Gaussian (σ = 2), circular
    {
      const [h, w] = [512, 512];
      const xa = filled(dtype, h * w);
      const [x, y] = [k.from(xa), k.alloc(h * w)];
      const psf = gaussianKernel2d(2, dtype);
      const g = gaussianKernel1d(2, dtype);
      const ry = zeros(dtype, h * w);

      const viaFft = conv2d(psf, { shape: [h, w], boundary: "circular", method: "fft", dtype });
      const ms = timeit(() => viaFft.applyBuf(x, y));
      // plain-TS FFT path: rfft2, spectral product, irfft2 (spectrum of the centred kernel)
      const rplan = zeros(dtype, reference.fft.rfft2PlanSize(h, w));
      const rwork = zeros(dtype, reference.fft.rfft2WorkSize(h, w));
      reference.fft.rfft2Plan(h, w, rplan);
      const nb = h * (w / 2 + 1);
      const centred = zeros(dtype, h * w);
      for (let a = 0; a < 13; a++) for (let b = 0; b < 13; b++) centred[((a - 6 + h) % h) * w + ((b - 6 + w) % w)] = psf[a * 13 + b];
      const khat = zeros(dtype, 2 * nb);
      reference.fft.rfft2(h, w, centred, khat, rplan, rwork);
      const rX = zeros(dtype, 2 * nb);
      const refMs = timeit(() => {
        reference.fft.rfft2(h, w, xa, rX, rplan, rwork);
        reference.fft.cmul(nb, rX, khat, rX);
        reference.fft.irfft2(h, w, rX, ry, rplan, rwork);
      }, SLOW);
      rows.push({ name: "conv2d 512², 13×13 Gaussian — FFT", dtype, ms, refMs, note: ratio("convfft", ms) });

      const direct = conv2d(psf, { shape: [h, w], boundary: "circular", method: "direct", dtype });
      const msD = timeit(() => direct.applyBuf(x, y));
      const refD = timeit(() => reference.conv.conv2d(h, w, xa, 13, 13, psf, 6, 6, ry, 1), SLOW);
      rows.push({ name: "conv2d 512², 13×13 Gaussian — direct", dtype, ms: msD, refMs: refD, note: ratio("convdirect", msD) });

      const sep = conv2d({ row: g, col: g }, { shape: [h, w], boundary: "circular", method: "direct", dtype });
      const msS = timeit(() => sep.applyBuf(x, y));
      const tmp = zeros(dtype, h * w);
      const refS = timeit(() => {
        reference.conv.convRows(h, w, xa, 13, g, 6, tmp, 1);
        reference.conv.convCols(h, w, tmp, 13, g, 6, ry, 1);
      }, SLOW);
      rows.push({ name: "conv2d 512², 13+13 separable — direct", dtype, ms: msS, refMs: refS, note: ratio("convsep", msS) });
      for (const op of [viaFft, direct, sep]) op.dispose();
      for (const b of [x, y]) b.free();
    }

    // 1D blur of reference problem 1: n = 2^20, σ = 4 (25 taps), circular
    {
      const n = 1 << 20;
      const xa = filled(dtype, n);
      const [x, y] = [k.from(xa), k.alloc(n)];
      const g = gaussianKernel1d(4, dtype);
      const ry = zeros(dtype, n);
      const viaFft = conv1d(g, { shape: [n], boundary: "circular", method: "fft", dtype });
      const gram = viaFft.gram!();
      const direct = conv1d(g, { shape: [n], boundary: "circular", method: "direct", dtype });
      const refD = timeit(() => reference.conv.conv1d(n, xa, 25, g, 12, ry, 1), SLOW);
      const msF = timeit(() => viaFft.applyBuf(x, y));
      rows.push({ name: "conv1d 2^20, 25 taps — FFT", dtype, ms: msF, note: ratio("c1fft", msF) });
      rows.push({ name: "conv1d 2^20, 25 taps — FFT Gram (KᵀK)", dtype, ms: timeit(() => gram.applyBuf(x, y)) });
      rows.push({ name: "conv1d 2^20, 25 taps — direct", dtype, ms: timeit(() => direct.applyBuf(x, y)), refMs: refD, note: `chosen by auto: ${conv1dChoice(g, n, dtype)}` });
      for (const op of [viaFft, gram, direct]) op.dispose();
      for (const b of [x, y]) b.free();
    }
  }
  printTable("FFT and convolution kernels (WASM SIMD vs plain TS)", rows);
}

function conv1dChoice(g: RealArray, n: number, dtype: Dtype): string {
  const op = conv1d(g, { shape: [n], boundary: "circular", dtype });
  const m = op.method;
  op.dispose();
  return m;
}
