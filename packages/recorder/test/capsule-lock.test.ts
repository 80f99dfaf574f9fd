// One writer per capsule: the lock file, refusals naming the holder, stale locks taken over, the
// lock released on every exit path, and two concurrent resumes of one capsule.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { CflowError } from "@cflow/core";
import { describe, expect, test } from "vitest";
import { acquireCapsuleLock, LOCK_FILE, queryRuns, readRunLog, recorder, resumeRun, withCapsuleLock } from "../src/index.js";
import { END, refusal, resumeToEnd, stoppedCapsule } from "./capsules.js";
import { startInfo, summary, tempRunsDir } from "./fixtures.js";

/** A capsule whose process died at iteration 25 (checkpoints at 9 and 19). */
async function killedCapsule(tag: string): Promise<{ runsDir: string; runId: string; dir: string }> {
  const runsDir = tempRunsDir(tag);
  return { runsDir, runId: tag, dir: await stoppedCapsule(runsDir, tag, "killed") };
}

function lockOf(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as Record<string, unknown>;
}

/** The pid of a process that has exited (a finished child). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("capsule lock", () => {
  test("two concurrent resumes of one capsule: exactly one proceeds, the other is refused naming the holder; no row twice", async () => {
    const { runsDir, runId, dir } = await killedCapsule("twice");
    const outcomes = await Promise.allSettled([resumeToEnd(runsDir, runId), resumeToEnd(runsDir, runId)]);
    const failed = outcomes.filter((o) => o.status === "rejected") as PromiseRejectedResult[];
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const err = failed[0].reason as CflowError;
    expect(err.code).toBe("CAPSULE_LOCKED");
    expect(err.message).toContain(`${dir}: the capsule is in use — locked by pid ${process.pid} on ${hostname()}`);
    expect(err.message).toMatch(/ since \d{4}-\d\d-\d\dT/);
    expect(err.details.path).toBe(join(dir, LOCK_FILE));

    const [t] = await queryRuns("SELECT count(*) AS n, count(DISTINCT iter) AS d, min(iter) AS lo, max(iter) AS hi FROM telemetry", dir);
    expect(t).toEqual({ n: END, d: END, lo: 0, hi: END - 1 });
    const [m] = await queryRuns("SELECT status, iters, resumes FROM runs", dir);
    expect(m).toEqual({ status: "FINISHED", iters: END, resumes: 1 });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("the lock names its owner while a run goes, and is gone after finish", async () => {
    const runsDir = tempRunsDir("owner");
    const rec = recorder({ runsDir, runId: "owner" });
    await rec.start(startInfo("owner"));
    expect(lockOf(rec.runDir)).toMatchObject({ pid: process.pid, host: hostname(), command: expect.stringContaining("@cflow/recorder") });
    expect(Date.parse(lockOf(rec.runDir).started_at as string)).not.toBeNaN();
    await rec.finish(summary("float64", 0));
    expect(existsSync(join(rec.runDir, LOCK_FILE))).toBe(false);
  });

  test("a live holder in another process is refused; a dead one's lock is taken over with a warning", async () => {
    const { runsDir, runId, dir } = await killedCapsule("stale");
    const live = { pid: process.ppid, host: hostname(), started_at: "2025-01-01T00:00:00.000Z", command: "cflow resume", token: "a1" };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(live));
    const err = await refusal(resumeToEnd(runsDir, runId));
    expect(err.code).toBe("CAPSULE_LOCKED");
    expect(err.message).toContain(`locked by pid ${process.ppid} on ${hostname()} (cflow resume) since 2025-01-01T00:00:00.000Z; its owner is running`);
    expect(lockOf(dir)).toEqual(live); // a refused writer leaves the holder's lock alone

    const dead = { ...live, pid: deadPid(), token: "b2" };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(dead));
    await resumeToEnd(runsDir, runId);
    const warn = readRunLog(dir).find((l) => l.code === "CAPSULE_LOCK_STALE");
    expect(warn).toMatchObject({ level: "warn", pid: dead.pid, host: hostname(), since: dead.started_at, command: "cflow resume" });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("the same pid as this process but not held by it (a previous container process) is stale", async () => {
    const { dir } = await killedCapsule("samepid");
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), started_at: "x", command: "old", token: "c3" }));
    const lock = acquireCapsuleLock(dir, { command: "test" });
    expect(lock.replaced).toMatchObject({ pid: process.pid, command: "old" });
    expect(lockOf(dir).token).toBe(lock.owner.token);
    lock.release();
  });

  test("one process, two spellings of the capsule's path (a linked parent directory): still one writer", async () => {
    const { runsDir, runId, dir } = await killedCapsule("alias");
    const alias = join(tempRunsDir("alias-parent"), "runs");
    symlinkSync(runsDir, alias);
    const lock = acquireCapsuleLock(dir, { command: "first" });
    expect(() => acquireCapsuleLock(join(alias, runId), { command: "second" })).toThrow(/locked by pid \d+ on .* \(first\) since .*; this process already holds it/);
    expect(lockOf(dir).token).toBe(lock.owner.token);
    lock.release();
  });

  test("another host's lock is refused unless forced; an unreadable lock likewise", async () => {
    const { dir } = await killedCapsule("foreign");
    const other = { pid: 1, host: `not-${hostname()}`, started_at: "2025-02-03T04:05:06.000Z", command: "cflow resume", token: "d4" };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(other));
    expect(() => acquireCapsuleLock(dir, { command: "test" })).toThrow(`locked by pid 1 on not-${hostname()} (cflow resume) since 2025-02-03T04:05:06.000Z; held from another host`);
    const forced = acquireCapsuleLock(dir, { command: "test", force: true });
    expect(forced.replaced).toMatchObject({ host: other.host });
    forced.release();

    writeFileSync(join(dir, LOCK_FILE), "{ torn");
    expect(() => acquireCapsuleLock(dir, { command: "test" })).toThrow(/locked by a writer whose lock file cannot be read/);
    acquireCapsuleLock(dir, { command: "test", force: true }).release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("released on every exit path: a failing callback, a failing start, an abandoned run", async () => {
    const { runsDir, runId, dir } = await killedCapsule("paths");
    await expect(withCapsuleLock(dir, { command: "test" }, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // a start that fails (the resume point names a checkpoint that is not there) leaves no lock
    const point = { ...resumeRun(dir).resumePoint, checkpoint: "ckpt-000099.cfck" };
    await expect(recorder({ runsDir, runId }).start({ ...startInfo(runId), resumedFrom: point })).rejects.toThrow(/ckpt-000099.cfck is not in/);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // the caller's lock: used by the recorder, released by the caller only
    await withCapsuleLock(dir, { command: "cflow resume" }, async (lock) => {
      const r = resumeRun(dir);
      const rec = recorder({ runsDir, runId, lock });
      await rec.start({ ...startInfo(runId), resumedFrom: r.resumePoint });
      await rec.finish(summary("float64", r.iter + 1));
      expect(lockOf(dir).token).toBe(lock.owner.token);
    });
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("a lock file that is a symbolic link is refused, and its target left alone", async () => {
    const { dir } = await killedCapsule("locklink");
    const outside = join(tempRunsDir("outside"), "victim.txt");
    writeFileSync(outside, "precious");
    symlinkSync(outside, join(dir, LOCK_FILE));
    expect(() => acquireCapsuleLock(dir, { command: "test" })).toThrow(`${join(dir, LOCK_FILE)}: file is a symbolic link (to ${outside})`);
    expect(readFileSync(outside, "utf8")).toBe("precious");
  });
});
