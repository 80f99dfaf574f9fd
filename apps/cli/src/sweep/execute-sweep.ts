import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { loadRunManifest, MANIFEST_FILE } from "@cflow/recorder";
import type { CommandContext } from "../command.js";
import { EXIT_CODES, type RunStatus, exitCodeForRun } from "../exit-codes.js";
import { writeSweepReport } from "../report/sweep-report.js";
import { runOnPool } from "./local-pool.js";
import type { MemberResult, MemberTask } from "./member.js";
import { QUEUE_NAME, type QueueUrl, enqueueRuns, redisConnection, waitForRuns } from "./redis-queue.js";
import { SetProgress } from "./set-progress.js";
import type { SweepFile } from "./sweep-file.js";
import { printSummary, sweepRows } from "./summary.js";

export interface SweepExecution {
  /** Local pool size (ignored with a queue). */
  workers: number;
  /** Run through this Redis queue (`cflow worker` processes take the runs) instead of the local pool. */
  queue?: QueueUrl;
  /** How long `checkRedis` waits for the queue. */
  connectTimeoutMs: number;
}

/** Statuses a sweep keeps as they are (the others — RUNNING after a kill, CANCELLED — are continued). */
const ENDED: readonly string[] = ["FINISHED", "CERT_FAIL", "RED", "TIMEOUT", "ERROR"];

/**
 * Runs a sweep or batch whose directory and sweep.toml exist: the runs whose capsules have not
 * ended, on the local pool or through the queue, with one progress line for the set; then the
 * summary (table or JSON) and the sweep report. Resolves to the set's exit code (`setExitCode`).
 */
export async function executeSweep(sweepDir: string, sweep: SweepFile, o: SweepExecution, ctx: CommandContext): Promise<number> {
  const t0 = performance.now();
  const kept = new Map<string, MemberResult>();
  const tasks: MemberTask[] = [];
  for (const run of sweep.runs) {
    const runDir = join(sweepDir, run.runId);
    const m = existsSync(join(runDir, MANIFEST_FILE)) ? loadRunManifest(runDir) : null;
    if (m && ENDED.includes(m.status)) {
      const phase = m.summary?.phase === "GREEN" || m.summary?.phase === "RED" ? m.summary.phase : "AMBER";
      kept.set(run.runId, { index: run.index, runId: run.runId, exitCode: exitCodeForRun(m.status as RunStatus, phase), action: "kept", host: "", pid: 0 });
    } else tasks.push({ sweepDir, run, options: sweep.options });
  }
  const rel = relative(ctx.cwd, sweepDir) || sweepDir;
  const shape = sweep.axes.map((a) => `${a.name} ${a.values.length}`).join(" × ") || "one point";
  const workers = Math.max(1, Math.min(o.workers, tasks.length));
  const where = o.queue ? `through the queue ${o.queue.shown}` : `on ${workers} worker${workers === 1 ? "" : "s"}`;
  ctx.out.info(`${sweep.kind} ${sweep.sweepId}: ${sweep.runs.length} runs (${shape})${kept.size ? `, ${kept.size} already ended` : ""}, ${where} → ${rel}`);

  const progress = new SetProgress(ctx.out, sweep.runs.length, { label: sweep.kind });
  for (const r of kept.values()) progress.ended(r.exitCode);
  let results: MemberResult[] = [];
  try {
    if (tasks.length > 0 && o.queue) results = await throughQueue(o.queue, tasks, progress, ctx);
    else if (tasks.length > 0) results = await runOnPool(tasks, { workers: o.workers, progress, signal: ctx.signal, env: ctx.env });
  } finally {
    progress.done();
  }
  const all = new Map([...kept, ...results.map((r) => [r.runId, r] as const)]);
  if (o.queue && ctx.signal.aborted) ctx.out.warn(`stopped waiting: the runs not yet ended stay in the queue for the workers (cflow sweep ${rel} --queue ${o.queue.shown} waits for them again)`);
  const rows = await sweepRows(sweepDir, sweep, all);
  let report: string | null = null;
  try {
    report = writeSweepReport(sweepDir, sweep, rows);
  } catch (err) {
    ctx.out.warn(`the sweep report could not be written: ${err instanceof Error ? err.message : String(err)}`);
  }
  const code = printSummary(sweep, sweepDir, rows, ctx.out, ctx.cwd, { report, wallMs: performance.now() - t0 });
  return ctx.signal.aborted ? EXIT_CODES.CANCELLED.code : code;
}

/** The caller has checked the queue is reachable (`checkRedis`). */
async function throughQueue(q: QueueUrl, tasks: MemberTask[], progress: SetProgress, ctx: CommandContext): Promise<MemberResult[]> {
  const connection = await redisConnection(q);
  let warned = false;
  connection.on("error", (e: Error) => {
    if (warned) return;
    warned = true;
    ctx.out.warn(`lost the connection to ${q.shown} (${e.message.split("\n")[0]}); waiting for it to come back`);
  });
  connection.on("ready", () => (warned = false));
  const queue = new (await import("bullmq")).Queue(QUEUE_NAME, { connection });
  try {
    await enqueueRuns(queue, tasks);
    const results = await waitForRuns(
      queue,
      tasks.map((t) => t.run.runId),
      { progress, signal: ctx.signal },
    );
    return [...results.values()];
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
}
