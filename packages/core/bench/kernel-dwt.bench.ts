// DWT + IDWT db4: 6 levels at N = 2^20 (1D, reference problem 1) and 4 levels at 512×512 (2D,
// reference problem 2), kernel (one plan per direction) vs the plain-TS reference kernels driven
// through the same multilevel schedule.
import { type Dtype, DTYPES, type RealArray } from "../src/dtype.js";
import { reference } from "../src/kernel/index.js";
import { DwtTransform } from "../src/transforms/dwt.js";
import { filterBank, waveletFilters } from "../src/transforms/filters.js";
import { type BenchRow, printTable, timeit } from "./harness.js";

const ref = reference.dwt;

function zeros(dtype: Dtype, n: number): RealArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** wavedec + waverec in plain TS (reference kernels, the transform's band layout). */
function referencePair(dtype: Dtype, shape: number[], levels: number): { x: RealArray; run: () => void } {
  const bank = filterBank(waveletFilters("db4"), 1, dtype);
  const F = 8;
  const n = shape.reduce((a, b) => a * b, 1);
  const x = zeros(dtype, n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(0.001 * i) + 0.1 * Math.cos(0.37 * i);
  const u = zeros(dtype, n);
  const y = zeros(dtype, n);
  const s1 = zeros(dtype, n);
  const s2 = zeros(dtype, n / 4);
  if (shape.length === 1) {
    return {
      x,
      run() {
        let len = n;
        let src = x;
        for (let l = 1; l <= levels; l++) {
          const half = len / 2;
          const a = l === levels ? u.subarray(0, half) : (l % 2 ? s1 : s2).subarray(0, half);
          ref.dwtRows(1, len, src, bank, F, a, u.subarray(half, len));
          src = a;
          len = half;
        }
        let a = u.subarray(0, len);
        for (let l = levels; l >= 1; l--) {
          const dst = l === 1 ? y : (l % 2 ? s2 : s1).subarray(0, 2 * len);
          ref.idwtRows(1, 2 * len, a, u.subarray(len, 2 * len), bank, F, dst);
          a = dst;
          len *= 2;
        }
      },
    };
  }
  return {
    x,
    run() {
      let [h, w] = shape;
      let src = x;
      for (let l = 1; l <= levels; l++) {
        const s = (h / 2) * (w / 2);
        const lo = s1.subarray(0, 2 * s);
        const hi = s1.subarray(2 * s, 4 * s);
        ref.dwtRows(h, w, src, bank, F, lo, hi);
        const a = l === levels ? u.subarray(0, s) : s2.subarray(0, s);
        ref.dwtCols(h, w / 2, lo, bank, F, a, u.subarray(s, 2 * s));
        ref.dwtCols(h, w / 2, hi, bank, F, u.subarray(2 * s, 3 * s), u.subarray(3 * s, 4 * s));
        src = a;
        h /= 2;
        w /= 2;
      }
      let a = u.subarray(0, h * w);
      for (let l = levels; l >= 1; l--) {
        const s = h * w;
        const lo = s1.subarray(0, 2 * s);
        const hi = s1.subarray(2 * s, 4 * s);
        ref.idwtCols(2 * h, w, a, u.subarray(s, 2 * s), bank, F, lo);
        ref.idwtCols(2 * h, w, u.subarray(2 * s, 3 * s), u.subarray(3 * s, 4 * s), bank, F, hi);
        const dst = l === 1 ? y : s2.subarray(0, 4 * s);
        ref.idwtRows(2 * h, 2 * w, lo, hi, bank, F, dst);
        a = dst;
        h *= 2;
        w *= 2;
      }
    },
  };
}

export default async function (): Promise<void> {
  const rows: BenchRow[] = [];
  const cases: [string, number[], number][] = [
    ["DWT+IDWT db4 6 levels, N = 2^20", [1 << 20], 6],
    ["DWT+IDWT db4 4 levels, 512×512", [512, 512], 4],
  ];
  for (const [label, shape, levels] of cases) {
    for (const dtype of DTYPES) {
      const W = new DwtTransform("db4", { shape, levels, dtype });
      const r = referencePair(dtype, shape, levels);
      const x = W.kernel.from(r.x);
      const u = W.kernel.alloc(W.coeffSize);
      const y = W.kernel.alloc(W.size);
      const ms = timeit(
        () => {
          W.forwardBuf(x, u);
          W.inverseBuf(u, y);
        },
        { minMs: 1000 },
      );
      const refMs = timeit(r.run, { minReps: 3, minMs: 1000 });
      rows.push({ name: label, dtype, ms, refMs, note: dtype === "float64" ? "target ≥ 4×" : "" });
      for (const b of [x, u, y]) b.free();
      W.dispose();
    }
  }
  printTable("wavelet transforms (WASM SIMD plan vs plain TS)", rows);
}
