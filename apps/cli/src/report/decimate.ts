/** A point of a series; `y: null` breaks the line. */
export type Point = [x: number, y: number | null];

/**
 * At most about `maxPoints` points with the shape of the series kept: the points are cut into
 * buckets along x and each bucket keeps its first, lowest, highest and last point (in order), so
 * spikes and the ends of segments survive. Gaps (y = null) are kept.
 */
export function decimate(points: readonly Point[], maxPoints: number): Point[] {
  return decimatedIndices(points.length, (i) => points[i][1], maxPoints).map((i) => points[i]);
}

/**
 * The indices `decimate` keeps of a series of `length` points with values `y(i)`: for a long
 * series held as samples (a signal), whose points need not all be built to be drawn.
 */
export function decimatedIndices(length: number, y: (i: number) => number | null, maxPoints: number): number[] {
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = length / buckets;
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(length, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    let loY = 0;
    let hiY = 0;
    let gap = -1;
    for (let i = start; i < end; i++) {
      const v = y(i);
      if (v === null) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || v < loY) {
        lo = i;
        loY = v;
      }
      if (hi < 0 || v > hiY) {
        hi = i;
        hiY = v;
      }
    }
    const keep = new Set([start, end - 1, lo, hi, gap].filter((i) => i >= start));
    for (const i of [...keep].sort((a, b) => a - b)) out.push(i);
  }
  return out;
}
