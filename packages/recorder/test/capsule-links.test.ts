// Writes stay in the capsule: every file and directory of a capsule, replaced by a symbolic link
// to something outside, makes the writer stop with a clear error — and the outside target is left
// exactly as it was (no write through the link, no checkpoint deleted behind a linked directory).
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CflowError } from "@cflow/core";
import { describe, expect, test } from "vitest";
import { recorder, resumeRun, type FlightRecorder } from "../src/index.js";
import { checkpointAt, row, startInfo, summary, tempRunsDir } from "./fixtures.js";

/** Hashes of every file under `path` (a file or a directory), by relative name. */
function snapshot(path: string): Record<string, string> {
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
function plantLink(dir: string, rel: string): string {
  const outside = join(tempRunsDir("outside"), rel.replace(/\//g, "_"));
  const inside = join(dir, rel);
  if (existsSync(inside)) renameSync(inside, outside);
  else writeFileSync(outside, "someone else's file\n");
  symlinkSync(outside, inside);
  return outside;
}

async function drive(rec: FlightRecorder, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    rec.telemetry(row(i));
    if (i % 10 === 9) await rec.checkpoint(checkpointAt("float64", i));
    if (rec.flushDue()) await rec.flush();
  }
}

/** A run that ended CANCELLED at iteration 25 (compacted tables, run card, final state) — or was killed there (parts only). */
async function capsule(tag: string, how: "cancelled" | "killed"): Promise<{ runsDir: string; runId: string; dir: string }> {
  const runsDir = tempRunsDir(tag);
  const rec = recorder({ runsDir, runId: tag, flushEveryRows: 4, keepCheckpoints: 1 });
  await rec.start(startInfo(tag));
  await drive(rec, 0, 25);
  if (how === "cancelled") await rec.finish(summary("float64", 25, "CANCELLED"));
  else {
    await rec.flush();
    await rec.abandon();
  }
  return { runsDir, runId: tag, dir: rec.runDir };
}

async function resume(runsDir: string, runId: string): Promise<void> {
  const r = resumeRun(join(runsDir, runId));
  const rec = recorder({ runsDir, runId, flushEveryRows: 4, keepCheckpoints: 1 });
  await rec.start({ ...startInfo(runId), resumedFrom: r.resumePoint });
  await drive(rec, r.iter + 1, 40);
  await rec.finish(summary("float64", 40));
}

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<CflowError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(CflowError);
    return e as CflowError;
  }
  throw new Error("expected a CflowError");
}

describe("a link planted in a capsule stops the resume before anything is written", () => {
  test.each([
    ["manifest.toml", "cancelled"],
    ["telemetry.parquet", "cancelled"],
    ["events.parquet", "cancelled"],
    ["run_card.json", "cancelled"],
    ["logs.ndjson", "cancelled"],
    ["lock", "cancelled"],
    ["report.html", "cancelled"],
    ["checkpoints", "cancelled"],
    ["checkpoints/ckpt-000002.cfck", "cancelled"],
    ["artifacts", "cancelled"],
    ["artifacts/final_state.cfck", "cancelled"],
    ["telemetry.parts", "killed"],
    ["telemetry.parts/part-000001.parquet", "killed"],
    ["events.parts", "killed"],
    ["events.parts/part-000001.parquet", "killed"],
  ] as const)("%s (a %s run)", async (rel, how) => {
    const { runsDir, runId, dir } = await capsule(`link-${how}`, how);
    const outside = plantLink(dir, rel);
    const before = snapshot(outside);
    const capsuleBefore = snapshot(dir);
    const err = await refusal(resume(runsDir, runId));
    expect(err.code).toBe("CAPSULE_LINK");
    expect(err.message).toContain(`${join(dir, rel)}: `);
    expect(err.message).toContain(`is a symbolic link (to ${outside}); cflow never writes through a link in a run capsule`);
    expect(snapshot(outside)).toEqual(before);
    expect(snapshot(dir)).toEqual(capsuleBefore);
  });
});

describe("a link that appears while the run goes stops the next write that would follow it", () => {
  async function running(tag: string): Promise<FlightRecorder> {
    const rec = recorder({ runsDir: tempRunsDir(tag), runId: tag, flushEveryRows: 1000, keepCheckpoints: 1 });
    await rec.start(startInfo(tag));
    await drive(rec, 0, 20); // checkpoints 1 and 2 written, 1 pruned
    await rec.flush();
    return rec;
  }

  test.each([
    ["checkpoints", "checkpoint"],
    ["manifest.toml", "checkpoint"],
    ["logs.ndjson", "checkpoint"],
    ["telemetry.parts", "flush"],
    ["events.parts", "checkpoint"],
    ["artifacts", "finish"],
    ["run_card.json", "finish"],
    ["telemetry.parquet", "finish"],
  ] as const)("%s, linked before a %s", async (rel, op) => {
    const rec = await running(`mid-${op}`);
    const outside = plantLink(rec.runDir, rel);
    const before = snapshot(outside);
    rec.telemetry(row(20));
    const err = await refusal(op === "checkpoint" ? rec.checkpoint(checkpointAt("float64", 20)) : op === "flush" ? rec.flush() : rec.finish(summary("float64", 21)));
    expect(err.code).toBe("CAPSULE_LINK");
    expect(err.message).toContain(`${join(rec.runDir, rel)}: `);
    expect(snapshot(outside)).toEqual(before);
    await rec.abandon();
  });

  test("a linked checkpoints/ directory never has its checkpoints deleted", async () => {
    const rec = await running("prune");
    const outside = join(tempRunsDir("outside"), "checkpoints");
    cpSync(join(rec.runDir, "checkpoints"), outside, { recursive: true });
    writeFileSync(join(outside, "ckpt-000001.cfck"), "an older checkpoint retention would delete");
    const before = snapshot(outside);
    renameSync(join(rec.runDir, "checkpoints"), join(rec.runDir, "checkpoints.moved"));
    symlinkSync(outside, join(rec.runDir, "checkpoints"));
    await refusal(rec.checkpoint(checkpointAt("float64", 29)));
    expect(snapshot(outside)).toEqual(before);
    await rec.abandon();
  });
});
