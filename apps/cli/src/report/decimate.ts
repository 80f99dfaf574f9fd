/** A point of a series; `y: null` breaks the line. */
export type Point = [x: number, y: number | null];

/**
 * At most about `maxPoints` points with the shape of the series kept: the points are cut into
 * buckets along x and each bucket keeps its first, lowest, highest and last point (in order), so
 * spikes and the ends of segments survive. Gaps (y = null) are kept.
 */
export function decimate(points: readonly Point[], maxPoints: number): Point[] {
  if (points.length <= maxPoints) return points.slice();
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = points.length / buckets;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(points.length, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = start; i < end; i++) {
      const y = points[i][1];
      if (y === null) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || y < points[lo][1]!) lo = i;
      if (hi < 0 || y > points[hi][1]!) hi = i;
    }
    const keep = new Set([start, end - 1, lo, hi, gap].filter((i) => i >= start));
    for (const i of [...keep].sort((a, b) => a - b)) out.push(points[i]);
  }
  return out;
}
