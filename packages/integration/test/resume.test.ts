// Resume determinism (issue 6): a deterministic certified run, SIGKILLed at a random iteration in
// a child process and resumed from its capsule with `resumeRun`, ends with a final state bit for
// bit that of an uninterrupted run, and with the same telemetry apart from the wall clock — at
// 24 seeded kill points spread over feasibility, tuning (rollbacks included) and polish.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Json, type RealArray, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { queryRuns, readCheckpointFile, recorder, resumeRun } from "@cflow/recorder";
import { gapDial } from "@cflow/tuner";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RESUME_RECORDING, RESUME_RUN, resumeStory } from "./resume-problem.js";
import { mulberry32, sameBits } from "./test-hooks.js";

const CHILD = join(__dirname, "resume-child.ts");
const KILL_POINTS = 24;
const BATCH = 4;

/** Runs the child; resolves with how it ended (SIGKILL expected unless killAtRow is 0). */
function child(runsDir: string, runId: string, killAtRow: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", CHILD, runsDir, runId, String(killAtRow)], { cwd: join(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      if (signal === "SIGKILL" || code === 0) resolve({ killed: signal === "SIGKILL", out });
      else reject(new Error(`resume child exited with ${code ?? signal}: ${err}`));
    });
  });
}

type Row = Record<string, unknown>;

/** Telemetry and events of a capsule without the wall-clock columns (and the certificates' own timing). */
async function record(dir: string): Promise<{ telemetry: Row[]; events: Row[] }> {
  const telemetry = (await queryRuns("SELECT * EXCLUDE (run_id, t_wall_ms) FROM telemetry", [dir])) as Row[];
  const events = (await queryRuns("SELECT * EXCLUDE (run_id, t_wall_ms) FROM events", [dir])).map((e) => {
    const payload = JSON.parse(e.payload as string) as { [k: string]: Json };
    delete payload.ms;
    return { ...e, payload };
  });
  return { telemetry, events };
}

/** The events a resume adds where it picks up: RUN_STARTED (resumed_from_iter), FLOW_POLICY_APPLIED, the phase changes back. */
function withoutResumePreamble(events: Row[]): { events: Row[]; preamble: string[] } {
  const at = events.findIndex((e) => e.event === "RUN_STARTED" && "resumed_from_iter" in (e.payload as object));
  expect(at).toBeGreaterThan(0);
  const reason = (e: Row) => (e.payload as { reason?: string }).reason ?? "";
  let end = at + 1;
  while (
    end < events.length &&
    (events[end].event === "FLOW_POLICY_APPLIED" || (events[end].event === "PHASE_CHANGED" && (reason(events[end]) === "spec valid, not certified" || reason(events[end]).startsWith("resumed at"))))
  ) {
    end++;
  }
  return { events: [...events.slice(0, at), ...events.slice(end)], preamble: events.slice(at, end).map((e) => e.event as string) };
}

describe("resume determinism: SIGKILL at random iterations, resume, compare with an uninterrupted run", () => {
  let runsDir = "";
  let reference: { x: RealArray; telemetry: Row[]; events: Row[]; rows: number };

  beforeAll(async () => {
    runsDir = mkdtempSync(join(tmpdir(), "cflow-resume-"));
    // the reference runs in a child too: same process set-up as the killed runs
    const ref = await child(runsDir, "reference", 0);
    expect(ref.killed).toBe(false);
    const rows = Number(/DONE (\d+)/.exec(ref.out)![1]);
    const { telemetry, events } = await record(join(runsDir, "reference"));
    expect(telemetry).toHaveLength(rows);
    const final = readCheckpointFile(join(runsDir, "reference", "artifacts", "final_state.cfck"));
    reference = { x: final.arrays.x, telemetry, events, rows };
    // the run the kill points sample: every stage, with rollbacks
    const names = events.map((e) => e.event);
    expect(names).toContain("CERT_FAIL");
    expect(names).toContain("TUNER_MOVE_ACCEPTED");
    expect(names).toContain("ROLLBACK");
    expect(telemetry.some((r) => r.phase === "GREEN" && r.trial_id === null)).toBe(true);
  });

  afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

  test(`${KILL_POINTS} kill points: the resumed runs end bit-identical, with identical telemetry`, async () => {
    const rand = mulberry32(20240611);
    const points = new Set<number>();
    while (points.size < KILL_POINTS) points.add(1 + Math.floor(rand() * reference.rows));
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
        const res = await runCertified(spec, compiled, {
          ...RESUME_RUN,
          resume: resumed,
          hooks: [fda(), gapDial(), recorder({ runsDir, runId: `kill-${k}`, ...RESUME_RECORDING })],
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
  }, 180_000);
});
