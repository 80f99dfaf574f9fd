import type { RealArray } from "../dtype.js";
import type { BandStat } from "../ports/tuner.js";
import type { Band, TransformOp } from "../transforms/transform.js";

/**
 * Robust statistics of each detail level of W x (all orientations of a level pooled), coarsest
 * level first — the order of λ_j. docs/design.md §2.7 seeds λ_j from median(|W_j x|)·k or the MAD.
 * One transform and one scratch array of the largest level's size, sorted in place three times
 * per level (the values, their deviations from the median, their magnitudes).
 */
export function bandStats(W: TransformOp, x: RealArray): BandStat[] {
  const u = W.forward(x);
  const byLevel = new Map<number, Band[]>();
  for (const b of W.bands) {
    if (b.level === 0) continue;
    const list = byLevel.get(b.level);
    if (list) list.push(b);
    else byLevel.set(b.level, [b]);
  }
  const sizeOf = (b: Band) => b.shape.reduce((a, c) => a * c, 1);
  const sizes = new Map([...byLevel].map(([level, bands]) => [level, bands.reduce((a, b) => a + sizeOf(b), 0)]));
  const scratch = new Float64Array(Math.max(0, ...sizes.values()));
  // the level's coefficients, in band order, into the front of the scratch array
  const gather = (bands: readonly Band[], size: number): Float64Array => {
    const v = scratch.subarray(0, size);
    let at = 0;
    for (const b of bands) {
      const n = sizeOf(b);
      v.set(u.subarray(b.offset, b.offset + n), at);
      at += n;
    }
    return v;
  };
  // PyWavelets numbering: level `levels` is the coarsest
  return [...byLevel.keys()]
    .sort((a, b) => b - a)
    .map((level) => {
      const size = sizes.get(level)!;
      const bands = byLevel.get(level)!;
      const v = gather(bands, size);
      const med = sortedMedian(v.sort());
      for (let i = 0; i < size; i++) v[i] = Math.abs(v[i] - med);
      const mad = sortedMedian(v.sort());
      const a = gather(bands, size);
      for (let i = 0; i < size; i++) a[i] = Math.abs(a[i]);
      return { level, size, medianAbs: sortedMedian(a.sort()), mad };
    });
}

function sortedMedian(s: Float64Array): number {
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
