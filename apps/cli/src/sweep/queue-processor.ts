import type { SandboxedJob } from "bullmq";
import { EXIT_CODES } from "../exit-codes.js";
import { type MemberResult, type MemberTask, runMember } from "./member.js";
import { BREAK_FOREIGN_LOCKS_ENV } from "./queue-processor-env.js";

/**
 * The queue worker's job processor, run by BullMQ in a child process of `cflow worker` (a
 * sandboxed processor: the run's CPU work never delays the worker's lock renewals). It runs one
 * member. When the worker stops (SIGTERM/SIGINT reach this process, or the worker cancels its
 * jobs) or dies (the IPC channel closes), the run is cancelled — a CANCELLED capsule, resumable —
 * and the job fails this attempt, so another worker continues the run from its last checkpoint.
 */
const controllers = new Set<AbortController>();
let orphaned = false;
const cancelAll = (why: string) => {
  for (const c of controllers) c.abort(new Error(why));
};
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => cancelAll(signal));
process.on("disconnect", () => {
  orphaned = true;
  cancelAll("the worker process is gone");
  if (controllers.size === 0) process.exit(0);
});

export default async function processRun(job: SandboxedJob<MemberTask, MemberResult>, _token?: string, signal?: AbortSignal): Promise<MemberResult> {
  const controller = new AbortController();
  controllers.add(controller);
  signal?.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  let result: MemberResult;
  try {
    result = await runMember({ ...job.data, breakForeignLocks: process.env[BREAK_FOREIGN_LOCKS_ENV] === "1" }, { signal: controller.signal, env: process.env });
  } finally {
    controllers.delete(controller);
  }
  if (orphaned) process.exit(0);
  if (controller.signal.aborted && result.exitCode === EXIT_CODES.CANCELLED.code) {
    throw new Error(`run ${job.data.run.runId} was cancelled because its worker stopped; its capsule is kept and the next attempt continues it`);
  }
  return result;
}
