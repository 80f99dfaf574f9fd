import { hostname } from "node:os";
import { join } from "node:path";
import { defineCommand } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { packageRoot } from "../package-info.js";
import type { MemberResult } from "../sweep/member.js";
import { BREAK_FOREIGN_LOCKS_ENV } from "../sweep/queue-processor-env.js";
import { QUEUE_NAME, type QueueUrl, checkRedis, parseQueueUrl, redisConnection } from "../sweep/redis-queue.js";
import { UsageError } from "../usage-error.js";

export interface WorkerCommandOptions {
  queue: QueueUrl;
  concurrency: number;
  lockDurationMs: number;
  connectTimeoutMs: number;
  breakForeignLocks: boolean;
}

export const workerCommand = defineCommand<WorkerCommandOptions>({
  name: "worker",
  summary: "take runs of sweeps and batches from a Redis queue and run them, until stopped",
  description:
    "Processes the jobs `cflow sweep|batch --queue` enqueue, each run in a child process of its own\n" +
    "(a BullMQ sandboxed processor), `--concurrency` at a time. The machine must see the sweep directory\n" +
    "at the path the sweep was created with (a shared file system). A worker that dies mid-run leaves its\n" +
    "job stalled: once its lock has expired (--lock-duration), another worker takes it and continues the\n" +
    "run with `cflow resume` from the capsule's last checkpoint (bit-identical for --deterministic sweeps),\n" +
    "taking over the capsule lock of the dead process when it ran on the same host. A capsule locked from\n" +
    "another host is left alone (that run ends with exit 75, naming the holder) unless\n" +
    "--break-foreign-locks says the queue's expired lock is proof enough that that worker is gone.\n" +
    "SIGINT, SIGTERM or SIGHUP stop the worker (exit 0): its runs are cancelled (resumable) and go back to\n" +
    "the queue.\n" +
    "An unreachable Redis is an error naming the URL after --connect-timeout (exit 69).",
  positionals: [],
  flags: [
    { name: "queue", type: "string", value: "redis://host:port/db", description: "the Redis queue (required)" },
    { name: "concurrency", type: "integer", min: 1, value: "n", description: "runs at once (default 1)" },
    { name: "lock-duration", type: "duration", value: "time", description: "how long a job stays this worker's without a lock renewal (default 30s): after a crash another worker takes it over this much later" },
    { name: "connect-timeout", type: "duration", value: "time", description: "how long to wait for Redis at start before giving up (exit 69; default 10s)" },
    { name: "break-foreign-locks", type: "boolean", description: "take over a capsule lock held from another host (only with workers that share nothing but the queue's judgement that the holder is gone)" },
  ],
  examples: [
    { command: "cflow worker --queue redis://10.0.0.5:6379/0", description: "one run at a time from that queue" },
    { command: "cflow worker --queue redis://127.0.0.1:6379/0 --concurrency 2 --lock-duration 10s", description: "two at a time; a crash is taken over after 10 s" },
  ],
  exitCodes: ["OK", "UNAVAILABLE", "USAGE", "INTERNAL"],
  options: (args) => {
    if (args.flags.queue === undefined) throw new UsageError("cflow worker: missing --queue", { path: "--queue", expected: "--queue redis://host:port/db", found: "nothing" }, "worker");
    return {
      queue: parseQueueUrl(String(args.flags.queue), "worker"),
      concurrency: (args.flags.concurrency as number | undefined) ?? 1,
      lockDurationMs: (args.flags["lock-duration"] as number | undefined) ?? 30_000,
      connectTimeoutMs: (args.flags["connect-timeout"] as number | undefined) ?? 10_000,
      breakForeignLocks: args.flags["break-foreign-locks"] === true,
    };
  },
  handler: async (o, ctx) => {
    await checkRedis(o.queue, o.connectTimeoutMs);
    const { Worker } = await import("bullmq");
    const connection = await redisConnection(o.queue);
    const name = `${hostname()}:${process.pid}`;
    let warned = false;
    connection.on("error", (e: Error) => {
      if (warned) return;
      warned = true;
      ctx.out.warn(`lost the connection to ${o.queue.shown} (${e.message.split("\n")[0]}); reconnecting`);
    });
    connection.on("ready", () => (warned = false));
    // the processor's child processes inherit this environment (sweep-queue-processor reads it)
    if (o.breakForeignLocks) process.env[BREAK_FOREIGN_LOCKS_ENV] = "1";
    const worker = new Worker(QUEUE_NAME, join(packageRoot(), "dist", "sweep-queue-processor.js"), {
      connection,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.lockDurationMs,
      maxStalledCount: 5,
      useWorkerThreads: false,
      name,
    });
    let jobs = 0;
    worker.on("active", (job) => {
      ctx.out.info(`run ${job.id} started (attempt ${job.attemptsMade + 1}${job.data ? `, ${job.data.run.index} of ${job.data.sweepDir}` : ""})`);
    });
    worker.on("completed", (job, result: MemberResult) => {
      jobs++;
      ctx.out.info(`run ${job.id} ended: exit ${result.exitCode}${result.action !== "ran" ? ` (${result.action})` : ""}${result.error ? ` — [${result.error.code}] ${result.error.message.split("\n")[0]}` : ""}`);
    });
    worker.on("failed", (job, err) => ctx.out.warn(`run ${job?.id ?? "?"}: ${err.message.split("\n")[0]}`));
    worker.on("error", (err) => ctx.out.warn(`queue: ${err.message.split("\n")[0]}`));
    await worker.waitUntilReady();
    ctx.out.info(`worker ${name} takes runs from ${o.queue.shown} (${o.concurrency} at a time)`);
    if (o.breakForeignLocks) ctx.out.warn("--break-foreign-locks: capsule locks held from other hosts are taken over");
    await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener("abort", () => resolve(), { once: true })));
    ctx.out.info("stopping: cancelling the runs going (their capsules are kept; other workers continue them)");
    worker.cancelAllJobs("the worker is stopping");
    await worker.close();
    connection.disconnect();
    ctx.out.result({ worker: name, jobs }, `worker ${name} stopped after ${jobs} run${jobs === 1 ? "" : "s"}`);
    // a worker stopped on request ended as asked: its runs go on elsewhere
    return EXIT_CODES.OK.code;
  },
});
