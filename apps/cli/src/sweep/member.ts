import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireCapsuleLock, loadRunManifest, LOCK_FILE, MANIFEST_FILE } from "@cflow/recorder";
import { CflowError } from "@cflow/core";
import { exitCodeForError } from "../error-report.js";
import { EXIT_CODES, type RunStatus, exitCodeForRun } from "../exit-codes.js";
import { main } from "../main.js";
import type { SweepRun, SweepRunOptions } from "./sweep-file.js";

/**
 * One run of a sweep or batch, as a pool worker or a queue worker executes it: everything needed
 * to start it with `cflow run` or continue it with `cflow resume`, from any process that sees the
 * sweep directory.
 */
export interface MemberTask {
  /** Absolute path of the sweep directory (the capsule is `<sweepDir>/<runId>`). */
  sweepDir: string;
  run: SweepRun;
  options: SweepRunOptions;
  /** Take a capsule lock held from another host (the queue's lock on the job expired: its worker is gone). */
  breakForeignLocks?: boolean;
}

/** What became of one run (the summary reads the rest from its capsule). */
export interface MemberResult {
  index: number;
  runId: string;
  /** `cflow run` / `cflow resume`'s exit code (EXIT_CODES); for a capsule already final, its run's. */
  exitCode: number;
  /** ran: started here; resumed: continued from its last checkpoint; kept: already ended, left as it was. */
  action: "ran" | "resumed" | "kept";
  /** The command's error, when it ended with one (no capsule, a refusal, a crash). */
  error?: { code: string; message: string };
  host: string;
  pid: number;
}

/** Statuses a capsule ends with that a sweep keeps (`CANCELLED` and `RUNNING` — killed — are continued). */
const FINAL: readonly string[] = ["FINISHED", "CERT_FAIL", "RED", "TIMEOUT", "ERROR"];

/**
 * Runs one member of a sweep the way `cflow run` runs a spec — it calls the same `main` with the
 * same arguments — or, when its capsule exists from an earlier attempt (a worker killed mid-run,
 * a cancelled sweep), continues it with `cflow resume` from its last checkpoint; a capsule that
 * already ended is kept. Idempotent: running a member twice never records it twice. A capsule
 * whose lock is held by a live process on this host (a run being cancelled) is waited for; a
 * capsule with nothing to resume from (killed before its first checkpoint, or recorded redacted)
 * is removed and run again from the start.
 */
export async function runMember(task: MemberTask, o: { signal: AbortSignal; env: Record<string, string | undefined> }): Promise<MemberResult> {
  const { run, sweepDir } = task;
  const runDir = join(sweepDir, run.runId);
  const base = { index: run.index, runId: run.runId, host: hostname(), pid: process.pid };
  try {
    return await attempt(task, runDir, base, o);
  } catch (e) {
    // a capsule that cannot be read or removed: this run fails, the sweep goes on
    const err = e instanceof CflowError ? { code: e.code, message: e.message } : { code: "INTERNAL", message: e instanceof Error ? e.message : String(e) };
    return { ...base, exitCode: exitCodeForError(e), action: "ran", error: err };
  }
}

async function attempt(task: MemberTask, runDir: string, base: Pick<MemberResult, "index" | "runId" | "host" | "pid">, o: { signal: AbortSignal; env: Record<string, string | undefined> }): Promise<MemberResult> {
  for (;;) {
    if (o.signal.aborted) return { ...base, exitCode: EXIT_CODES.CANCELLED.code, action: "ran", error: { code: "CANCELLED", message: "cancelled before it started" } };
    const state = capsuleState(runDir);
    if (state.kind === "final") return { ...base, exitCode: exitCodeForRun(state.status as RunStatus, state.phase), action: "kept" };
    if (state.kind === "restart") discardCapsule(runDir);
    const resuming = state.kind === "resume";
    if (resuming && (await holderIsLiveHere(runDir, o.signal))) continue;
    const argv = resuming ? resumeArgv(runDir, task) : runArgv(task);
    let stdout = "";
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: o.env,
      cwd: task.options.cwd,
      signal: o.signal,
    });
    // a live writer of this host took the capsule between our look and the command: wait for it
    if (code === EXIT_CODES.LOCKED.code && !o.signal.aborted && (await holderIsLiveHere(runDir, o.signal))) continue;
    const error = commandError(stdout);
    // another worker created the capsule between our look and the command: look again
    if (error?.code === "RUN_EXISTS" && !resuming) continue;
    const result: MemberResult = { ...base, exitCode: code, action: resuming ? "resumed" : "ran" };
    if (error) result.error = error;
    return result;
  }
}

function runArgv(task: MemberTask): string[] {
  const { run, options: o } = task;
  const argv = ["run", o.spec, "--out", task.sweepDir, "--run-id", run.runId, "--json"];
  if (run.dtype) argv.push("--dtype", run.dtype);
  if (run.seed !== undefined) argv.push("--seed", String(run.seed));
  for (const [k, v] of Object.entries(run.params)) argv.push("--param", `${k}=${v}`);
  for (const p of o.plugins) argv.push("--plugin", p);
  if (o.deterministic) argv.push("--deterministic");
  if (o.redactArtifacts) argv.push("--redact-artifacts");
  if (o.maxIters !== undefined) argv.push("--max-iters", String(o.maxIters));
  if (o.wallTimeMs !== undefined) argv.push("--budget-time", `${o.wallTimeMs}ms`);
  if (o.maxElements !== undefined) argv.push("--max-elements", String(o.maxElements));
  return argv;
}

/** The capsule records the spec, parameters, budgets and plugins: `resume` needs only the directory. */
function resumeArgv(runDir: string, task: MemberTask): string[] {
  const lock = readLock(runDir);
  const foreign = lock !== null && lock.host !== hostname();
  return ["resume", runDir, "--json", ...(foreign && task.breakForeignLocks ? ["--break-lock"] : [])];
}

type CapsuleState = { kind: "none" } | { kind: "restart" } | { kind: "resume" } | { kind: "final"; status: string; phase: "RED" | "AMBER" | "GREEN" };

function capsuleState(runDir: string): CapsuleState {
  if (!existsSync(runDir)) return { kind: "none" };
  if (!existsSync(join(runDir, MANIFEST_FILE))) return { kind: "restart" };
  const m = loadRunManifest(runDir);
  if (FINAL.includes(m.status)) {
    const phase = m.summary?.phase;
    return { kind: "final", status: m.status, phase: phase === "GREEN" || phase === "RED" ? phase : "AMBER" };
  }
  const checkpoints = existsSync(join(runDir, "checkpoints")) ? readdirSync(join(runDir, "checkpoints")).filter((f) => f.endsWith(".cfck")) : [];
  return checkpoints.length === 0 || m.redact_artifacts ? { kind: "restart" } : { kind: "resume" };
}

/**
 * Removes a capsule that holds nothing to continue from, under its lock (taken over from the dead
 * process that left it; a live holder makes this throw CAPSULE_LOCKED, and the member fails
 * rather than delete a capsule in use).
 */
function discardCapsule(runDir: string): void {
  const lock = acquireCapsuleLock(runDir, { command: "cflow sweep (removing a capsule with no checkpoint)" });
  try {
    rmSync(runDir, { recursive: true, force: true });
  } finally {
    lock.release();
  }
}

function readLock(runDir: string): { pid: number; host: string } | null {
  try {
    const o = JSON.parse(readFileSync(join(runDir, LOCK_FILE), "utf8")) as { pid?: unknown; host?: unknown };
    return typeof o.pid === "number" && typeof o.host === "string" ? { pid: o.pid, host: o.host } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When the capsule's lock is held by a live process of this host other than this one, waits until
 * it is released (or its process exits) and returns true; otherwise returns false at once (no
 * lock, a dead holder — `resume` takes that lock over — or a holder on another host).
 */
async function holderIsLiveHere(runDir: string, signal: AbortSignal): Promise<boolean> {
  const holder = readLock(runDir);
  if (!holder || holder.host !== hostname() || holder.pid === process.pid || !alive(holder.pid)) return false;
  while (!signal.aborted) {
    const now = readLock(runDir);
    if (!now || now.pid !== holder.pid || !alive(holder.pid)) return true;
    await sleep(200, undefined, { signal }).catch(() => undefined);
  }
  return true;
}

/** The error of a `--json` document `{ ok: false, error }`, if the command ended with one. */
function commandError(stdout: string): { code: string; message: string } | undefined {
  try {
    const doc = JSON.parse(stdout) as { ok?: boolean; error?: { code?: string; message?: string } };
    if (doc.ok === false && doc.error) return { code: String(doc.error.code ?? "ERROR"), message: String(doc.error.message ?? "") };
  } catch {
    if (stdout.trim() !== "") return { code: "OUTPUT", message: stdout.trim().split("\n").slice(-1)[0] };
  }
  return undefined;
}
