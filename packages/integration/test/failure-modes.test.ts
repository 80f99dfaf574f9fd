// Each failure mode of a certified run (docs/design.md §2.8): a regressing move rolls back to
// the last good state bit for bit and is rejected; rollbacks are capped at 3; no certificate
// after M attempts ends RED; budgets end with TIMEOUT; an abort ends CANCELLED with a valid
// capsule; a NaN is caught in the iteration that produced it and treated as a regression.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Checkpoint, DEFAULTS, type FlowEvent, runCertified, type TelemetryRow, type TunerHook } from "@cflow/core";
import { fda } from "@cflow/fda";
import { loadRunManifest, queryRuns, recorder, resumeRun, SCHEMA_VERSION } from "@cflow/recorder";
import { gapDial } from "@cflow/tuner";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { storyTokens } from "./event-tokens.js";
import { expectPayloadsFollowSchema } from "./schema-payloads.js";
import { compileStory } from "./story-problem.js";
import { DTYPES, failingCertificates, MemorySink, slowCertificates, virtualClock } from "./test-hooks.js";
import { sameBits } from "@cflow/test-kit";

/**
 * λ at which the 32×32 story certifies at the first attempt in both dtypes, with the blur or its
 * JavaScript probe (2e-3 · 4²: ~50 active coefficients, scaled dominance ≈ 2–4.2 ≤ η_max = 6).
 */
const LAMBDA_GREEN = 0.032;
/**
 * λ at which the story fails the gate for three attempts: at 1e-5, 4e-5 and 1.6e-4 some 800, 700
 * and 500 coefficients are active and the scaled dominance is above 20 (η_max = 6).
 */
const LAMBDA_RED = 1e-5;

function goodCheckpointBefore(sink: MemorySink, eventIndex: number): Checkpoint {
  // checkpoints are recorded in order with the events: the good one written last before the event
  const seen = sink.events.slice(0, eventIndex);
  const n = seen.filter((e) => e.event === "TUNER_MOVE_ACCEPTED" || (e.event === "PHASE_CHANGED" && e.payload.to === "GREEN")).length;
  const good = sink.checkpoints.filter((c) => c.good);
  expect(good.length).toBeGreaterThanOrEqual(n);
  return good[n - 1];
}

describe.each(DTYPES)("failure modes (%s)", (dtype) => {
  test("a regressing move rolls back to the last good state bit for bit and is rejected", async () => {
    const { spec, compiled, probe } = compileStory({ dtype, probe: true });
    let failing = false;
    const restored: { x: Float64Array | Float32Array; prev: Float64Array | Float32Array }[] = [];
    const sink = new MemorySink("regress", (e) => {
      if (e.event === "TUNER_MOVE_TRY" && e.payload.trial === 2) failing = true;
      if (e.event === "ROLLBACK" && failing) {
        // the injected failure's rollback (later trials may fail their real certificates too):
        // the restore observed the previous state, the current one, then took the current one's energy
        const [prev, x, again] = probe!.inputs;
        expect(sameBits(x, again)).toBe(true);
        restored.push({ prev: prev.slice(), x: x.slice() });
        failing = false;
      }
    });
    const cert = failingCertificates(fda(), () => failing);
    const res = await runCertified(compiled, { certify: cert, tune: gapDial(), sinks: [sink] });
    compiled.dispose();

    // one injected verdict: the move's hull and then its support each failed (certificate-hull.ts)
    const injected = sink.events.filter((e) => e.event === "CERT_FAIL" && (e.payload.reasons as string[]).some((r) => r.includes("injected failure")));
    expect(injected).toHaveLength(1);
    expect(cert.failed).toBe(injected[0].payload.hull_size === undefined ? 1 : 2);
    const rollbackAt = sink.events.findIndex((e) => e.event === "ROLLBACK");
    const rb = sink.events[rollbackAt];
    const [tryEv, failEv, , rejEv] = sink.events.slice(rollbackAt - 2, rollbackAt + 2);
    expect(storyTokens(sink.events.slice(rollbackAt - 2, rollbackAt + 2))).toBe("TUNER_MOVE_TRY:2 CERT_FAIL:tuning ROLLBACK TUNER_MOVE_REJECTED");
    expect(failEv.payload.reasons).toContain("injected failure (test)");
    // the rollback happens in the iteration that failed, back to the state trial 1 was accepted at
    const good = goodCheckpointBefore(sink, rollbackAt);
    expect(good.controllerState).toMatchObject({ trial: 1, stage: "tuning" });
    expect(rb.iter).toBe(failEv.iter);
    expect(rb.payload).toMatchObject({ to_iter: good.iter, rollbacks: 1 });
    expect(restored).toHaveLength(1);
    expect(sameBits(restored[0].x, good.arrays.x)).toBe(true);
    expect(sameBits(restored[0].prev, good.arrays["prev.x"])).toBe(true);
    expect(rejEv.payload).toMatchObject({ trial: 2, to: tryEv.payload.to });
    expect(rejEv.payload.reason).toMatch(/^certificates failed: .*injected failure/);
    expect(typeof rejEv.payload.eta_dd).toBe("number");
    // the dials went back too: the next move starts from trial 1's
    const accepted1 = sink.events.find((e) => e.event === "TUNER_MOVE_ACCEPTED" && e.payload.trial === 1)!;
    const next = sink.events.find((e) => e.event === "TUNER_MOVE_TRY" && e.payload.trial === 3);
    if (next) expect(next.payload.from).toEqual(accepted1.payload.to);
    expect(res.tunerHistory[1]).toMatchObject({ trial: 2, accepted: false });
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expectPayloadsFollowSchema(res.events);
  });

  test("rollbacks are capped at 3 per run, then tuning stops and the run polishes", async () => {
    expect(DEFAULTS.control.maxRollbacks).toBe(3);
    const { spec, compiled, probe } = compileStory({ dtype, probe: true });
    let tuning = false;
    const restored: Float64Array[] = [];
    const sink = new MemorySink("cap", (e) => {
      if (e.event === "TUNER_MOVE_TRY" && (e.payload.trial as number) > 0) tuning = true;
      if (e.event === "ROLLBACK") restored.push(Float64Array.from(probe!.inputs[2]));
      if (e.event === "WARNING" && /rollbacks/.test(e.payload.message as string)) tuning = false;
    });
    const res = await runCertified(compiled, { certify: failingCertificates(fda(), () => tuning), tune: gapDial(), sinks: [sink] });
    compiled.dispose();

    const tokens = storyTokens(res.events);
    expect(tokens).toMatch(/PHASE_CHANGED:AMBER>GREEN (TUNER_MOVE_TRY:\d CERT_FAIL:tuning ROLLBACK TUNER_MOVE_REJECTED ){3}WARNING (CERT_PASS:polish )*CERT_PASS:final RUN_FINISHED$/);
    expect(res.events.filter((e) => e.event === "ROLLBACK").map((e) => e.payload.rollbacks)).toEqual([1, 2, 3]);
    expect(res.events.find((e) => e.event === "WARNING")!.payload.message).toBe("tuning stopped after 3 rollbacks");
    // every rollback returned to the one certified state, the GREEN one
    const green = sink.checkpoints.find((c) => c.good)!;
    for (const x of restored) expect(Array.from(x)).toEqual(Array.from(green.arrays.x));
    expect(res.runCard).toMatchObject({ rollbacks: 3, trials: 3, certified: true });
    expect(res.status).toBe("FINISHED");
  });

  test("no certificate after M attempts: RED and CERT_FAIL", async () => {
    const { spec, compiled } = compileStory({ dtype, lambda: LAMBDA_RED, policies: { control: { maxAttempts: 3 } } });
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial() });
    compiled.dispose();
    expect(storyTokens(res.events)).toBe(
      "RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_FAIL:feasibility TUNER_MOVE_TRY:0 CERT_FAIL:feasibility TUNER_MOVE_TRY:0 CERT_FAIL:feasibility PHASE_CHANGED:AMBER>RED WARNING RUN_FINISHED",
    );
    const fails = res.events.filter((e) => e.event === "CERT_FAIL");
    expect(fails.map((e) => e.payload.attempt)).toEqual([1, 2, 3]);
    expect(fails.map((e) => e.payload.lambda as number)).toEqual([LAMBDA_RED, 4 * LAMBDA_RED, 16 * LAMBDA_RED]);
    for (const f of fails) expect((f.payload.reasons as string[]).length).toBeGreaterThan(0);
    // the gate that failed: the scaled dominance of the active set, above η_max at every attempt
    for (const f of fails) expect((f.payload.reasons as string[]).some((r) => r.startsWith("η_dd") && r.includes(`η_max = ${DEFAULTS.certification.etaMax.toFixed(3)}`))).toBe(true);
    expect(res.events.find((e) => e.event === "WARNING")!.payload.message).toMatch(/M = 3/);
    expect(res.events[res.events.length - 1].payload).toMatchObject({ status: "CERT_FAIL", phase: "RED" });
    expect(res.status).toBe("CERT_FAIL");
    expect(res.phase).toBe("RED");
    expect(res.runCard).toMatchObject({ certified: false, trials: 0 });
    expectPayloadsFollowSchema(res.events);
  });

  test("an iteration budget that a validation run would overrun ends tuning with TIMEOUT(iterations)", async () => {
    // GREEN at iteration 60 (two 30-iteration attempts); a trial would reach 90 > 80
    const { spec, compiled } = compileStory({ dtype, policies: { budgets: { maxIters: 80, tol: 0, rtol: 0 } } });
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink] });
    compiled.dispose();
    const t = res.events.find((e) => e.event === "TIMEOUT")!;
    expect(t.payload).toEqual({ budget: "iterations", limit: 80, used: 60 });
    // the rest of the budget polishes; its first review point (GREEN + 50) lies beyond the budget,
    // so the final certificate is the one of the state at 80
    expect(storyTokens(res.events)).toMatch(/PHASE_CHANGED:AMBER>GREEN TIMEOUT CERT_PASS:final RUN_FINISHED$/);
    expect(res.certificates.at(-1)).toMatchObject({ iter: 80, stage: "final" });
    expect(res.status).toBe("FINISHED");
    expect(res.iters).toBe(80);
    expect(sink.rows.filter((r) => r.trialId !== null)).toEqual([]);
  });

  test("an abort ends the run CANCELLED with a valid capsule, resumable where it stood", async () => {
    const { spec, compiled } = compileStory({ dtype });
    const runsDir = mkdtempSync(join(tmpdir(), "cflow-cancel-"));
    const ac = new AbortController();
    const rows: TelemetryRow[] = [];
    const onRow = (r: TelemetryRow) => {
      rows.push(r);
      if (r.trialId === 2 && !ac.signal.aborted) ac.abort("stopped by the test in trial 2");
    };
    const rec = recorder({ runsDir, runId: `cancel-${dtype}` });
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [rec, { name: "rows", telemetry: onRow }], signal: ac.signal });
    compiled.dispose();

    expect(res.status).toBe("CANCELLED");
    // the state it stops at (mid-trial) is certified on its own before it is reported
    expect(storyTokens(res.events.slice(-4))).toBe("TUNER_MOVE_TRY:2 CERT_PASS:final CANCELLED RUN_FINISHED");
    expect(res.events.find((e) => e.event === "CANCELLED")!.payload).toEqual({ reason: "stopped by the test in trial 2" });
    // aborted within one iteration of the request
    expect(rows.filter((r) => r.trialId === 2)).toHaveLength(1);
    const dir = rec.runDir;
    const manifest = loadRunManifest(dir);
    expect(manifest).toMatchObject({ status: "CANCELLED", dtype, schema_version: SCHEMA_VERSION });
    expect(manifest.summary).toMatchObject({ status: "CANCELLED", iters: res.iters });
    const t = await queryRuns("SELECT count(*) AS n FROM telemetry", [dir]);
    expect(t[0].n).toBe(rows.length);
    const ev = await queryRuns("SELECT event, iter FROM events WHERE event <> 'CHECKPOINT_WRITTEN' ", [dir]);
    expect(ev.map((e) => e.event)).toEqual(res.events.map((e) => e.event));
    expect(JSON.parse(readFileSync(join(dir, "run_card.json"), "utf8"))).toEqual(res.runCard);
    // checkpointed where it stood: one iteration into trial 2 (not a certified state), before the final certificate
    const resumed = resumeRun(dir);
    const cutAt = rows.find((r) => r.trialId === 2)!.iter;
    expect(resumed.iter).toBe(cutAt);
    expect(resumed.good).toBe(false);
    expect(resumed.controllerState).toMatchObject({ stage: "tuning", trial: 2, inFlight: { kind: "trial", trial: 2, done: 1 } });
    expect(resumed.resumePoint.telemetryRows).toBe(rows.length - 1);
    rmSync(runsDir, { recursive: true, force: true });
  });

  test("an AbortSignal already aborted cancels before the first step", async () => {
    const { spec, compiled } = compileStory({ dtype });
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), signal: AbortSignal.abort(new Error("not today")) });
    compiled.dispose();
    expect(res.status).toBe("CANCELLED");
    expect(res.iters).toBe(0);
    expect(res.events.find((e) => e.event === "CANCELLED")!.payload).toEqual({ reason: "not today" });
  });
});

describe("wall-time budgets", () => {
  // On a virtual clock (test-hooks.ts): the budget runs out exactly where a hook advances it.
  let clock: ReturnType<typeof virtualClock>;
  beforeEach(() => {
    clock = virtualClock();
  });
  afterEach(() => clock.restore());

  /** A Gap Dial whose first proposal takes `ms` of the clock (the run is then over its budget). */
  function slowFirstProposal(ms: number): TunerHook {
    const inner = gapDial();
    let first = true;
    return {
      name: "slowGapDial",
      policy: {
        ...inner.policy,
        propose(state, ctx) {
          if (first) clock.advance(ms);
          first = false;
          return inner.policy.propose(state, ctx);
        },
      },
    };
  }

  test("the wall-time budget ends tuning with TIMEOUT, and the run with it; deterministic runs ignore it", async () => {
    const budget = 600;
    for (const deterministic of [false, true]) {
      const { compiled } = compileStory({ dtype: "float64", lambda: LAMBDA_GREEN, policies: { budgets: { wallTimeMs: budget } } });
      const sink = new MemorySink();
      const res = await runCertified(compiled, { certify: fda(), tune: slowFirstProposal(budget + 50), sinks: [sink], deterministic });
      compiled.dispose();
      if (deterministic) {
        expect(res.events.some((e) => e.event === "TIMEOUT" && e.payload.budget === "wall_time")).toBe(false);
        expect(res.status).toBe("FINISHED");
        continue;
      }
      const timeouts = res.events.filter((e) => e.event === "TIMEOUT");
      expect(timeouts).toHaveLength(1);
      expect(timeouts[0].payload).toMatchObject({ budget: "wall_time", limit: budget });
      expect(timeouts[0].payload.used as number).toBeGreaterThan(budget);
      // certified at the first attempt, one trial ran (its proposal outlasted the budget), then TIMEOUT
      expect(storyTokens(res.events)).toMatch(/CERT_PASS:feasibility PHASE_CHANGED:AMBER>GREEN TUNER_MOVE_TRY:1 CERT_PASS:tuning TUNER_MOVE_ACCEPTED TIMEOUT CERT_PASS:final RUN_FINISHED$/);
      expect(res.status).toBe("TIMEOUT");
      expect(res.phase).toBe("GREEN");
      // no polish after the budget ran out
      const lastTrialRow = sink.rows.map((r) => r.trialId).lastIndexOf(1);
      expect(sink.rows.slice(lastTrialRow + 1).every((r) => r.notes === "certificate evaluation")).toBe(true);
      expectPayloadsFollowSchema(res.events);
    }
  });

  test("a budget spent during certification ends the run TIMEOUT in AMBER", async () => {
    const { compiled } = compileStory({ dtype: "float64", policies: { budgets: { wallTimeMs: 150 } } });
    const res = await runCertified(compiled, { certify: slowCertificates(fda(), () => clock.advance(200)), tune: gapDial() });
    compiled.dispose();
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_FAIL:feasibility TUNER_MOVE_TRY:0 TIMEOUT RUN_FINISHED");
    expect(res.status).toBe("TIMEOUT");
    expect(res.phase).toBe("AMBER");
  });
});

describe.each(DTYPES)("a NaN is caught in the iteration that produced it (%s)", (dtype) => {
  /** The row of the first non-finite energy, and the events from its iteration on. */
  function nanRow(rows: TelemetryRow[]): TelemetryRow {
    const r = rows.find((x) => !Number.isFinite(x.E));
    expect(r).toBeDefined();
    return r!;
  }

  test("in the polish: rolled back to the last certified state, then the run stops (fail closed)", async () => {
    // certified at the first attempt (iteration 30), reviewed every 10 iterations, poisoned after 55
    const { spec, compiled, probe } = compileStory({ dtype, lambda: LAMBDA_GREEN, probe: true, policies: { certification: { every: 10 }, budgets: { tol: 0, rtol: 0 } } });
    const sink = new MemorySink();
    const onRow = (r: TelemetryRow) => {
      if (r.iter === 55 && r.notes === null) probe!.poison();
    };
    const res = await runCertified(compiled, { certify: fda(), sinks: [sink, { name: "rows", telemetry: onRow }], checkpointEvery: 10 });
    compiled.dispose();

    const bad = nanRow(sink.rows);
    expect(bad.iter).toBe(56);
    const rb = res.events.find((e) => e.event === "ROLLBACK")!;
    expect(rb.iter).toBe(56);
    // the last certificate before the NaN (40 or 50, as the cadence decided) is the last good state
    const certified = res.events.filter((e) => e.event === "CERT_PASS" && e.payload.stage === "polish").at(-1)!;
    expect([40, 50]).toContain(certified.iter);
    expect(rb.payload).toMatchObject({ to_iter: certified.iter, rollbacks: 1 });
    expect(rb.payload.reason).toMatch(/NaN\/Inf/);
    expect(storyTokens(res.events.slice(res.events.indexOf(rb)))).toBe("ROLLBACK WARNING CERT_PASS:final RUN_FINISHED");
    // no step after the bad one; the final state is the one certified last, bit for bit
    expect(sink.rows.slice(sink.rows.indexOf(bad) + 1).every((r) => r.notes === "certificate evaluation")).toBe(true);
    const atCert = sink.checkpoints.find((c) => c.iter === certified.iter)!;
    expect(atCert.good).toBe(true);
    expect(sameBits(res.x, atCert.arrays.x)).toBe(true);
    expect(res.iters).toBe(certified.iter);
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expect(Number.isFinite(res.energy)).toBe(true);
  });

  test("in a validation run: the move is rolled back and rejected, tuning goes on", async () => {
    const { spec, compiled, probe } = compileStory({ dtype, probe: true });
    let poisoned = false;
    const onRow = (r: TelemetryRow) => {
      if (r.trialId === 2 && !poisoned) {
        poisoned = true;
        probe!.poison();
      }
    };
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink, { name: "rows", telemetry: onRow }] });
    compiled.dispose();

    const bad = nanRow(sink.rows);
    expect(bad.trialId).toBe(2);
    const i = res.events.findIndex((e) => e.event === "ROLLBACK");
    expect(res.events[i].iter).toBe(bad.iter);
    expect(storyTokens(res.events.slice(i - 1, i + 3))).toBe("TUNER_MOVE_TRY:2 ROLLBACK TUNER_MOVE_REJECTED TUNER_MOVE_TRY:3");
    expect(res.events[i + 1].payload.reason).toBe("NaN/Inf in the state or energy during validation");
    expect(res.tunerHistory[1]).toMatchObject({ trial: 2, accepted: false, certificate: null });
    // exactly one non-finite step: the validation stopped there
    expect(sink.rows.filter((r) => !Number.isFinite(r.E))).toHaveLength(1);
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
  });

  test("before certification: rolled back, never certified, the run stops uncertified", async () => {
    const { spec, compiled, probe } = compileStory({ dtype, probe: true });
    const onRow = (r: TelemetryRow) => {
      if (r.iter === 5) probe!.poison();
    };
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink, { name: "rows", telemetry: onRow }] });
    compiled.dispose();
    expect(nanRow(sink.rows).iter).toBe(6);
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER ROLLBACK WARNING RUN_FINISHED");
    expect(res.events[3]).toMatchObject({ iter: 6, payload: { to_iter: 0, rollbacks: 1 } } as Partial<FlowEvent>);
    expect(res.status).toBe("CERT_FAIL");
    expect(res.phase).toBe("AMBER");
    expect(res.iters).toBe(0);
  });
});
