// Capsules in the states the capsule-level tests start from (killed, cancelled), the resume a
// second process would make, and tools to prove a capsule or an outside file was left untouched.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { expect } from "vitest";
import { recorder, resumeRun, type FlightRecorder } from "../src/index.js";
import { checkpointAt, row, startInfo, summary, tempRunsDir } from "./fixtures.js";

/** Iterations at which a resumed run of these tests ends. */
export const END = 40;

/** Records iterations [from, to) as a controller would: a checkpoint every 10, flushes when due. */
export async function drive(rec: FlightRecorder, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    rec.telemetry(row(i));
    if (i % 10 === 9) await rec.checkpoint(checkpointAt("float64", i));
    if (rec.flushDue()) await rec.flush();
  }
}

/**
 * A capsule whose run stopped at iteration 25 (checkpoints at 9 and 19): `cancelled` ended it
 * (compacted tables, run card, final state, summary), `killed` did not (parts only; the lock is
 * released as a dead process's would be taken over).
 */
export async function stoppedCapsule(runsDir: string, runId: string, how: "cancelled" | "killed"): Promise<string> {
  const rec = recorder({ runsDir, runId, flushEveryRows: 4 });
  await rec.start(startInfo(runId));
  await drive(rec, 0, 25);
  if (how === "cancelled") await rec.finish(summary("float64", 25, "CANCELLED"));
  else {
    await rec.flush();
    await rec.abandon();
  }
  return rec.runDir;
}

/** What a resuming process does: read the newest checkpoint, reopen the capsule, record to END. */
export async function resumeToEnd(runsDir: string, runId: string): Promise<void> {
  const r = resumeRun(join(runsDir, runId));
  const rec = recorder({ runsDir, runId, flushEveryRows: 4 });
  await rec.start({ ...startInfo(runId), resumedFrom: r.resumePoint });
  await drive(rec, r.iter + 1, END);
  await rec.finish(summary("float64", END));
}

/** The CflowError `fn` (or the promise) fails with; fails the test on anything else. */
export async function refusal(fn: Promise<unknown> | (() => unknown)): Promise<CflowError> {
  try {
    await (typeof fn === "function" ? fn() : fn);
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a CflowError, nothing was thrown");
}

/** Hash of every file under `path` (a file or a directory) by relative name; links recorded as links. */
export function fileHashes(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out[rel] = `link to ${readlinkSync(p)}`;
    else if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), rel ? `${rel}/${n}` : n);
    else out[rel || "."] = createHash("sha256").update(readFileSync(p)).digest("hex");
  };
  walk(path, "");
  return out;
}

/**
 * Moves `rel` of the capsule outside (or creates an outside file when it does not exist) and puts
 * a symbolic link in its place. Returns the outside target.
 */
export function plantLink(dir: string, rel: string): string {
  const outside = join(tempRunsDir("outside"), rel.replace(/\//g, "_"));
  const inside = join(dir, rel);
  if (existsSync(inside)) renameSync(inside, outside);
  else writeFileSync(outside, "someone else's file\n");
  symlinkSync(outside, inside);
  return outside;
}
