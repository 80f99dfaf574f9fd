import { EXIT_CODES } from "../exit-codes.js";
import type { Output } from "../output.js";

/** Counts of a set of runs, as the progress line shows them. */
export interface SetCounts {
  total: number;
  /** Ended with exit 0 (FINISHED GREEN). */
  green: number;
  /** Ended otherwise (not certified, timed out, refused, crashed, cancelled). */
  failed: number;
  running: number;
}

/**
 * One progress line for a whole sweep or batch: runs ended (green and failed), running, queued,
 * and the ETA from the rate runs have ended at so far. On a colour TTY the line is redrawn in
 * place (at most every `redrawMs`); otherwise a plain line is printed each time a run ends (and
 * every `lineMs` while nothing ends); `--quiet` and `--json` print nothing.
 */
export class SetProgress {
  private readonly counts: SetCounts;
  private readonly t0: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: Output,
    total: number,
    private readonly options: { label: string; redrawMs?: number; lineMs?: number; now?: () => number } = { label: "runs" },
  ) {
    this.counts = { total, green: 0, failed: 0, running: 0 };
    this.t0 = this.now();
    if (!this.silent) {
      this.timer = setInterval(() => this.draw(false), this.out.live ? (options.redrawMs ?? 500) : (options.lineMs ?? 30_000));
      this.timer.unref();
    }
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  private get silent(): boolean {
    return this.out.quiet || this.out.json;
  }

  /** Sets how many runs are going now (a pool knows it; a queue is asked). */
  running(n: number): void {
    if (n === this.counts.running) return;
    this.counts.running = n;
    this.draw(false);
  }

  /** A run ended with `exitCode`. */
  ended(exitCode: number): void {
    if (exitCode === EXIT_CODES.OK.code) this.counts.green++;
    else this.counts.failed++;
    this.draw(true);
  }

  get snapshot(): SetCounts {
    return { ...this.counts };
  }

  /** The line for the current counts. */
  line(t = this.now()): string {
    const s = this.out.errStyle;
    const c = this.counts;
    const done = c.green + c.failed;
    const queued = Math.max(0, c.total - done - c.running);
    const elapsed = (t - this.t0) / 1000;
    const eta = done > 0 && done < c.total ? (elapsed / done) * (c.total - done) : null;
    const parts = [
      `${this.options.label} ${done}/${c.total} done`,
      s.green(`${c.green} green`),
      c.failed ? s.red(`${c.failed} failed`) : `${c.failed} failed`,
      `${c.running} running`,
      `${queued} queued`,
      eta !== null ? `ETA ${formatEta(eta)}` : done === c.total ? `${formatEta(elapsed)} total` : "ETA —",
    ];
    return parts.join(s.dim(" · "));
  }

  /** Clears the live line (call before printing the summary). */
  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.out.live && this.drawn) this.out.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }

  private draw(force: boolean): void {
    if (this.silent) return;
    const t = this.now();
    if (this.out.live) {
      if (!force && t - this.lastDraw < (this.options.redrawMs ?? 500)) return;
      const line = this.line(t);
      const cols = this.out.stderr.columns ?? 120;
      const visible = line.replace(/\x1b\[[0-9;]*m/g, "");
      this.out.stderr.write(`\r\x1b[2K${visible.length > cols - 1 ? visible.slice(0, cols - 1) : line}`);
      this.drawn = true;
    } else {
      if (!force && t - this.lastDraw < (this.options.lineMs ?? 30_000)) return;
      this.out.stderr.write(`${this.line(t)}\n`);
    }
    this.lastDraw = t;
  }
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
