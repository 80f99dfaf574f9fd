import { setTimeout as sleep } from "node:timers/promises";
import { CflowError } from "@cflow/core";
import type { JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { UsageError } from "../usage-error.js";
import type { MemberResult, MemberTask } from "./member.js";
import type { SetProgress } from "./set-progress.js";

/** The BullMQ queue every sweep and batch enqueues its runs in (the job id is the run id). */
export const QUEUE_NAME = "cflow-runs";

/** How each run's job is kept: a worker that stops mid-run fails the attempt, another continues it. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** A `--queue` URL, checked, with the form safe to print (no password). */
export interface QueueUrl {
  url: string;
  shown: string;
}

export function parseQueueUrl(text: string, command: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`--queue: cannot read "${text}" as a URL`, { path: "--queue", expected: "redis://host:port/db (rediss:// for TLS)", found: text }, command);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new UsageError(`--queue: ${u.protocol} is not a Redis URL`, { path: "--queue", expected: "redis://host:port/db (rediss:// for TLS)", found: text }, command);
  }
  if (u.pathname !== "" && u.pathname !== "/" && !/^\/\d+$/.test(u.pathname)) {
    throw new UsageError(`--queue: the database "${u.pathname.slice(1)}" is not a number`, { path: "--queue", expected: "redis://host:port/db with db a number (0–15 by default)", found: text }, command);
  }
  const shown = new URL(u.href);
  if (shown.password) shown.password = "***";
  return { url: text, shown: shown.href };
}

/**
 * Connects to Redis and PINGs it within `timeoutMs`, or throws QUEUE_UNREACHABLE naming the URL
 * (exit 69): a worker or a sweep never hangs on a queue it cannot reach.
 */
export async function checkRedis(q: QueueUrl, timeoutMs: number): Promise<void> {
  const { Redis } = await import("ioredis");
  const client = new Redis(q.url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let last: Error | null = null;
  client.on("error", (e: Error) => (last = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    const reason = (last ?? (e as Error)).message.split("\n")[0];
    throw new CflowError("QUEUE_UNREACHABLE", `cannot reach the Redis queue at ${q.shown}: ${reason}`, {
      path: "--queue",
      expected: "a Redis server (5.0 or newer) answering at that address",
      found: reason,
      hint: "start it (apt-get install -y redis-server; redis-server --appendonly yes), or check the host, port and password; --connect-timeout sets how long to wait",
    });
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * A connection for BullMQ's Queue and Worker: it reconnects for as long as it takes (a restarted
 * Redis). ioredis and BullMQ are loaded here, on first use, not when any cflow command starts.
 */
export async function redisConnection(q: QueueUrl): Promise<Redis> {
  const { Redis } = await import("ioredis");
  return new Redis(q.url, { maxRetriesPerRequest: null, connectTimeout: 10_000 });
}

/**
 * Enqueues the runs (job id = run id). A job of this run still waiting or active is left as it
 * is; one that completed or failed earlier (a sweep continued) is replaced, so the run is looked
 * at again — `runMember` keeps it when its capsule has ended.
 */
export async function enqueueRuns(queue: Queue, tasks: readonly MemberTask[]): Promise<void> {
  const fresh: MemberTask[] = [];
  for (const t of tasks) {
    const job = await queue.getJob(t.run.runId);
    if (job) {
      const state = await job.getState();
      if (state !== "completed" && state !== "failed") continue;
      await job.remove();
    }
    fresh.push(t);
  }
  await queue.addBulk(fresh.map((t) => ({ name: "run", data: t, opts: { ...JOB_OPTIONS, jobId: t.run.runId } })));
}

/**
 * Waits until every run's job has completed or finally failed, updating the progress line (ended
 * and running counts) as jobs move. A lost connection (Redis restarting) is waited out: the
 * connection reconnects and the jobs are still there (Redis keeps them on disk with AOF). Resolves
 * early, with the runs seen so far, when `signal` is aborted — the jobs stay in the queue.
 */
export async function waitForRuns(queue: Queue, runIds: readonly string[], o: { progress: SetProgress; signal: AbortSignal; pollMs?: number }): Promise<Map<string, MemberResult>> {
  const results = new Map<string, MemberResult>();
  const pending = new Set(runIds);
  const aborted = new Promise<"aborted">((resolve) => o.signal.addEventListener("abort", () => resolve("aborted"), { once: true }));
  while (pending.size > 0 && !o.signal.aborted) {
    const look = (async () => {
      let running = 0;
      const ended: MemberResult[] = [];
      for (const id of [...pending]) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : "missing";
        if (state === "active") running++;
        if (state !== "completed" && state !== "failed" && state !== "missing") continue;
        // the job object was read before its state: one that completed in between carries no return
        // value yet, so it is read again (and left for the next poll while Redis does not have it)
        const done = state === "completed" ? (((await queue.getJob(id))?.returnvalue as MemberResult | null | undefined) ?? null) : null;
        if (state === "completed" && done === null) continue;
        const result = done ?? lostJob(id, state === "missing" ? "its job is no longer in the queue (removed by hand?)" : job!.failedReason || "the job failed");
        pending.delete(id);
        results.set(id, result);
        ended.push(result);
      }
      o.progress.running(running);
      for (const r of ended) o.progress.ended(r.exitCode);
    })();
    if ((await Promise.race([look, aborted])) === "aborted") break;
    await sleep(o.pollMs ?? 500, undefined, { signal: o.signal }).catch(() => undefined);
  }
  return results;
}

function lostJob(runId: string, reason: string): MemberResult {
  const index = Number(runId.slice(runId.lastIndexOf(".") + 1));
  return { index, runId, exitCode: 1, action: "ran", error: { code: "JOB_FAILED", message: reason }, host: "", pid: 0 };
}
