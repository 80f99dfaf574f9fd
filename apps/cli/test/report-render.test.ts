import { describe, expect, it } from "vitest";
import { type Point, decimate, decimatedIndices } from "../src/report/decimate.js";
import { formatNumber } from "../src/report/format.js";
import { phaseBands } from "../src/report/phase-bands.js";
import type { TelemetryRecord } from "../src/report/report-data.js";
import { GREEN_GUARANTEE, renderReport } from "../src/report/render-report.js";
import { linearScale, logScale, niceTicks } from "../src/report/scale.js";
import { syntheticReportData } from "./report-fixture.js";

const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

describe("scales", () => {
  it("linear: maps the ends of the domain and ticks at round values", () => {
    const s = linearScale([0, 600], [64, 546]);
    expect(s(0)).toBe(64);
    expect(s(600)).toBe(546);
    expect(s(300)).toBe(305);
    expect(niceTicks(0, 600, 5)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(-0.03, 0.07, 5)).toEqual([-0.02, 0, 0.02, 0.04, 0.06]);
  });

  it("log: widens to whole decades and ticks at powers of ten", () => {
    const s = logScale([0.003, 420], [200, 0]);
    expect(s.domain).toEqual([0.001, 1000]);
    expect(s(0.001)).toBeCloseTo(200, 12);
    expect(s(1)).toBeCloseTo(100, 12);
    expect(s.ticks()).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000]);
  });

  it("formats numbers for people", () => {
    expect([formatNumber(0.35), formatNumber(1.046123), formatNumber(3.1e-4), formatNumber(123456), formatNumber(null), formatNumber(600)]).toEqual(["0.35", "1.046", "3.10e-4", "1.23e5", "—", "600"]);
  });
});

describe("decimate", () => {
  it("keeps a long series small with its ends and extremes", () => {
    const pts: Point[] = Array.from({ length: 100_000 }, (_, i) => [i, Math.sin(i / 500) + (i === 71_234 ? 50 : 0) - (i === 3_333 ? 40 : 0)]);
    const d = decimate(pts, 1600);
    expect(d.length).toBeLessThanOrEqual(1600);
    expect(d[0]).toEqual(pts[0]);
    expect(d[d.length - 1]).toEqual(pts[pts.length - 1]);
    expect(d).toContainEqual(pts[71_234]);
    expect(d).toContainEqual(pts[3_333]);
    for (let i = 1; i < d.length; i++) expect(d[i][0]).toBeGreaterThan(d[i - 1][0]);
  });

  it("keeps a gap's first point, and a signal's samples by index exactly as its points", () => {
    const ys = Array.from({ length: 50_000 }, (_, i) => (i >= 20_010 && i < 20_400 ? null : Math.cos(i / 77) * (1 + (i % 13))));
    const pts: Point[] = ys.map((y, i) => [i, y]);
    const d = decimate(pts, 1600);
    expect(d).toContainEqual([20_010, null]);
    expect(d.some(([, y]) => y === null && y !== ys[20_009])).toBe(true);
    expect(decimatedIndices(ys.length, (i) => ys[i], 1600).map((i) => pts[i])).toEqual(d);
    // a short series is kept whole
    expect(decimatedIndices(5, (i) => i, 1600)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("phase bands", () => {
  it("tile the run: a band ends where the next begins", () => {
    const row = (iter: number, phase: string) => ({ iter, phase }) as TelemetryRecord;
    const rows = [row(0, "AMBER"), row(1, "AMBER"), row(2, "AMBER"), row(3, "GREEN"), row(4, "GREEN"), row(5, "AMBER"), row(6, "GREEN"), row(7, "GREEN")];
    expect(phaseBands(rows)).toEqual([
      { phase: "AMBER", x0: 0, x1: 3 },
      { phase: "GREEN", x0: 3, x1: 5 },
      { phase: "AMBER", x0: 5, x1: 6 },
      { phase: "GREEN", x0: 6, x1: 7 },
    ]);
  });
});

describe("renderReport", () => {
  const data = syntheticReportData();
  const html = renderReport(data);

  it("is self-contained: no scripts, no external URLs, a CSP that forbids loading anything", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(?!data:|#)/);
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it("draws every chart with data, the gates and the phase bands", () => {
    for (const id of ["chart-energy", "chart-grad", "chart-eta", "chart-gamma", "chart-lambda", "chart-step"]) {
      expect(html).toMatch(new RegExp(`<figure class="chart" id="${id}">`));
    }
    expect(html).toContain("η_max 0.9");
    expect(html).toContain("γ_min 1.00e-6");
    // 4 bands (AMBER, GREEN, AMBER, GREEN) in each of the 6 charts and in the timeline
    expect(count(html, /class="phase-band phase-(AMBER|GREEN)"/g)).toBe(4 * 7);
    expect(count(html, /data-series="λ_\d"/g)).toBe(4);
    // γ ≤ 0 before certification is marked on the floor of the log axis
    expect(count(html, /class="clamped"/g)).toBe(4);
    expect(count(html, /class="event-marker"/g)).toBe(data.events.length);
  });

  it("shows the verdict, the outcome and the images", () => {
    expect(html).toContain("FINISHED · GREEN");
    expect(html).toContain('η_dd = 0.35 ≤ η_max = 0.9 <b class="ok">pass</b>');
    // the final certificate's error bar (manifest summary.error_bar), and what GREEN guarantees
    expect(html).toContain("error bar ‖x − x*_S‖ ≤ 0.0123 (γ by lanczos-congruence, holds with probability ≥ 1 − 1.00e-6)");
    expect(html).toContain(`<div class="k">error bar</div><div class="v">0.0123</div>`);
    expect(html).toContain(GREEN_GUARANTEE);
    expect(count(html, /<img src="data:image\/png;base64,/g)).toBe(3);
    for (const n of ["input", "result", "difference"]) expect(html).toContain(`data-image="${n}"`);
  });

  it("escapes what comes from the capsule", () => {
    const evil = syntheticReportData({ iters: 20 });
    evil.manifest.spec = { name: "<script>alert(1)</script>" };
    evil.events.push({ run_id: "r", t_wall_ms: 1, iter: 3, event: "WARNING", payload: JSON.stringify({ message: "<img src=x onerror=alert(1)>" }) });
    const out = renderReport(evil);
    expect(out).not.toContain("<script>alert");
    expect(out).not.toContain("<img src=x");
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("stays small for a long run (decimated charts)", () => {
    const long = syntheticReportData({ iters: 100_000, size: 16 });
    const out = renderReport(long);
    expect(long.events.length).toBeGreaterThan(7000);
    expect(out.length).toBeLessThan(1_500_000);
    expect(out).toContain("routine events thinned");
    expect(out).toContain("query the capsule for the rest");
    expect(count(out, /<g class="series"/g)).toBeGreaterThanOrEqual(9);
  });

  it("plots E − min E when energies are not all positive, and reads the outcome from the events without a summary", () => {
    const d = syntheticReportData({ iters: 120, size: 8 });
    d.telemetry = d.telemetry.map((r) => ({ ...r, E: r.E === null ? null : r.E - 2000 }));
    delete d.manifest.summary;
    const out = renderReport(d);
    expect(out).toContain("E − min E (min E = ");
    expect(out).toContain("FINISHED · GREEN");
    const unfinished = syntheticReportData({ iters: 120, size: 8 });
    delete unfinished.manifest.summary;
    unfinished.events = unfinished.events.filter((e) => e.event !== "RUN_FINISHED");
    expect(renderReport(unfinished)).toContain("UNFINISHED · GREEN");
  });

  it("draws 1D runs as signals, and says so when nothing was measured", () => {
    const d = syntheticReportData({ iters: 30, size: 8 });
    d.images = [
      { name: "input", shape: [64], data: Float64Array.from({ length: 64 }, (_, i) => Math.sin(i / 5)) },
      { name: "result", shape: [64], data: Float64Array.from({ length: 64 }, (_, i) => Math.sin(i / 5) * 0.9) },
    ];
    d.telemetry = d.telemetry.map((r) => ({ ...r, eta_dd: null, gamma: null, lambda: null, lambda_j: null }));
    const out = renderReport(d);
    expect(out).toContain('id="signals"');
    expect(out).not.toContain("<img");
    expect(out).toContain("No certificate was evaluated.");
    expect(out).toContain("This flow has no sparsity weight.");
  });
});

describe("the target chart", () => {
  const cert = (iter: number, pass: boolean, lambda: number, discrepancy: number, stage = "tuning") => ({
    run_id: "r",
    t_wall_ms: iter,
    iter,
    event: pass ? "CERT_PASS" : "CERT_FAIL",
    payload: JSON.stringify({ stage, eta_dd: 0.5, method: "exact", size: 10, alpha: 1, ms: 1, lambda, target: "discrepancy", discrepancy, target_value: discrepancy / 1.5 }),
  });

  it("plots discrepancy/τ against λ per certificate, green where certified, red where not, with the certified range shaded", () => {
    const data = syntheticReportData();
    data.manifest.extra = { ...data.manifest.extra, tuner_target: { name: "discrepancy", tau: 1.5, sigma: 0.01, sigma_source: "estimated" } };
    data.events = [...data.events, cert(10, false, 2e-3, 0.9, "feasibility"), cert(20, true, 8e-3, 1.2, "feasibility"), cert(30, true, 6.4e-3, 1.05), cert(40, false, 5e-3, 0.98), cert(50, true, 0.2, 3.3, "final")];
    const html = renderReport(data);
    const chart = html.slice(html.indexOf('id="chart-target"'), html.indexOf("</figure>", html.indexOf('id="chart-target"')));
    expect(chart).toContain("Target (discrepancy) against λ");
    expect(chart).toContain("σ = 0.01 (estimated), τ = 1.5");
    expect(chart).toContain("certified range λ ∈ [0.0064, 0.2] shaded");
    expect(count(chart, /class="run-point" data-phase="GREEN"/g)).toBe(3);
    expect(count(chart, /class="run-point" data-phase="RED"/g)).toBe(2);
    expect(count(chart, /class="x-band/g)).toBe(1);
    // y is discrepancy/τ: 3.3/1.5 = 2.2 for the final point
    expect(chart).toContain("final at iteration 50, λ = 0.2 (certified): 2.2");
    expect(chart).toContain("target 1");
    expect(chart).toContain("over-regularised 2");
  });

  it("is absent when the run recorded no target", () => {
    expect(renderReport(syntheticReportData())).not.toContain('id="chart-target"');
  });
});
