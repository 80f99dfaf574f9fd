import type { RealArray } from "../dtype.js";
import type { BandStat } from "../ports/tuner.js";
import type { TransformOp } from "../transforms/transform.js";

/**
 * Robust statistics of each detail level of W x (all orientations of a level pooled), coarsest
 * level first — the order of λ_j. docs/design.md §2.7 seeds λ_j from median(|W_j x|)·k or the MAD.
 */
export function bandStats(W: TransformOp, x: RealArray): BandStat[] {
  const u = W.forward(x);
  const byLevel = new Map<number, number[]>();
  for (const b of W.bands) {
    if (b.level === 0) continue;
    const size = b.shape.reduce((a, c) => a * c, 1);
    const list = byLevel.get(b.level) ?? [];
    for (let i = b.offset; i < b.offset + size; i++) list.push(u[i]);
    byLevel.set(b.level, list);
  }
  // PyWavelets numbering: level `levels` is the coarsest
  return [...byLevel.keys()]
    .sort((a, b) => b - a)
    .map((level) => {
      const v = byLevel.get(level)!;
      const abs = v.map(Math.abs);
      const med = median(v);
      return { level, size: v.length, medianAbs: median(abs), mad: median(v.map((e) => Math.abs(e - med))) };
    });
}

function median(v: number[]): number {
  if (v.length === 0) return 0;
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
