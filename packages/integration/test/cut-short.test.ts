// Runs cut short (issue 16): the iteration budget is a hard cap in every phase, a cancellation or
// a spent budget leaves a checkpoint of where the run stood — in the middle of a certification
// attempt or a tuner trial included — and a deterministic run resumed from it ends bit-identical
// to an uninterrupted one, with the same record. Telemetry is flushed from the first iteration on.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BudgetsSpec, type RealArray, type RunResult, resolveRun, runCertified, type TelemetryRow } from "@cflow/core";
import { loadRunManifest, recorder, resumeRun } from "@cflow/recorder";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { afterAll, describe, expect, test } from "vitest";
import { record, type Row, withoutResumePreamble } from "./capsule-record.js";
import { RESUME_RECORDING, RESUME_RUN, resumeStory } from "./resume-problem.js";
import { storyTokens } from "./event-tokens.js";
import { MemorySink } from "./test-hooks.js";
import { sameBits } from "@cflow/test-kit";

const runsDir = mkdtempSync(join(tmpdir(), "cflow-cut-"));
afterAll(() => rmSync(runsDir, { recursive: true, force: true }));

/** One recorded, deterministic session of the resume story (maxIters 400 unless `budgets` says otherwise). */
async function session(runId: string, o: { cutWhen?: (r: TelemetryRow) => boolean; budgets?: BudgetsSpec; resume?: boolean; onRow?: (r: TelemetryRow) => void } = {}): Promise<RunResult> {
  const { spec, compiled } = resumeStory();
  const ac = new AbortController();
  const res = await runCertified(compiled, {
    ...RESUME_RUN,
    config: resolveRun(compiled, { budgets: o.budgets }),
    signal: ac.signal,
    resume: o.resume ? resumeRun(join(runsDir, runId)) : undefined,
    certify: fda(),
    tune: gapDial(),
    sinks: [recorder({ runsDir, runId, ...RESUME_RECORDING }), { name: "rows", telemetry: (r) => {
      o.onRow?.(r);
      if (o.cutWhen?.(r) && !ac.signal.aborted) ac.abort("cut by the test");
    } }],
  });
  compiled.dispose();
  return res;
}

/** The uninterrupted run, recorded once for every comparison. */
let referenceRun: Promise<{ x: RealArray; telemetry: Row[]; events: Row[] }> | null = null;
function reference() {
  referenceRun ??= session("reference").then(async (res) => {
    expect(res.status).toBe("FINISHED");
    return { x: res.x, ...(await record(join(runsDir, "reference"))) };
  });
  return referenceRun;
}

/**
 * The final state and the record of a capsule resumed (once or more) are the uninterrupted run's:
 * the same telemetry, the same events — checkpoint bookkeeping (the cut's own checkpoint, and
 * so the numbering of the later ones) and the `extra` events recorded before a cut's checkpoint
 * aside. Returns the iterations of the checkpoints the cuts added.
 */
async function expectSameAsReference(runId: string, final: RunResult, extra: string[] = []): Promise<number[]> {
  const ref = await reference();
  expect(final.status).toBe("FINISHED");
  expect(sameBits(final.x, ref.x)).toBe(true);
  const got = await record(join(runsDir, runId));
  expect(got.telemetry).toEqual(ref.telemetry);
  const skip = ["CHECKPOINT_WRITTEN", ...extra];
  const { events } = withoutResumePreamble(got.events);
  expect(events.filter((e) => !skip.includes(e.event as string))).toEqual(ref.events.filter((e) => e.event !== "CHECKPOINT_WRITTEN"));
  const at = (evs: Row[]) => evs.filter((e) => e.event === "CHECKPOINT_WRITTEN").map((e) => e.iter as number);
  const theirs = at(ref.events);
  return at(events).filter((i) => !theirs.includes(i));
}

describe("the iteration budget is a hard cap across every phase", () => {
  test("--max-iters 10: feasibility stops at iteration 10 — TIMEOUT in AMBER, never certified", async () => {
    const sink = new MemorySink();
    const { spec, compiled } = resumeStory();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink], config: resolveRun(compiled, { budgets: { maxIters: 10 } }) });
    compiled.dispose();
    expect(res.status).toBe("TIMEOUT");
    expect(res.phase).toBe("AMBER");
    expect(res.iters).toBe(10);
    expect(sink.rows.map((r) => r.iter)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(res.events.find((e) => e.event === "TIMEOUT")!.payload).toEqual({ budget: "iterations", limit: 10, used: 10 });
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER TIMEOUT RUN_FINISHED");
    expect(res.certificates).toEqual([]);
    // where it stood: attempt 1, 10 of its 30 warm-up iterations done
    const last = sink.checkpoints.at(-1)!;
    expect(last).toMatchObject({ iter: 10, phase: "AMBER", good: false, controllerState: { stage: "feasibility", inFlight: { kind: "attempt", attempt: 1, done: 10 } } });
  });

  test("cut mid-attempt by the budget, resumed with a larger one: the uninterrupted run's result and record", async () => {
    // attempt 3 runs iterations 61–90: a budget of 75 cuts it halfway
    const cut = await session("budget-75", { budgets: { maxIters: 75 } });
    expect(cut).toMatchObject({ status: "TIMEOUT", phase: "AMBER", iters: 75 });
    expect(loadRunManifest(join(runsDir, "budget-75")).checkpoints).toMatchObject({ latest_iter: 75, latest_phase: "AMBER" });
    const final = await session("budget-75", { resume: true, budgets: { maxIters: 400 } });
    // the TIMEOUT happened before the checkpoint: it stays in the record
    expect(await expectSameAsReference("budget-75", final, ["TIMEOUT"])).toEqual([75]);
  });
});

describe("a cancelled run is checkpointed where it stood and resumes to the uninterrupted result", () => {
  test("Ctrl-C in AMBER (mid-attempt): the checkpoint is of that iteration, not of the start", async () => {
    const cut = await session("cancel-amber", { cutWhen: (r) => r.phase === "AMBER" && r.iter === 75 });
    expect(cut).toMatchObject({ status: "CANCELLED", phase: "AMBER", iters: 75 });
    const resumed = resumeRun(join(runsDir, "cancel-amber"));
    expect(resumed).toMatchObject({ iter: 75, phase: "AMBER", good: false });
    // attempt 3 (iterations 61–90) had run 15 iterations
    expect(resumed.controllerState).toMatchObject({ stage: "feasibility", inFlight: { kind: "attempt", attempt: 3, done: 15 } });
    expect(Object.keys(resumed.state).sort()).toEqual(["attempt_start.prev.x", "attempt_start.x", "coefficients.attempt_start", "coefficients.current", "prev.x", "x"]);
    const final = await session("cancel-amber", { resume: true });
    expect(await expectSameAsReference("cancel-amber", final)).toEqual([75]);
  });

  test("mid-trial: the trial in flight is finished by the resumed run, rollbacks included", async () => {
    // the story's trial 9 fails its certificate and is rolled back to trial 8's state: cut it halfway
    const ref = await reference();
    const rejected = ref.events.find((e) => e.event === "TUNER_MOVE_REJECTED")!;
    expect((rejected.payload as { trial: number }).trial).toBe(9);
    let trialRows = 0;
    const cut = await session("cancel-trial", { cutWhen: (r) => r.trialId === 9 && ++trialRows === 15 });
    expect(cut.status).toBe("CANCELLED");
    const resumed = resumeRun(join(runsDir, "cancel-trial"));
    expect(resumed.controllerState).toMatchObject({ stage: "tuning", trial: 9, inFlight: { kind: "trial", trial: 9, done: 15 } });
    expect(resumed.good).toBe(false);
    // the rollback target travels in the checkpoint: the last good state (trial 8's)
    expect(Object.keys(resumed.state)).toContain("last_good.x");
    const final = await session("cancel-trial", { resume: true });
    // ... and the resumed run rolls back to it as the uninterrupted one did (its ROLLBACK event included)
    expect(await expectSameAsReference("cancel-trial", final)).toEqual([resumed.iter]);
  });

  test("three sessions: cancelled mid-trial, then cut mid-trial by a smaller budget, then finished", async () => {
    let trialRows = 0;
    await session("three", { cutWhen: (r) => r.trialId === 3 && ++trialRows === 5 });
    const first = resumeRun(join(runsDir, "three"));
    expect(first.controllerState).toMatchObject({ inFlight: { kind: "trial", trial: 3, done: 5 } });
    const second = await session("three", { resume: true, budgets: { maxIters: first.iter + 7 } });
    expect(second).toMatchObject({ status: "TIMEOUT", phase: "GREEN", iters: first.iter + 7 });
    expect(resumeRun(join(runsDir, "three")).controllerState).toMatchObject({ inFlight: { kind: "trial", trial: 3, done: 12 } });
    const final = await session("three", { resume: true });
    expect(await expectSameAsReference("three", final, ["TIMEOUT"])).toEqual([first.iter, first.iter + 7]);
  });
});

describe("telemetry is flushed from the first iteration, AMBER included", () => {
  test("the controller flushes a due recorder after every step of the feasibility sweep", async () => {
    /** A sink that is due whenever a row is pending, and counts its flushes by the phase of the rows flushed. */
    class FlushCounter extends MemorySink {
      pending = 0;
      readonly flushes: string[] = [];
      override telemetry(row: TelemetryRow): void {
        super.telemetry(row);
        this.pending++;
      }
      override flushDue(): boolean {
        return this.pending > 0;
      }
      override async flush(): Promise<void> {
        this.flushes.push(this.rows.at(-1)!.phase);
        this.pending = 0;
      }
    }
    const sink = new FlushCounter();
    const { spec, compiled } = resumeStory();
    await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink], config: resolveRun(compiled, { budgets: { maxIters: 200 } }) });
    compiled.dispose();
    const amberSteps = sink.rows.filter((r) => r.phase === "AMBER" && r.notes === null).length;
    // three 30-iteration attempts before GREEN
    expect(amberSteps).toBe(90);
    expect(sink.flushes.filter((p) => p === "AMBER")).toHaveLength(amberSteps);
  });

  test("with the flight recorder: at iteration 40 of the sweep, every earlier row is in a Parquet part", async () => {
    let parts = -1;
    const { spec, compiled } = resumeStory();
    const rec = recorder({ runsDir, runId: "flush-amber", flushEveryRows: 1, flushEverySeconds: 3600 });
    await runCertified(compiled, {
      certify: fda(),
      tune: gapDial(),
      sinks: [rec, { name: "rows", telemetry: (r) => {
        if (r.iter === 40 && r.notes === null) parts = readdirSync(join(rec.runDir, "telemetry.parts")).filter((f) => f.endsWith(".parquet")).length;
      } }],
      config: resolveRun(compiled, { budgets: { maxIters: 45 } }),
    });
    compiled.dispose();
    // one part per flush, each holding at least one row: rows 1–39 and the certificate of attempt 1
    expect(parts).toBeGreaterThanOrEqual(39);
  });
});
