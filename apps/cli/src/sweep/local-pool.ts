import { join } from "node:path";
import { EXIT_CODES } from "../exit-codes.js";
import { packageRoot } from "../package-info.js";
import type { MemberResult, MemberTask } from "./member.js";
import type { PoolTaskResult } from "./pool-task.js";
import type { SetProgress } from "./set-progress.js";

/**
 * Runs the members on this machine, `workers` at a time, in child processes (tinypool's
 * child_process runtime). A process runs one member after another — the modules, the compiled
 * kernel and the JIT's work are paid for once, not per run — and each member starts clean: its
 * flow is disposed when its command ends, and a member that leaves anything behind (kernel memory,
 * a capsule lock, an open resource; `poolTask`) has the pool's processes replaced. A run that
 * crashes, exhausts memory or calls process.exit takes only its own process down, is reported as
 * failed, and a fresh process takes the next member. The first SIGINT/SIGTERM/SIGHUP (`signal`)
 * stops starting runs and cancels the running ones (they end CANCELLED with valid capsules:
 * `cflow sweep <dir>` continues them).
 */
export async function runOnPool(tasks: readonly MemberTask[], o: { workers: number; progress: SetProgress; signal: AbortSignal; env: Record<string, string | undefined> }): Promise<MemberResult[]> {
  const workers = Math.max(1, Math.min(o.workers, tasks.length));
  const { Tinypool } = await import("tinypool");
  const pool = new Tinypool({
    filename: join(packageRoot(), "dist", "sweep-pool-task.js"),
    runtime: "child_process",
    // all started at once, and a process that dies is replaced
    minThreads: workers,
    maxThreads: workers,
    isolateWorkers: false,
    env: Object.fromEntries(Object.entries(o.env).filter((e): e is [string, string] => typeof e[1] === "string")),
  });
  // A process that dies between members (cancelled while idle, or replaced) had no run to fail.
  pool.on("error", () => undefined);
  // tinypool unrefs idle processes and awaits their exit when it replaces or destroys them; one
  // slower to exit than its 1 s before SIGKILL (a loaded machine) would leave nothing holding this
  // process open, and Node would end the set with code 13 (an unsettled await) before its summary
  const open = setInterval(() => undefined, 60_000);
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
          const done = (await pool.run(task)) as PoolTaskResult;
          result = done.result;
          // the process that ran it may already hold the next member; it is replaced after that one
          if (done.leftovers.length > 0) await pool.recycleWorkers();
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
    try {
      await pool.destroy();
    } finally {
      clearInterval(open);
    }
  }
}
