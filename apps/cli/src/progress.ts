import type { TelemetryRow } from "@cflow/core";
import { formatNumber } from "./report/format.js";
import type { Output } from "./output.js";
import { phaseColor } from "./style.js";

export interface ProgressOptions {
  /** Iteration budget, for the ETA (omit when unknown). */
  maxIters?: number;
  /** Milliseconds between redraws on a TTY (default 100). */
  redrawMs?: number;
  /** Milliseconds between plain log lines when not on a TTY (default 2000). */
  lineMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/**
 * The live view of a run: phase, iteration, E, η_dd, γ, λ, rate and ETA. On a colour TTY one
 * status line is redrawn at most every `redrawMs`; otherwise (NO_COLOR, a pipe) a plain line is
 * printed every `lineMs` and at each phase change; `--quiet` and `--json` print nothing. `row`
 * does no formatting unless it draws, so it costs the run a comparison per iteration.
 */
export class ProgressDisplay {
  private readonly live: boolean;
  private readonly silent: boolean;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly t0: number;
  private last = -Infinity;
  private phase: string | null = null;
  private etaDD: number | null = null;
  private gamma: number | null = null;
  private latest: TelemetryRow | null = null;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly options: ProgressOptions = {},
  ) {
    this.live = out.live;
    this.silent = out.quiet || out.json;
    this.now = options.now ?? (() => performance.now());
    this.interval = this.live ? (options.redrawMs ?? 100) : (options.lineMs ?? 2000);
    this.t0 = this.now();
  }

  /** Hand every telemetry row here (the run's "progress" sink). */
  row(r: TelemetryRow): void {
    if (this.silent) return;
    if (r.etaDD !== null) this.etaDD = r.etaDD;
    if (r.gamma !== null) this.gamma = r.gamma;
    this.latest = r;
    const phaseChanged = r.phase !== this.phase;
    this.phase = r.phase;
    const t = this.now();
    if (!phaseChanged && t - this.last < this.interval) return;
    this.last = t;
    this.draw(r, t);
  }

  /** Clears the live line (call before printing the result). */
  done(): void {
    if (this.live && this.drawn) this.out.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }

  /** The status line of the latest row (also what the plain log prints). */
  statusLine(r: TelemetryRow = this.latest!, t = this.now()): string {
    const s = this.out.errStyle;
    const elapsed = (t - this.t0) / 1000;
    const rate = elapsed > 0 ? (r.iter + 1) / elapsed : 0;
    const max = this.options.maxIters;
    const eta = max && rate > 0 ? Math.max(0, (max - r.iter - 1) / rate) : null;
    const parts = [
      phaseColor(s, r.phase)(r.phase.padEnd(5)),
      `iter ${r.iter + 1}${max ? `/${max}` : ""}`,
      `E ${formatNumber(r.E)}`,
      `η_dd ${formatNumber(this.etaDD)}`,
      `γ ${formatNumber(this.gamma)}`,
      ...(r.lambda !== null ? [`λ ${formatNumber(r.lambda)}`] : []),
      `${formatNumber(Math.round(rate))} it/s`,
      ...(eta !== null ? [`ETA ${eta < 60 ? `${Math.ceil(eta)}s` : `${Math.floor(eta / 60)}m${String(Math.round(eta % 60)).padStart(2, "0")}s`}`] : []),
    ];
    return parts.join(s.dim(" · "));
  }

  private draw(r: TelemetryRow, t: number): void {
    const line = this.statusLine(r, t);
    if (this.live) {
      const cols = this.out.stderr.columns ?? 120;
      // Clip by visible characters: colour codes do not take columns.
      const visible = line.replace(/\x1b\[[0-9;]*m/g, "");
      this.out.stderr.write(`\r\x1b[2K${visible.length > cols - 1 ? visible.slice(0, cols - 1) : line}`);
      this.drawn = true;
    } else this.out.stderr.write(`${line}\n`);
  }
}
