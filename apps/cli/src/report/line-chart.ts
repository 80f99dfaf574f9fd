import { type Point, decimate } from "./decimate.js";
import { escapeHtml, formatNumber } from "./format.js";
import { type Scale, linearScale, logScale } from "./scale.js";

export interface Series {
  name: string;
  points: Point[];
  color: string;
  dash?: string;
  /** Draw a dot at each point (default: when there are few points). */
  markers?: boolean;
}

/** A horizontal reference line (a certificate gate). */
export interface GateLine {
  y: number;
  label: string;
  color: string;
}

/** An iteration range run in one phase, shaded behind the plot. */
export interface PhaseBand {
  phase: string;
  x0: number;
  x1: number;
}

export interface ChartOptions {
  id: string;
  title: string;
  subtitle?: string;
  yScale: "linear" | "log";
  xDomain: [number, number];
  series: Series[];
  gates?: GateLine[];
  bands?: PhaseBand[];
  /** Shown instead of a plot when no series has a value. */
  empty: string;
  xLabel?: string;
  width?: number;
  height?: number;
}

const M = { left: 64, right: 14, top: 12, bottom: 34 };
/** The most points a series is drawn with (`decimate`). */
export const MAX_POINTS = 1600;

/**
 * A self-contained SVG line chart: phase bands, grid and ticks, gate lines, one path per series
 * (broken at missing values and where the iteration goes back, e.g. after a rollback), and a
 * legend. On a log axis values ≤ 0 cannot be placed: they are drawn as marks on the axis floor.
 */
export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 230;
  const x0 = M.left;
  const x1 = width - M.right;
  const y0 = height - M.bottom;
  const y1 = M.top;
  const series = o.series.map((s) => ({ ...s, points: decimate(s.points, MAX_POINTS) }));
  const values: number[] = [];
  for (const s of series) for (const [, y] of s.points) if (y !== null && Number.isFinite(y) && (o.yScale === "linear" || y > 0)) values.push(y);
  const plotted = series.filter((s) => s.points.some(([, y]) => y !== null && Number.isFinite(y)));
  const caption = chartCaption(o.title, o.subtitle);
  if (plotted.length === 0) return emptyChart(o.id, caption, o.empty);
  for (const g of o.gates ?? []) if (o.yScale === "linear" || g.y > 0) values.push(g.y);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (o.yScale === "linear") {
    const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  } else if (values.length === 0) {
    lo = 1e-3;
    hi = 1;
  }
  const ys: Scale = o.yScale === "log" ? logScale([lo, hi], [y0, y1]) : linearScale([lo, hi], [y0, y1]);
  const xs = linearScale(o.xDomain, [x0, x1]);
  const px = (v: number) => Math.round(v * 10) / 10;
  const out: string[] = [];
  out.push(`<svg class="plot" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(o.title)}" preserveAspectRatio="xMidYMid meet">`);
  out.push(`<clipPath id="${escapeHtml(o.id)}-clip"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath>`);
  for (const b of o.bands ?? []) {
    const bx0 = Math.max(x0, xs(b.x0));
    const bx1 = Math.min(x1, xs(b.x1));
    if (bx1 <= bx0) continue;
    out.push(`<rect class="phase-band phase-${escapeHtml(b.phase)}" data-phase="${escapeHtml(b.phase)}" x="${px(bx0)}" y="${y1}" width="${px(Math.max(bx1 - bx0, 0.5))}" height="${y0 - y1}"><title>${escapeHtml(b.phase)}: iterations ${b.x0}–${b.x1}</title></rect>`);
  }
  // grid and axes
  for (const t of ys.ticks()) {
    const y = ys(t);
    if (y < y1 - 0.5 || y > y0 + 0.5) continue;
    out.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${px(y)}" y2="${px(y)}"/>`);
    out.push(`<text class="tick" x="${x0 - 6}" y="${px(y + 3.5)}" text-anchor="end">${escapeHtml(ys.kind === "log" ? formatDecade(t) : formatNumber(t))}</text>`);
  }
  for (const t of xs.ticks()) {
    const x = xs(t);
    if (x < x0 - 0.5 || x > x1 + 0.5 || !Number.isInteger(t)) continue;
    out.push(`<line class="grid grid-x" x1="${px(x)}" x2="${px(x)}" y1="${y1}" y2="${y0}"/>`);
    out.push(`<text class="tick" x="${px(x)}" y="${y0 + 15}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`);
  }
  out.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line class="axis" x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}"/>`);
  out.push(`<text class="axis-label" x="${x1}" y="${height - 4}" text-anchor="end">${escapeHtml(o.xLabel ?? "iteration")}</text>`);
  out.push(...gateMarks(o.gates ?? [], ys, x0, x1));
  out.push(`<g clip-path="url(#${escapeHtml(o.id)}-clip)">`);
  for (const s of series) {
    const d: string[] = [];
    const dots: string[] = [];
    const floor: string[] = [];
    let pen = false;
    let lastX = -Infinity;
    let n = 0;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y) || x < lastX) pen = false;
      if (y === null || !Number.isFinite(y)) continue;
      lastX = x;
      if (o.yScale === "log" && y <= 0) {
        floor.push(`<path class="clamped" d="M${px(xs(x))} ${y0 - 1}l-4 -7h8z" fill="${s.color}"><title>${escapeHtml(s.name)} = ${escapeHtml(formatNumber(y))} at iteration ${x} (≤ 0: below a log axis)</title></path>`);
        pen = false;
        continue;
      }
      const sx = px(xs(x));
      const sy = px(ys(y));
      d.push(`${pen ? "L" : "M"}${sx} ${sy}`);
      pen = true;
      n++;
      if (s.markers ?? s.points.length <= 60) dots.push(`<circle cx="${sx}" cy="${sy}" r="2.6"><title>${escapeHtml(s.name)} = ${escapeHtml(formatNumber(y))} at iteration ${x}</title></circle>`);
    }
    out.push(
      `<g class="series" data-series="${escapeHtml(s.name)}" data-points="${n + floor.length}" fill="${s.color}">` +
        `<path d="${d.join("")}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} stroke-linejoin="round"/>` +
        dots.join("") +
        floor.join("") +
        `</g>`,
    );
  }
  out.push(`</g></svg>`);
  const legend = plotted.map((s) => `<span class="key"><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`).join("");
  return `<figure class="chart" id="${escapeHtml(o.id)}">${caption}${out.join("")}<div class="legend">${legend}</div></figure>`;
}

/** A chart's caption: its title and, when given, its subtitle. */
export function chartCaption(title: string, subtitle?: string): string {
  return `<figcaption><span class="chart-title">${escapeHtml(title)}</span>${subtitle ? ` <span class="chart-sub">${escapeHtml(subtitle)}</span>` : ""}</figcaption>`;
}

/** The figure shown instead of a chart with nothing to plot. */
export function emptyChart(id: string, caption: string, text: string): string {
  return `<figure class="chart chart-empty" id="${escapeHtml(id)}">${caption}<p class="empty">${escapeHtml(text)}</p></figure>`;
}

/** Dashed horizontal gate lines across [x0, x1] with their labels (a log axis skips gates ≤ 0). */
export function gateMarks(gates: readonly GateLine[], ys: Scale, x0: number, x1: number): string[] {
  const px = (v: number) => Math.round(v * 10) / 10;
  return gates
    .filter((g) => ys.kind === "linear" || g.y > 0)
    .map((g) => {
      const y = ys(g.y);
      return (
        `<g class="gate"><line x1="${x0}" x2="${x1}" y1="${px(y)}" y2="${px(y)}" stroke="${g.color}" stroke-dasharray="6 4"/>` +
        `<text x="${x1 - 4}" y="${px(y - 4)}" text-anchor="end" fill="${g.color}">${escapeHtml(g.label)}</text></g>`
      );
    });
}

/** A power of ten as a tick label: 0.01, 1, 1000, then 1e-5 / 1e6 beyond. */
function formatDecade(v: number): string {
  const e = Math.round(Math.log10(v));
  return e >= -3 && e <= 4 ? String(Number(v.toPrecision(1))) : `1e${e}`;
}
