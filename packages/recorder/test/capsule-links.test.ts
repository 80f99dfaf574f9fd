// Writes stay in the capsule: every file and directory of a capsule, replaced by a symbolic link
// to something outside, makes the writer stop with a clear error — and the outside target is left
// exactly as it was (no write through the link, no checkpoint deleted behind a linked directory).
import { cpSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { recorder, type FlightRecorder } from "../src/index.js";
import { drive, fileHashes, plantLink, refusal, resumeToEnd, stoppedCapsule } from "./capsules.js";
import { checkpointAt, row, startInfo, summary, tempRunsDir } from "./fixtures.js";

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
    const runsDir = tempRunsDir(`link-${how}`);
    const dir = await stoppedCapsule(runsDir, "r", how);
    const outside = plantLink(dir, rel);
    const before = fileHashes(outside);
    const capsuleBefore = fileHashes(dir);
    const err = await refusal(resumeToEnd(runsDir, "r"));
    expect(err.code).toBe("CAPSULE_LINK");
    expect(err.message).toContain(`${join(dir, rel)}: `);
    expect(err.message).toContain(`is a symbolic link (to ${outside}); cflow never writes through a link in a run capsule`);
    expect(fileHashes(outside)).toEqual(before);
    expect(fileHashes(dir)).toEqual(capsuleBefore);
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
    const before = fileHashes(outside);
    rec.telemetry(row(20));
    const err = await refusal(op === "checkpoint" ? rec.checkpoint(checkpointAt("float64", 20)) : op === "flush" ? rec.flush() : rec.finish(summary("float64", 21)));
    expect(err.code).toBe("CAPSULE_LINK");
    expect(err.message).toContain(`${join(rec.runDir, rel)}: `);
    expect(fileHashes(outside)).toEqual(before);
    await rec.abandon();
  });

  test("a linked checkpoints/ directory never has its checkpoints deleted", async () => {
    const rec = await running("prune");
    const outside = join(tempRunsDir("outside"), "checkpoints");
    cpSync(join(rec.runDir, "checkpoints"), outside, { recursive: true });
    writeFileSync(join(outside, "ckpt-000001.cfck"), "an older checkpoint retention would delete");
    const before = fileHashes(outside);
    renameSync(join(rec.runDir, "checkpoints"), join(rec.runDir, "checkpoints.moved"));
    symlinkSync(outside, join(rec.runDir, "checkpoints"));
    await refusal(rec.checkpoint(checkpointAt("float64", 29)));
    expect(fileHashes(outside)).toEqual(before);
    await rec.abandon();
  });
});
