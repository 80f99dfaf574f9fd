// A resumed run continues its capsule: the record after resume equals an uninterrupted run's,
// apart from the wall-clock column, even when rows past the checkpoint had been flushed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadRunManifest, queryRuns, recorder, resumeRun, type FlightRecorder } from "../src/index.js";
import { checkpointAt, event, row, startInfo, summary, tempRunsDir } from "./fixtures.js";

const ITERS = 40;

/** Records iterations [from, to) the way a controller would, with a checkpoint every 10. */
async function drive(rec: FlightRecorder, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    rec.telemetry(row(i, 1000 * Math.random()));
    if (i % 7 === 3) rec.event(event(i, "TUNER_MOVE_TRY", { trial: i, note: `try ${i}` }));
    if (i % 10 === 9) await rec.checkpoint(checkpointAt("float64", i));
    if (rec.flushDue()) await rec.flush();
  }
}

async function record(runDir: string): Promise<{ telemetry: unknown[]; events: unknown[] }> {
  const telemetry = await queryRuns("SELECT * EXCLUDE (t_wall_ms) FROM telemetry", [runDir]);
  const events = await queryRuns("SELECT * EXCLUDE (t_wall_ms) FROM events", [runDir]);
  return { telemetry, events };
}

describe("resume continues the capsule", () => {
  test.each([
    ["a clean resume point", false],
    ["the newest checkpoint corrupted", true],
  ])("with %s", async (_, corruptNewest) => {
    const runsDir = tempRunsDir("resume");
    const whole = recorder({ runsDir, runId: "whole", flushEveryRows: 4 });
    await whole.start(startInfo("whole"));
    await drive(whole, 0, ITERS);
    await whole.finish(summary("float64", ITERS));

    // The interrupted run got to iteration 34 (rows past its last checkpoint at 29 are flushed).
    const first = recorder({ runsDir, runId: "cut", flushEveryRows: 4 });
    await first.start(startInfo("cut"));
    await drive(first, 0, 35);
    await first.flush();
    await first.abandon(); // the process dies here (abandon releases the lock a dead process leaves stale)
    if (corruptNewest) {
      const p = join(first.runDir, "checkpoints", "ckpt-000003.cfck");
      const b = readFileSync(p);
      b[b.length - 7] ^= 1;
      writeFileSync(p, b);
    }

    const r = resumeRun(first.runDir);
    expect(r.iter).toBe(corruptNewest ? 19 : 29);
    const second = recorder({ runsDir, runId: "cut", flushEveryRows: 4 });
    await second.start({ ...startInfo("cut"), resumedFrom: r.resumePoint });
    const m = loadRunManifest(second.runDir);
    expect(m.status).toBe("RUNNING");
    expect(m.resumes).toHaveLength(1);
    expect(m.resumes![0]).toMatchObject({ from_checkpoint: r.resumePoint.checkpoint, iter: r.iter });
    await drive(second, r.iter + 1, ITERS);
    await second.finish(summary("float64", ITERS));

    const a = await record(whole.runDir);
    const b = await record(second.runDir);
    const strip = (rows: unknown[]) => (rows as Record<string, unknown>[]).map(({ run_id: _, ...rest }) => rest);
    expect(strip(b.telemetry)).toEqual(strip(a.telemetry));
    expect(strip(b.events)).toEqual(strip(a.events));
    expect(b.telemetry).toHaveLength(ITERS);
    expect(loadRunManifest(second.runDir).checkpoints).toMatchObject({ latest: "ckpt-000004.cfck", latest_iter: 39 });
  });

  test("refuses a resume whose dtype or slots differ from the capsule", async () => {
    const runsDir = tempRunsDir("resume-bad");
    const first = recorder({ runsDir, runId: "r" });
    await first.start(startInfo("r"));
    await first.checkpoint(checkpointAt("float64", 9));
    await first.abandon();
    const point = resumeRun(first.runDir).resumePoint;
    await expect(recorder({ runsDir, runId: "r" }).start({ ...startInfo("r", "float32"), resumedFrom: point })).rejects.toThrow(/resume of .*: dtype mismatch — expected float64, found float32/);
    const slots = [{ name: "x", shape: [12], manifold: "euclidean" }];
    await expect(recorder({ runsDir, runId: "r" }).start({ ...startInfo("r"), slots, resumedFrom: point })).rejects.toThrow(/slot x: shape mismatch — expected \[4, 3\], found \[12\]/);
  });
});
