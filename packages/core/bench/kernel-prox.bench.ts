// Soft-threshold at N = 2^20 (issue 2 targets: kernel ≥ 4× its plain-TS reference in float64;
// float32 ≥ 1.6× faster than float64). Per-band: the layout of a 6-level 1D DWT (approximation
// passed through, one multiplier per detail band). Both paths compute the fused nnz and value.
import { type Dtype, DTYPES } from "../src/dtype.js";
import { Kernel, reference } from "../src/kernel/index.js";
import { type BenchRow, printTable, timeit } from "./harness.js";

export default async function (): Promise<void> {
  const n = 1 << 20;
  const levels = 6;
  const cuts = [0, n >> levels];
  for (let l = levels; l >= 1; l--) cuts.push(cuts[cuts.length - 1] + (n >> l));
  const nb = cuts.length - 1;
  const rows: BenchRow[] = [];
  const kernelMs: Record<string, Partial<Record<Dtype, number>>> = {};
  for (const dtype of DTYPES as Dtype[]) {
    const k = Kernel.get(dtype);
    const e = k.exports;
    const u = k.alloc(n);
    const out = k.alloc(n);
    const stats = k.allocF64(2);
    const offsets = k.allocI32(nb + 1);
    offsets.view.set(cuts);
    const weights = k.allocF64(nb);
    for (let j = 0; j < nb; j++) weights.view[j] = 1 + 0.1 * j;
    const ua = u.view.slice();
    for (let i = 0; i < n; i++) ua[i] = Math.sin(0.37 * i) * (1 + (i % 7));
    u.set(ua);
    const ra = ua.slice();
    const s = stats.ptr;
    const scalar = timeit(() => e.softThreshold(n, 0.5, 1.2, u.ptr, out.ptr, s, s + 8));
    rows.push({ name: "softThreshold 2^20", dtype, ms: scalar, refMs: timeit(() => reference.prox.softThreshold(n, 0.5, 1.2, ua, ra)), note: "target ≥ 4× (float64)" });
    const banded = timeit(() => e.softThresholdBands(nb, offsets.ptr, weights.ptr, 0.5, 1.2, 1, u.ptr, out.ptr, s, s + 8));
    rows.push({
      name: `softThresholdBands 2^20 (${nb} bands)`,
      dtype,
      ms: banded,
      refMs: timeit(() => reference.prox.softThresholdBands(nb, offsets.view, weights.view, 0.5, 1.2, 1, ua, ra)),
      note: "target ≥ 4× (float64)",
    });
    (kernelMs.scalar ??= {})[dtype] = scalar;
    (kernelMs.bands ??= {})[dtype] = banded;
    for (const b of [u, out, stats, offsets, weights]) b.free();
  }
  printTable("soft-threshold with fused statistics (WASM SIMD vs plain TS)", rows);
  const ratio = (r: Partial<Record<Dtype, number>>) => ((r.float64 ?? NaN) / (r.float32 ?? NaN)).toFixed(2);
  console.log(`\nfloat32 vs float64 kernel speed-up (target ≥ 1.6×): scalar ${ratio(kernelMs.scalar)}×, per-band ${ratio(kernelMs.bands)}×`);
}
