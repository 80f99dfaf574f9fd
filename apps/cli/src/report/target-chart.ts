import { formatNumber } from "./format.js";
import { type ParamPoint, parameterChart } from "./parameter-chart.js";
import { type EventRecord, type ReportManifest, eventPayload } from "./report-data.js";

/**
 * The tuner's target against λ: every certificate of the feasibility sweep, the tuner's trials and
 * the final state that carries a target reading (SCHEMA.md: `discrepancy` in CERT_PASS/CERT_FAIL),
 * as ‖Kx − y‖²/(τ m σ²) — 1 is Morozov's target, above 2 the result is over-regularised — green
 * where the certificates held, red where they failed, with the certified range of λ shaded.
 * Null when the run recorded no target.
 */
export function targetChart(manifest: ReportManifest, events: readonly EventRecord[]): string | null {
  const target = (manifest.extra as { tuner_target?: { name?: string; tau?: number; sigma?: number; sigma_source?: string } } | undefined)?.tuner_target;
  if (!target) return null;
  const tau = typeof target.tau === "number" && target.tau > 0 ? target.tau : 1;
  const points: ParamPoint[] = [];
  for (const e of events) {
    if (e.event !== "CERT_PASS" && e.event !== "CERT_FAIL") continue;
    const p = eventPayload(e);
    if (typeof p.discrepancy !== "number" || typeof p.lambda !== "number") continue;
    const pass = e.event === "CERT_PASS";
    points.push({ x: p.lambda, y: p.discrepancy / tau, phase: pass ? "GREEN" : "RED", group: "", label: `${String(p.stage)} at iteration ${e.iter}, λ = ${formatNumber(p.lambda)} (${pass ? "certified" : "not certified"})` });
  }
  const certified = points.filter((p) => p.phase === "GREEN").map((p) => p.x as number);
  const lo = certified.length ? Math.min(...certified) : null;
  const hi = certified.length ? Math.max(...certified) : null;
  const sigma = typeof target.sigma === "number" ? `σ = ${formatNumber(target.sigma)} (${target.sigma_source ?? "?"})` : "σ unknown";
  return parameterChart({
    id: "chart-target",
    title: `Target (${target.name ?? "discrepancy"}) against λ`,
    subtitle: `‖Kx − y‖²/(τ·m·σ²), ${sigma}, τ = ${formatNumber(tau)}; certified range ${lo === null ? "empty" : `λ ∈ [${formatNumber(lo)}, ${formatNumber(hi)}]`} shaded; log scale`,
    xLabel: "λ",
    yScale: "log",
    points,
    gates: [
      { y: 1, label: "target 1", color: "#0d9488" },
      { y: 2, label: "over-regularised 2", color: "#d97706" },
    ],
    ...(lo !== null && hi !== null ? { xBand: { x0: lo, x1: hi, label: `certified: λ ∈ [${formatNumber(lo)}, ${formatNumber(hi)}]` } } : {}),
    empty: "No certificate carried a target reading.",
  });
}
