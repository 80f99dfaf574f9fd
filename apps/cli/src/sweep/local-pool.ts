import { join } from "node:path";
import { EXIT_CODES } from "../exit-codes.js";
import { packageRoot } from "../package-info.js";
import type { MemberResult, MemberTask } from "./member.js";
import type { SetProgress } from "./set-progress.js";

/**
 * Runs the members on this machine, `workers` at a time, each in a child process of its own
 * (tinypool's child_process runtime, one fresh process per run: a run that crashes, exhausts
 * memory or calls process.exit takes only itself down and is reported as failed). The first
 * SIGINT/SIGTERM/SIGHUP (`signal`) stops starting runs and cancels the running ones (they end
 * CANCELLED with valid capsules: `cflow sweep <dir>` continues them).
 */
export async function runOnPool(tasks: readonly MemberTask[], o: { workers: number; progress: SetProgress; signal: AbortSignal; env: Record<string, string | undefined> }): Promise<MemberResult[]> {
  const workers = Math.max(1, Math.min(o.workers, tasks.length));
  const { Tinypool } = await import("tinypool");
  const pool = new Tinypool({
    filename: join(packageRoot(), "dist", "sweep-pool-task.js"),
    runtime: "child_process",
    minThreads: 0,
    maxThreads: workers,
    isolateWorkers: true,
    env: Object.fromEntries(Object.entries(o.env).filter((e): e is [string, string] => typeof e[1] === "string")),
  });
  let ended = 0;
  const cancel = () => {
    pool.cancelPendingTasks();
    // Ctrl-C reaches the children through the process group; a kill of this process only this one
    for (const t of pool.threads) {
      try {
        process.kill(t.threadId, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  o.signal.addEventListener("abort", cancel, { once: true });
  o.progress.running(workers);
  try {
    return await Promise.all(
      tasks.map(async (task): Promise<MemberResult> => {
        let result: MemberResult;
        const base = { index: task.run.index, runId: task.run.runId, action: "ran" as const, host: "", pid: 0 };
        try {
          result = (await pool.run(task)) as MemberResult;
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          result = o.signal.aborted
            ? { ...base, exitCode: EXIT_CODES.CANCELLED.code, error: { code: "CANCELLED", message: "cancelled before it started" } }
            : { ...base, exitCode: EXIT_CODES.INTERNAL.code, error: { code: "RUN_CRASHED", message: `the run's process died: ${message}` } };
        }
        ended++;
        o.progress.running(Math.min(workers, tasks.length - ended));
        o.progress.ended(result.exitCode);
        return result;
      }),
    );
  } finally {
    o.signal.removeEventListener("abort", cancel);
    await pool.destroy();
  }
}
