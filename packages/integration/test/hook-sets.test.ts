// The controller with no hooks, with only the FDA, and with every hook: each port is optional,
// and what the run may do follows from which are present (no certificate → never GREEN, no
// tuner → never tunes).
import { FlowRunner, runCertified, sortHooks } from "@cflow/core";
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
    const { spec, compiled } = compileStory({ dtype, policies: { budgets: { maxIters: 80, tol: 0 } } });
    const rows: number[] = [];
    const res = await runCertified(spec, compiled, { onRow: (r) => rows.push(r.E) });

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
    const { spec, compiled } = compileStory({ dtype, lambda: 2.048, policies: { certification: { every: 20 }, budgets: { maxIters: 100, tol: 0 } } });
    const sink = new MemorySink();
    const res = await runCertified(spec, compiled, { hooks: [fda(), sink] });
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
    const res = await runCertified(spec, compiled, { hooks: [fda()] });
    compiled.dispose();
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_FAIL:feasibility WARNING RUN_FINISHED");
    expect(res.events[4].payload.message).toMatch(/no tuner hook/);
    expect(res.status).toBe("CERT_FAIL");
    expect(res.phase).toBe("AMBER");
  });

  test("every hook (FDA, Gap Dial, recorder sink): certified, tuned and recorded", async () => {
    const { spec, compiled } = compileStory({ dtype });
    const sink = new MemorySink("all-hooks");
    const res = await runCertified(spec, compiled, { hooks: [sink, gapDial(), fda()] });
    compiled.dispose();
    expect(res.runId).toBe("all-hooks"); // the recorder names the run
    expect(sink.info).toMatchObject({ runId: "all-hooks", dtype, deterministic: false, gates: { etaMax: 0.9, gammaMin: 1e-6 }, frameType: "unitary", lensName: "db4" });
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

  test("hooks are sorted by the port they implement; a second hook of one port or a foreign object is refused", () => {
    const f = fda();
    const g = gapDial();
    const s = new MemorySink();
    expect(sortHooks([s, g, f])).toEqual({ certificates: f, tuner: g, recorders: [s] });
    expect(() => sortHooks([fda(), fda({ name: "fda2" })])).toThrow(/two certificate hooks given: fda and fda2/);
    expect(() => sortHooks([{ name: "nope" }])).toThrow(/hooks\[0\] \(nope\) implements no cflow port/);
  });
});
