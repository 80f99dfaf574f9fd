// Recording overhead (issue 6: ≤ 3% of the wall time of reference problem 2). The 512×512
// wavelet-L1 deconvolution runs N iterations through runCertified with no hooks, then with the
// flight recorder alone (a telemetry row per iteration, events, manifest, compaction at the end)
// — once with checkpoints only at the start and the end, once with the default checkpoint every
// 50 iterations — for 200 and 1000 iterations. Two measures: the time spent inside the
// recorder's calls (timed by a delegating sink, immune to the machine's drift between runs), and
// the wall-time ratio to the run without hooks (variants alternate within each repetition; the
// ratio is the median of per-repetition ratios). Background flushes (the recorder's T-second
// timer) run outside the calls and show only in the ratio.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Checkpoint, compileFlow, type FlowEvent, type RunSink, type RunCertifiedOptions, type RunStartInfo, type RunSummary, runCertified, type TelemetryRow } from "@cflow/core";
import { type FlightRecorder, recorder } from "@cflow/recorder";
import { deconvolution, REFERENCE_2D } from "../src/deconvolution.js";

const ITERS = (process.env.CFLOW_BENCH_ITERS ?? "200,1000").split(",").map(Number);
const REPS = Number(process.env.CFLOW_BENCH_REPS ?? 3);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A sink that delegates to another and adds up the time spent in its calls. */
class TimedSink implements RunSink {
  readonly name = "timed";
  ms = 0;
  checkpointMs = 0;
  /** start + finish (opening DuckDB, the manifest, compaction, run card, final state). */
  fixedMs = 0;
  constructor(private readonly inner: FlightRecorder) {}
  get runId(): string {
    return this.inner.runId;
  }
  private sync<T>(f: () => T): T {
    const t = performance.now();
    const r = f();
    this.ms += performance.now() - t;
    return r;
  }
  private async async(f: () => Promise<void>): Promise<number> {
    const t = performance.now();
    await f();
    const d = performance.now() - t;
    this.ms += d;
    return d;
  }
  async start(info: RunStartInfo): Promise<void> {
    this.fixedMs += await this.async(() => this.inner.start(info));
  }
  telemetry(row: TelemetryRow): void {
    this.sync(() => this.inner.telemetry(row));
  }
  event(e: FlowEvent): void {
    this.sync(() => this.inner.event(e));
  }
  flushDue(): boolean {
    return this.sync(() => this.inner.flushDue());
  }
  flush(): Promise<void> {
    return this.async(() => this.inner.flush()).then(() => undefined);
  }
  async checkpoint(c: Checkpoint): Promise<void> {
    this.checkpointMs += await this.async(() => this.inner.checkpoint(c));
  }
  async finish(s: RunSummary): Promise<void> {
    this.fixedMs += await this.async(() => this.inner.finish(s));
  }
}

export default async function recordingOverhead(): Promise<void> {
  for (const iters of ITERS) await overhead(iters);
}

async function overhead(iters: number): Promise<void> {
  const runsDir = mkdtempSync(join(tmpdir(), "cflow-overhead-"));
  const def = deconvolution({ ...REFERENCE_2D, policies: { budgets: { maxIters: iters, tol: 0, rtol: 0 } } });
  const { compiled } = compileFlow(def, { dtype: "float64", seed: 1 });
  let runs = 0;
  const variants: { name: string; checkpointEvery: number | null }[] = [
    { name: "no hooks", checkpointEvery: null },
    { name: "recorder, checkpoints at start and end", checkpointEvery: 0 },
    { name: "recorder, checkpoint every 50 iterations", checkpointEvery: 50 },
  ];
  const time = async (v: (typeof variants)[number]): Promise<{ wall: number; inRecorder: number; inCheckpoints: number; fixed: number }> => {
    const sink = v.checkpointEvery === null ? null : new TimedSink(recorder({ runsDir, runId: `r${++runs}` }));
    const o: RunCertifiedOptions = sink ? { sinks: [sink], checkpointEvery: v.checkpointEvery! } : {};
    const t0 = performance.now();
    const res = await runCertified(compiled, o);
    const wall = performance.now() - t0;
    if (res.iters !== iters) throw new Error(`expected ${iters} iterations, the run made ${res.iters}`);
    return { wall, inRecorder: sink?.ms ?? 0, inCheckpoints: sink?.checkpointMs ?? 0, fixed: sink?.fixedMs ?? 0 };
  };
  await time(variants[0]); // warm-up: JIT and kernel tier-up
  const out = variants.map(() => ({ wall: [] as number[], inRecorder: [] as number[], inCheckpoints: [] as number[], fixed: [] as number[] }));
  for (let r = 0; r < REPS; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (k + r) % variants.length; // rotate the order
      const m = await time(variants[v]);
      out[v].wall.push(m.wall);
      out[v].inRecorder.push(m.inRecorder);
      out[v].inCheckpoints.push(m.inCheckpoints);
      out[v].fixed.push(m.fixed);
    }
  }
  compiled.dispose();
  rmSync(runsDir, { recursive: true, force: true });

  console.log(`\n### Recording overhead — reference problem 2 (512×512, db4 4 levels, float64), ${iters} iterations, ${REPS} repetitions\n`);
  console.log("| variant | median wall ms | in recorder calls: ms (share of wall) | start + finish ms | checkpoints ms | per iteration (row, flushes) | wall ratio to no hooks: median [min, max] |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  variants.forEach((v, i) => {
    const o = out[i];
    const ratios = o.wall.map((t, r) => t / out[0].wall[r]);
    const share = o.inRecorder.map((t, r) => t / o.wall[r]);
    const rest = o.inRecorder.map((t, r) => (t - o.inCheckpoints[r] - o.fixed[r]) / iters);
    const cells =
      i === 0
        ? "— | — | — | —"
        : `${median(o.inRecorder).toFixed(0)} (${(100 * median(share)).toFixed(2)}%) | ${median(o.fixed).toFixed(0)} | ${median(o.inCheckpoints).toFixed(0)} | ${(1000 * median(rest)).toFixed(0)} µs`;
    console.log(`| ${v.name} | ${median(o.wall).toFixed(0)} | ${cells} | ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}] |`);
  });
}
