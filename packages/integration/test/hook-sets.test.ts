// The controller with no hooks, with only the FDA, and with every hook: each hook is optional,
// and what the run may do follows from which are present (no certificate → never GREEN, no
// tuner → never tunes). Hooks are checked for their role's methods, sinks are called in the
// documented order, and a hook's error names the hook and the method.
import { type CertificateHook, CflowError, FlowRunner, type RunConfig, type RunSink, resolveRun, runCertified, type TunerHook } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { describe, expect, test } from "vitest";
import { storyTokens } from "./event-tokens.js";
import { expectPayloadsFollowSchema } from "./schema-payloads.js";
import { compileStory } from "./story-problem.js";
import { DTYPES, MemorySink } from "./test-hooks.js";
import { sameBits } from "@cflow/test-kit";

describe.each(DTYPES)("hook sets (%s)", (dtype) => {
  test("no hooks: an uncertified run in AMBER, step for step the plain runner", async () => {
    const { spec, compiled } = compileStory({ dtype, policies: { budgets: { maxIters: 80, tol: 0, rtol: 0 } } });
    const rows: number[] = [];
    const res = await runCertified(compiled, { sinks: [{ name: "rows", telemetry: (r) => rows.push(r.E) }] });

    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER RUN_FINISHED");
    expect(res.events[3].payload).toMatchObject({ status: "FINISHED", phase: "AMBER", iters: 80 });
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("AMBER");
    expect(res.certificates).toEqual([]);
    expect(res.runCard).toMatchObject({ certified: false, checks: [], certificates: 0 });
    expect(res.dials.lambda).toBe(2e-3); // nobody widened it
    expectPayloadsFollowSchema(res.events);

    // the same 80 steps by the runner alone: the controller adds nothing to the flow
    const runner = new FlowRunner(compiled);
    const energies: number[] = [];
    for (let i = 0; i < 80; i++) energies.push(runner.step().E);
    expect(sameBits(runner.state, res.x)).toBe(true);
    expect(rows).toEqual(energies);
    runner.dispose();
    compiled.dispose();
  });

  test("only the FDA: certified without a tuner, never tuned, re-certified in the polish", async () => {
    const { spec, compiled } = compileStory({ dtype, lambda: 2.048, policies: { certification: { every: 20 }, budgets: { maxIters: 100, tol: 0, rtol: 0 } } });
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), sinks: [sink] });
    compiled.dispose();
    expect(storyTokens(res.events)).toMatch(/^RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_PASS:feasibility PHASE_CHANGED:AMBER>GREEN (CERT_PASS:polish )+CERT_PASS:final RUN_FINISHED$/);
    // polish certificates fall on review points, 20 iterations apart (the cadence itself: certificate-cadence.test.ts)
    const iters = res.events.filter((e) => e.event === "CERT_PASS").map((e) => e.iter);
    expect(iters[0]).toBe(30);
    expect(iters.at(-1)).toBe(100);
    for (const [i, k] of iters.slice(1, -1).entries()) expect((k - iters[i]) % 20).toBe(0);
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expect(res.tunerHistory).toEqual([]);
    expect(res.dials.lambda).toBe(2.048);
    // certificate rows carry η_dd and γ; step rows after GREEN are GREEN
    expect(sink.rows.filter((r) => r.etaDD !== null)).toHaveLength(iters.length);
    expect(sink.rows.filter((r) => r.iter > 30).every((r) => r.phase === "GREEN")).toBe(true);
    expectPayloadsFollowSchema(res.events);
  });

  test("only the FDA, not certifiable: stops in AMBER — there is no tuner to remediate", async () => {
    const { spec, compiled } = compileStory({ dtype });
    const res = await runCertified(compiled, { certify: fda() });
    compiled.dispose();
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_FAIL:feasibility WARNING RUN_FINISHED");
    expect(res.events[4].payload.message).toMatch(/no tuner hook/);
    expect(res.status).toBe("CERT_FAIL");
    expect(res.phase).toBe("AMBER");
  });

  test("every hook (FDA, Gap Dial, recorder sink): certified, tuned and recorded", async () => {
    const { spec, compiled } = compileStory({ dtype });
    const sink = new MemorySink("all-hooks");
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink] });
    compiled.dispose();
    expect(res.runId).toBe("all-hooks"); // the recorder names the run
    expect(sink.info).toMatchObject({ runId: "all-hooks", dtype, deterministic: false, gates: { etaMax: 6, gammaMin: 1e-6 }, frameType: "unitary", lensName: "db4" });
    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expect(res.tunerHistory.length).toBeGreaterThan(0);
    // the sink saw every event and row the run produced, and the summary
    expect(sink.events).toEqual(res.events);
    expect(sink.summary).toMatchObject({ status: "FINISHED", phase: "GREEN", iters: res.iters, finalEnergy: res.energy, runCard: res.runCard });
    expect(sameBits(sink.summary!.finalState.x, res.x)).toBe(true);
    expect(sink.checkpoints[0]).toMatchObject({ iter: 0, good: false, phase: "AMBER" });
    expect(sink.checkpoints.filter((c) => c.good).length).toBeGreaterThan(0);
  });

  test("policies.tuner.perBand in the spec reaches the tuner: λ_j seeded from band statistics; a run's config overrides it", async () => {
    const { compiled } = compileStory({ dtype, policies: { tuner: { perBand: true } } });
    const seeds = async (config?: RunConfig) => {
      const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), config, stopAfterCertification: true });
      return { seed: res.events.find((e) => e.event === "TUNER_MOVE_TRY" && e.payload.trial === 0 && String(e.payload.note).startsWith("seed:")), dials: res.dials };
    };
    const on = await seeds();
    expect(on.seed?.payload.note).toMatch(/^seed: λ_j seeded from median\(\|W_j x\|\)·1, adjacent ratios kept in \[0\.5, 2\]/);
    const lambdaJ = (on.seed!.payload.to as { lambda_j: number[] }).lambda_j;
    expect(lambdaJ).toHaveLength(4);
    expect(new Set(lambdaJ).size).toBeGreaterThan(1);
    for (let j = 0; j + 1 < lambdaJ.length; j++) expect(lambdaJ[j] / lambdaJ[j + 1]).toBeGreaterThanOrEqual(0.5 - 1e-12);
    // the same flow, the override switching it off: the spec's weights stay, nothing is seeded
    const off = await seeds(resolveRun(compiled, { tuner: { perBand: false } }));
    expect(off.seed).toBeUndefined();
    expect(off.dials.lambdaJ).toEqual([1, 1, 1, 1]);
    compiled.dispose();
  });

  test("a hook without the methods of its role is refused before anything runs, naming it and what it lacks", async () => {
    const { compiled } = compileStory({ dtype });
    const sink = new MemorySink();
    await expect(runCertified(compiled, { certify: { name: "nope" } as unknown as CertificateHook, sinks: [sink] })).rejects.toThrow(/options\.certify \(nope\) is not a certificate hook: it lacks certify, descentViolation/);
    const { restoreState: _, ...saveOnly } = fda();
    await expect(runCertified(compiled, { certify: { ...saveOnly, name: "half" } as CertificateHook })).rejects.toThrow(/options\.certify \(half\) is not a certificate hook: it lacks restoreState/);
    await expect(runCertified(compiled, { tune: { name: "t", policy: { propose() {} } } as unknown as TunerHook })).rejects.toThrow(/options\.tune \(t\) is not a tuner hook: it lacks init, seed, remediate, update/);
    await expect(runCertified(compiled, { sinks: [{ telemetry() {} } as unknown as RunSink] })).rejects.toThrow(/options\.sinks\[0\] is not a sink: it has no name/);
    expect(sink.info).toBeNull();
    compiled.dispose();
  });

  test("sinks are called in the documented order, each in the order given", async () => {
    const { compiled } = compileStory({ dtype, lambda: 2.048, policies: { budgets: { maxIters: 60, tol: 0, rtol: 0 } } });
    const calls: string[] = [];
    const logger = (name: string): RunSink => ({
      name,
      start: async () => void calls.push(`${name}.start`),
      event: (e) => void calls.push(`${name}.event:${e.event}`),
      telemetry: (r) => void calls.push(`${name}.telemetry:${r.iter}`),
      flushDue: () => true,
      flush: async () => void calls.push(`${name}.flush`),
      checkpoint: async (c) => void calls.push(`${name}.checkpoint:${c.iter}`),
      finish: async (f) => void calls.push(`${name}.finish:${f.status}`),
    });
    const res = await runCertified(compiled, { certify: fda(), sinks: [logger("a"), logger("b")] });
    compiled.dispose();
    expect(res.status).toBe("FINISHED");
    // every call reaches a, then b
    const a = calls.filter((c) => c.startsWith("a."));
    expect(calls.filter((c) => c.startsWith("b."))).toEqual(a.map((c) => `b${c.slice(1)}`));
    for (let i = 0; i + 1 < calls.length; i += 2) expect(calls[i + 1]).toBe(`b${calls[i].slice(1)}`);
    // start first, then RUN_STARTED; the last event is RUN_FINISHED, then the final checkpoint, then finish
    expect(a[0]).toBe("a.start");
    expect(a[1]).toBe("a.event:RUN_STARTED");
    expect(a.slice(-3)).toEqual(["a.event:RUN_FINISHED", "a.checkpoint:60", "a.finish:FINISHED"]);
    // a due sink is flushed after every step, once the step's row is recorded
    const steps = a.filter((c) => /^a\.telemetry/.test(c)).length;
    expect(a.filter((c) => c === "a.flush").length).toBeGreaterThanOrEqual(60);
    expect(steps).toBeGreaterThanOrEqual(60);
    expect(a[a.indexOf("a.telemetry:1") + 1]).toBe("a.flush");
  });

  test("an error thrown by a hook ends the run ERROR, tagged with the hook's name and the method", async () => {
    const { compiled } = compileStory({ dtype, lambda: 2.048, policies: { budgets: { maxIters: 60, tol: 0, rtol: 0 } } });
    const sink = new MemorySink();
    const bad: RunSink = {
      name: "bad-sink",
      telemetry(r) {
        if (r.iter === 5) throw new TypeError("row 5 is one too many");
      },
    };
    const err = await runCertified(compiled, { certify: fda(), sinks: [sink, bad] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CflowError);
    expect(err).toMatchObject({ code: "HOOK_FAILED", message: "bad-sink.telemetry failed: row 5 is one too many", details: { hook: "bad-sink.telemetry" } });
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    expect(sink.summary).toMatchObject({ status: "ERROR" });
    expect(sink.events.find((e) => e.event === "WARNING")!.payload).toEqual({ message: "bad-sink.telemetry failed: row 5 is one too many", source: "bad-sink.telemetry" });
    // a CflowError keeps its code and message, and says where it came from
    const failing: CertificateHook = {
      name: "picky",
      certify() {
        throw new CflowError("NOT_TODAY", "picky refuses", { path: "gates" });
      },
      descentViolation: () => 0,
    };
    const err2 = await runCertified(compiled, { certify: failing }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: "NOT_TODAY", message: "picky refuses", details: { path: "gates", hook: "picky.certify" } });
    compiled.dispose();
  });
});
