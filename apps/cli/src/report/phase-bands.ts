import type { PhaseBand } from "./line-chart.js";
import type { TelemetryRecord } from "./report-data.js";

/**
 * Iteration ranges run in one phase, from the telemetry in recorded order: a band ends where the
 * next one starts, so the bands tile the run without gaps.
 */
export function phaseBands(rows: readonly TelemetryRecord[]): PhaseBand[] {
  const bands: PhaseBand[] = [];
  for (const r of rows) {
    const last = bands[bands.length - 1];
    if (last && last.phase === r.phase) {
      last.x1 = Math.max(last.x1, r.iter);
      continue;
    }
    if (last) last.x1 = Math.max(last.x0, r.iter);
    bands.push({ phase: String(r.phase), x0: r.iter, x1: r.iter });
  }
  return bands;
}
