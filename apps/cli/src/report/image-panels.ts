import { encodePng } from "../data/image.js";
import { escapeHtml, formatNumber } from "./format.js";
import { decimatedIndices } from "./decimate.js";
import { MAX_POINTS, lineChart } from "./line-chart.js";
import type { ReportImage } from "./report-data.js";

function finiteRange(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** A grayscale PNG data URI of a 2D array, `lo` black and `hi` white. */
export function imageDataUri(data: ArrayLike<number>, shape: readonly number[], lo: number, hi: number): string {
  const span = hi - lo || 1;
  const scaled = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) scaled[i] = (data[i] - lo) / span;
  return `data:image/png;base64,${Buffer.from(encodePng(scaled, shape)).toString("base64")}`;
}

function panel(name: string, title: string, data: ArrayLike<number>, shape: readonly number[], lo: number, hi: number, legend: string): string {
  const [h, w] = shape;
  const scale = Math.max(1, Math.floor(320 / Math.max(h, w)));
  const cssW = Math.min(w * scale, 320 * (w / Math.max(h, w)));
  return (
    `<figure class="image" data-image="${escapeHtml(name)}"><img src="${imageDataUri(data, shape, lo, hi)}" alt="${escapeHtml(title)}" width="${w}" height="${h}" style="width:${Math.round(Math.max(cssW, 160))}px"${scale > 1 ? ' class="pixelated"' : ""}>` +
    `<figcaption><b>${escapeHtml(title)}</b> <span>${h}×${w} · ${escapeHtml(legend)}</span></figcaption></figure>`
  );
}

/**
 * The run's arrays as pictures: for 2D runs the input, the result (both on one grey scale, so
 * they compare) and their difference (mid-grey is 0, symmetric scale); for 1D runs both signals
 * on one chart. Other 2D artifacts follow with their own scales.
 */
export function imagePanels(images: readonly ReportImage[]): string {
  if (images.length === 0) return "";
  const byName = new Map(images.map((i) => [i.name, i]));
  const input = byName.get("input");
  const result = byName.get("result");
  const parts: string[] = [];
  const is2d = (i: ReportImage | undefined) => i !== undefined && i.shape.length === 2 && i.shape[0] > 1 && i.shape[1] > 1;
  const is1d = (i: ReportImage | undefined) => i !== undefined && (i.shape.length === 1 || (i.shape.length === 2 && Math.min(...i.shape) === 1));
  const used = new Set<string>();

  if (is2d(input) && is2d(result) && input!.shape.join() === result!.shape.join()) {
    const [lo, hi] = finiteRange([input!.data, result!.data]);
    const diff = new Float64Array(result!.data.length);
    let m = 0;
    for (let i = 0; i < diff.length; i++) {
      diff[i] = result!.data[i] - input!.data[i];
      if (Math.abs(diff[i]) > m) m = Math.abs(diff[i]);
    }
    m ||= 1;
    const grey = `black ${formatNumber(lo)} → white ${formatNumber(hi)}`;
    parts.push(
      panel("input", "input", input!.data, input!.shape, lo, hi, grey),
      panel("result", "result", result!.data, result!.shape, lo, hi, grey),
      panel("difference", "difference (result − input)", diff, result!.shape, -m, m, `mid-grey 0, ±${formatNumber(m)}`),
    );
    used.add("input").add("result");
  } else if (is1d(input) || is1d(result)) {
    // only the samples the chart draws become points (a signal can have millions)
    const signals = [input, result].filter((i): i is ReportImage => is1d(i));
    const series = signals.map((img, k) => ({
      name: img.name,
      color: k === 0 ? "#94a3b8" : "#2563eb",
      points: decimatedIndices(img.data.length, (j) => img.data[j], MAX_POINTS).map((j) => [j, img.data[j]] as [number, number]),
    }));
    const n = Math.max(...signals.map((img) => img.data.length));
    parts.push(lineChart({ id: "signals", title: "Signals", subtitle: "input and result", yScale: "linear", xDomain: [0, n - 1], xLabel: "sample", series, empty: "", width: 1120, height: 260 }));
    for (const s of series) used.add(s.name);
  }
  for (const img of images) {
    if (used.has(img.name) || !is2d(img)) continue;
    const [lo, hi] = finiteRange([img.data]);
    parts.push(panel(img.name, img.name, img.data, img.shape, lo, hi, `black ${formatNumber(lo)} → white ${formatNumber(hi)}`));
  }
  return parts.length ? `<section class="images"><h2>Images</h2><div class="image-row">${parts.join("")}</div></section>` : "";
}
