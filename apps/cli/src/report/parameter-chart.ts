import { escapeHtml, formatNumber } from "./format.js";
import { type GateLine, chartCaption, emptyChart, gateMarks } from "./line-chart.js";
import { type Scale, linearScale, logScale } from "./scale.js";

/** One run as a point of a parameter chart. */
export interface ParamPoint {
  /** Its value of the swept parameter: a number, or a category (a file, a wavelet name). */
  x: number | string;
  y: number | null;
  /** GREEN, AMBER, RED (or another status word): the marker's colour. */
  phase: string;
  /** The values of the other swept parameters: points of one group are joined by a line. */
  group: string;
  /** Tooltip. */
  label: string;
}

export interface ParamChartOptions {
  id: string;
  title: string;
  subtitle?: string;
  xLabel: string;
  yScale: "linear" | "log";
  points: ParamPoint[];
  gates?: GateLine[];
  /** An x range shaded behind the points (numeric x only), e.g. the certified range of λ. */
  xBand?: { x0: number; x1: number; label: string };
  empty: string;
  width?: number;
  height?: number;
}

const M = { left: 64, right: 14, top: 12, bottom: 40 };
const GROUP_COLORS = ["#64748b", "#2563eb", "#ea580c", "#0d9488", "#7c3aed", "#db2777", "#65a30d", "#0891b2"];
const PHASE_FILL: Record<string, string> = { GREEN: "#16a34a", AMBER: "#d97706", RED: "#dc2626" };

/**
 * A self-contained SVG chart of one measured value of every run against a swept parameter: one
 * marker per run coloured by the phase it ended in (GREEN, AMBER, RED; grey otherwise), the runs
 * that share the other parameters joined by a line, gate lines, and an x axis that is linear, log
 * (positive numbers spanning a factor of 20 or more) or categorical (anything not a number).
 */
export function parameterChart(o: ParamChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 240;
  const x0 = M.left;
  const x1 = width - M.right;
  const y0 = height - M.bottom;
  const y1 = M.top;
  const caption = chartCaption(o.title, o.subtitle);
  const placed = o.points.filter((p) => p.y !== null && Number.isFinite(p.y));
  if (placed.length === 0) return emptyChart(o.id, caption, o.empty);

  // x: numbers on a linear or log axis, anything else by category in order of appearance
  // (the x range spans the runs that have a value: a refused run stretches no axis)
  const numeric = placed.every((p) => typeof p.x === "number" && Number.isFinite(p.x));
  const categories = numeric ? [] : [...new Set(o.points.map((p) => String(p.x)))];
  const xs = numeric ? placed.map((p) => p.x as number) : [];
  const logX = numeric && xs.every((v) => v > 0) && Math.max(...xs) / Math.min(...xs) >= 20;
  let xScale: Scale | null = null;
  let xOf: (p: ParamPoint) => number;
  if (numeric) {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    if (logX) xScale = logScale([lo, hi], [x0 + 10, x1 - 10]);
    else {
      const pad = (hi - lo) * 0.05 || Math.abs(lo) * 0.1 || 1;
      xScale = linearScale([lo - pad, hi + pad], [x0, x1]);
    }
    const s = xScale;
    xOf = (p) => s(p.x as number);
  } else {
    const step = (x1 - x0) / categories.length;
    xOf = (p) => x0 + step * (categories.indexOf(String(p.x)) + 0.5);
  }

  const values = placed.map((p) => p.y as number).filter((v) => o.yScale === "linear" || v > 0);
  for (const g of o.gates ?? []) if (o.yScale === "linear" || g.y > 0) values.push(g.y);
  let lo = values.length ? Math.min(...values) : 1e-3;
  let hi = values.length ? Math.max(...values) : 1;
  if (o.yScale === "linear") {
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const ys = o.yScale === "log" ? logScale([lo, hi], [y0, y1]) : linearScale([lo, hi], [y0, y1]);
  const px = (v: number) => Math.round(v * 10) / 10;
  const out: string[] = [];
  out.push(`<svg class="plot" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(o.title)}" preserveAspectRatio="xMidYMid meet">`);
  if (o.xBand && xScale) {
    const a = Math.max(x0, Math.min(xScale(o.xBand.x0), xScale(o.xBand.x1)) - 4);
    const b = Math.min(x1, Math.max(xScale(o.xBand.x0), xScale(o.xBand.x1)) + 4);
    out.push(`<rect class="x-band phase-band phase-GREEN" x="${px(a)}" y="${y1}" width="${px(Math.max(b - a, 1))}" height="${y0 - y1}"><title>${escapeHtml(o.xBand.label)}</title></rect>`);
  }
  for (const t of ys.ticks()) {
    const y = ys(t);
    if (y < y1 - 0.5 || y > y0 + 0.5) continue;
    out.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${px(y)}" y2="${px(y)}"/>`);
    out.push(`<text class="tick" x="${x0 - 6}" y="${px(y + 3.5)}" text-anchor="end">${escapeHtml(formatNumber(t))}</text>`);
  }
  // numbers: a tick at each swept value when there are few, else round ticks; categories: each one
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks: [number, string][] = numeric
    ? (distinct.length <= 8 ? distinct : xScale!.ticks()).map((t) => [xScale!(t), formatNumber(t)])
    : categories.map((c) => [xOf({ x: c } as ParamPoint), c.length > 14 ? `${c.slice(0, 12)}…` : c]);
  for (const [x, label] of xTicks) {
    if (x < x0 - 0.5 || x > x1 + 0.5) continue;
    out.push(`<line class="grid grid-x" x1="${px(x)}" x2="${px(x)}" y1="${y1}" y2="${y0}"/>`);
    out.push(`<text class="tick" x="${px(x)}" y="${y0 + 15}" text-anchor="middle">${escapeHtml(label)}</text>`);
  }
  out.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line class="axis" x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}"/>`);
  out.push(`<text class="axis-label" x="${x1}" y="${height - 4}" text-anchor="end">${escapeHtml(o.xLabel)}</text>`);
  out.push(...gateMarks(o.gates ?? [], ys, x0, x1));
  const yOf = (v: number) => (o.yScale === "log" && v <= 0 ? y0 - 1 : ys(v));
  const groups = [...new Set(placed.map((p) => p.group))];
  groups.forEach((g, k) => {
    const pts = placed.filter((p) => p.group === g).sort((a, b) => xOf(a) - xOf(b));
    if (pts.length < 2) return;
    const d = pts.map((p, i) => `${i ? "L" : "M"}${px(xOf(p))} ${px(yOf(p.y as number))}`).join("");
    out.push(`<path class="group-line" data-group="${escapeHtml(g)}" d="${d}" fill="none" stroke="${GROUP_COLORS[k % GROUP_COLORS.length]}" stroke-width="1.2" stroke-opacity="0.7"/>`);
  });
  for (const p of placed) {
    const v = p.y as number;
    const fill = PHASE_FILL[p.phase] ?? "#94a3b8";
    const floor = o.yScale === "log" && v <= 0;
    out.push(
      `<circle class="run-point" data-phase="${escapeHtml(p.phase)}" cx="${px(xOf(p))}" cy="${px(yOf(v))}" r="4.5" fill="${fill}" stroke="#fff" stroke-width="1"><title>${escapeHtml(`${p.label}: ${formatNumber(v)}${floor ? " (≤ 0: below a log axis)" : ""} · ${p.phase}`)}</title></circle>`,
    );
  }
  out.push("</svg>");
  const legend = [
    ...["GREEN", "AMBER", "RED"].filter((ph) => placed.some((p) => p.phase === ph)).map((ph) => `<span class="key"><i class="dot" style="background:${PHASE_FILL[ph]}"></i>${ph}</span>`),
    ...(groups.length > 1 ? groups.map((g, k) => `<span class="key"><i style="background:${GROUP_COLORS[k % GROUP_COLORS.length]}"></i>${escapeHtml(g)}</span>`) : []),
  ].join("");
  return `<figure class="chart" id="${escapeHtml(o.id)}">${caption}${out.join("")}<div class="legend">${legend}</div></figure>`;
}
