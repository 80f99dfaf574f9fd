// Benchmark harness: median wall time of repeated calls, and a table printer. Targets are ratios
// measured in one run (kernel vs reference, f32 vs f64), never absolute times.

export interface BenchRow {
  name: string;
  dtype: string;
  /** Median ms per call of the measured path. */
  ms: number;
  /** Median ms per call of the reference path, if any. */
  refMs?: number;
  /** Free-form comment (e.g. target). */
  note?: string;
}

/** Median milliseconds per call, after a warm-up, over at least `minReps` calls and `minMs` ms. */
export function timeit(fn: () => void, opts: { minReps?: number; minMs?: number; warmup?: number } = {}): number {
  const { minReps = 5, minMs = 300, warmup = 2 } = opts;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minReps || performance.now() - start < minMs) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
    if (samples.length >= 1000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n### ${title}\n`);
  console.log("| benchmark | dtype | ms/call | reference ms/call | speed-up | note |");
  console.log("|---|---|---:|---:|---:|---|");
  for (const r of rows) {
    const ref = r.refMs === undefined ? "" : r.refMs.toFixed(3);
    const up = r.refMs === undefined ? "" : `${(r.refMs / r.ms).toFixed(2)}×`;
    console.log(`| ${r.name} | ${r.dtype} | ${r.ms.toFixed(3)} | ${ref} | ${up} | ${r.note ?? ""} |`);
  }
}
