import { describe, expect, it } from "vitest";
import { bandStats } from "../src/controller/band-stats.js";
import { DTYPES, type Dtype } from "../src/dtype.js";
import { DwtTransform } from "../src/transforms/dwt.js";
import { mulberry32, randomArray } from "@cflow/test-kit";

/** The statistics by definition: each level's coefficients listed from W x, sorted, read at the middle. */
function reference(u: ArrayLike<number>, bands: readonly { level: number; offset: number; shape: readonly number[] }[]) {
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const levels = [...new Set(bands.filter((b) => b.level > 0).map((b) => b.level))].sort((a, b) => b - a);
  return levels.map((level) => {
    const v: number[] = [];
    for (const b of bands.filter((c) => c.level === level)) for (let i = 0; i < b.shape.reduce((a, c) => a * c, 1); i++) v.push(u[b.offset + i]);
    const med = median(v);
    return { level, size: v.length, medianAbs: median(v.map(Math.abs)), mad: median(v.map((e) => Math.abs(e - med))) };
  });
}

describe("bandStats", () => {
  for (const dtype of DTYPES as readonly Dtype[]) {
    it(`pools each level's orientations, coarsest first, and matches the statistics by definition (2D, ${dtype})`, () => {
      const W = new DwtTransform("db2", { shape: [32, 24], levels: 3, dtype });
      const x = randomArray(dtype, 32 * 24, mulberry32(7));
      const stats = bandStats(W, x);
      expect(stats.map((s) => s.level)).toEqual([3, 2, 1]);
      // h, v and d of level 1 pooled: 3 · 16·12
      expect(stats[2].size).toBe(3 * 16 * 12);
      expect(stats).toEqual(reference(W.forward(x), W.bands));
      W.dispose();
    });

    it(`reads odd and even level sizes the same way as a sort (1D, ${dtype})`, () => {
      // 1D db4 at 4 levels of 80 samples: level sizes 40, 20, 10 and 5
      const W = new DwtTransform("db4", { shape: [80], levels: 4, dtype });
      const x = randomArray(dtype, 80, mulberry32(3));
      const stats = bandStats(W, x);
      expect(stats.some((s) => s.size % 2 === 1)).toBe(true);
      expect(stats).toEqual(reference(W.forward(x), W.bands));
      W.dispose();
    });
  }
});
