// The four live plots (uPlot): energy, η_dd, γ and λ against the telemetry row — one per step the
// run took, the tuner's trial steps included (a rolled-back trial sets the iteration count back,
// so rows, not iterations, keep the axis increasing). Rows arrive in batches; the charts redraw at
// most once per animation frame. Each chart's element carries `data-points`, the number of points
// drawn (what the Chromium test reads).
import type { TelemetryRow } from "@cflow/core";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

interface Series {
  key: string;
  label: string;
  /** The certificate gate drawn as a dashed line (η_max, γ_min), once the run says what it is. */
  gate?: "etaMax" | "gammaMin";
  value(r: TelemetryRow): number | null;
  log: boolean;
  /** Certificates are taken now and then: their rows are drawn as points. */
  points: boolean;
}

const SERIES: Series[] = [
  { key: "energy", label: "energy E", value: (r) => (r.E > 0 ? r.E : null), log: true, points: false },
  { key: "eta", label: "η_dd (dashed: gate η_max)", gate: "etaMax", value: (r) => r.etaDD, log: false, points: true },
  { key: "gamma", label: "γ (dashed: gate γ_min)", gate: "gammaMin", value: (r) => (r.gamma !== null && r.gamma > 0 ? r.gamma : null), log: true, points: true },
  { key: "lambda", label: "λ", value: (r) => (r.lambda !== null && r.lambda > 0 ? r.lambda : null), log: true, points: false },
];

/** Tick labels that stay readable over decades: 0.001, 1e-5. */
function tick(v: number | null): string {
  if (v === null) return "";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

export interface Gates {
  etaMax: number;
  gammaMin: number;
}

export class Plots {
  private readonly charts: { s: Series; plot: uPlot; el: HTMLElement; x: number[]; y: number[] }[] = [];
  private pending = false;
  private gates: Gates | null = null;
  /** Rows received this run. */
  private rows = 0;

  constructor(container: HTMLElement) {
    for (const s of SERIES) {
      const el = document.createElement("figure");
      el.id = `plot-${s.key}`;
      el.className = "plot";
      el.dataset.points = "0";
      container.append(el);
      const plot = new uPlot(
        {
          title: s.label,
          width: 340,
          height: 190,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false }, y: s.log ? { distr: 3 } : {} },
          axes: [{ label: "telemetry row (step)", size: 36 }, { size: 56, values: (_u, splits) => splits.map(tick) }],
          series: [{}, { stroke: "#2a6fdb", width: 1.5, points: { show: s.points, size: 5 }, spanGaps: true }, { stroke: "#d93025", width: 1, dash: [6, 4], points: { show: false } }],
        },
        [[], [], []],
        el,
      );
      this.charts.push({ s, plot, el, x: [], y: [] });
    }
  }

  /** Starts over for a new run. */
  clear(): void {
    this.gates = null;
    this.rows = 0;
    for (const c of this.charts) {
      c.x = [];
      c.y = [];
      c.plot.setData([[], [], []]);
      c.el.dataset.points = "0";
    }
  }

  /** The run's certificate gates (drawn dashed from the next redraw on). */
  setGates(gates: Gates): void {
    this.gates = gates;
  }

  add(rows: readonly TelemetryRow[]): void {
    for (const c of this.charts) {
      rows.forEach((r, k) => {
        const v = c.s.value(r);
        if (v === null || !Number.isFinite(v)) return;
        c.x.push(this.rows + k);
        c.y.push(v);
      });
    }
    this.rows += rows.length;
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const c of this.charts) {
        const gate = c.s.gate && this.gates ? this.gates[c.s.gate] : null;
        c.plot.setData([c.x, c.y, c.x.map(() => gate)]);
        c.el.dataset.points = String(c.x.length);
      }
    });
  }
}
