// Resume determinism (issue 6): a deterministic certified run, SIGKILLed at a random iteration in
// a child process and resumed from its capsule with `resumeRun`, ends with a final state bit for
// bit that of an uninterrupted run, and with the same telemetry apart from the wall clock — at
// 12 seeded kill points, four in each stage: feasibility, tuning (rollbacks included) and polish.
// The child kills itself at its row, so no kill depends on the machine's speed; the reference run
// is part of the test, not of a hook.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RealArray, runCertified } from "@cflow/core";
import { recorder, resumeRun } from "@cflow/recorder";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { afterAll, describe, expect, test } from "vitest";
import { record, type Row, withoutResumePreamble } from "./capsule-record.js";
import { RESUME_RECORDING, RESUME_RUN, resumeStory } from "./resume-problem.js";
import { mulberry32, sameBits } from "@cflow/test-kit";

const CHILD = join(__dirname, "resume-child.ts");
/** Seeded kill points per stage of the reference run: feasibility, tuning, polish. */
const KILLS_PER_STAGE = 4;
/** Children run at once. */
const BATCH = 4;

/** Children still running: killed before the temporary directory is removed (a failed test leaves none writing into it). */
const running = new Set<ChildProcess>();

/** Runs the child; resolves with how it ended (killed at its row, or not). */
function child(runsDir: string, runId: string, killAtRow: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", CHILD, runsDir, runId, String(killAtRow)], { cwd: join(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    running.add(p);
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      running.delete(p);
      if (signal === "SIGKILL" || code === 0) resolve({ killed: signal === "SIGKILL", out });
      else reject(new Error(`resume child exited with ${code ?? signal}: ${err}`));
    });
  });
}

/** The uninterrupted run (here, like the resumed ones: a deterministic run does not depend on the process). */
async function referenceRun(runsDir: string): Promise<{ x: RealArray; telemetry: Row[]; events: Row[]; rows: number }> {
  const { spec, compiled } = resumeStory();
  let rows = 0;
  const res = await runCertified(compiled, { ...RESUME_RUN, certify: fda(), tune: gapDial(), sinks: [recorder({ runsDir, runId: "reference", ...RESUME_RECORDING }), { name: "rows", telemetry: () => rows++ }] });
  compiled.dispose();
  expect(res.status).toBe("FINISHED");
  const { telemetry, events } = await record(join(runsDir, "reference"));
  expect(telemetry).toHaveLength(rows);
  // the run the kill points sample: every stage, with rollbacks
  const names = events.map((e) => e.event);
  expect(names).toContain("CERT_FAIL");
  expect(names).toContain("TUNER_MOVE_ACCEPTED");
  expect(names).toContain("ROLLBACK");
  expect(telemetry.some((r) => r.phase === "GREEN" && r.trial_id === null)).toBe(true);
  return { x: res.x, telemetry, events, rows };
}

describe("resume determinism: SIGKILL at random iterations, resume, compare with an uninterrupted run", () => {
  const runsDir = mkdtempSync(join(tmpdir(), "cflow-resume-"));

  afterAll(async () => {
    for (const p of running) p.kill("SIGKILL");
    await Promise.all([...running].map((p) => new Promise((r) => p.once("exit", r))));
    rmSync(runsDir, { recursive: true, force: true });
  });

  test(`${3 * KILLS_PER_STAGE} kill points: the resumed runs end bit-identical, with identical telemetry`, async () => {
    const reference = await referenceRun(runsDir);
    // telemetry row numbers (1-based, as the child counts them) of each stage of the reference run
    const stageRows = { feasibility: [] as number[], tuning: [] as number[], polish: [] as number[] };
    reference.telemetry.forEach((r, i) => (r.phase === "AMBER" ? stageRows.feasibility : r.trial_id !== null ? stageRows.tuning : stageRows.polish).push(i + 1));
    const rand = mulberry32(20240611);
    const points = new Set<number>();
    for (const rows of Object.values(stageRows)) {
      const want = points.size + KILLS_PER_STAGE;
      while (points.size < want) points.add(rows[Math.floor(rand() * rows.length)]);
    }
    const kills = [...points].sort((a, b) => a - b);
    const stagesHit = new Set<string>();

    for (let b = 0; b < kills.length; b += BATCH) {
      const batch = kills.slice(b, b + BATCH);
      const ended = await Promise.all(batch.map((k) => child(runsDir, `kill-${k}`, k)));
      for (const [i, k] of batch.entries()) {
        expect(ended[i].killed, `child killed at row ${k}`).toBe(true);
        const dir = join(runsDir, `kill-${k}`);
        const resumed = resumeRun(dir);
        stagesHit.add((resumed.controllerState as { stage: string }).stage);
        const { spec, compiled } = resumeStory();
        const res = await runCertified(compiled, {
          ...RESUME_RUN,
          resume: resumed,
          certify: fda(), tune: gapDial(), sinks: [recorder({ runsDir, runId: `kill-${k}`, ...RESUME_RECORDING })],
        });
        compiled.dispose();

        expect(res.status, `kill at row ${k}`).toBe("FINISHED");
        expect(sameBits(res.x, reference.x), `final state after a kill at row ${k} (resumed at iteration ${resumed.iter})`).toBe(true);
        const got = await record(dir);
        expect(got.telemetry, `telemetry after a kill at row ${k}`).toEqual(reference.telemetry);
        const { events, preamble } = withoutResumePreamble(got.events);
        expect(preamble[0]).toBe("RUN_STARTED");
        expect(events, `events after a kill at row ${k}`).toEqual(reference.events);
      }
    }
    // the kill points resumed from checkpoints of every stage
    expect([...stagesHit].sort()).toEqual(["feasibility", "polish", "tuning"]);
  });
});
