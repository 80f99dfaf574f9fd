// docs/design.md §7, "the naive flow fails certification": plain least-squares deconvolution stops in
// AMBER with CERT_FAIL (γ ≈ 0) and never tunes; with wavelet-L1 the Gap Dial raises λ until the
// restricted certificates pass, the run turns GREEN, tunes under certificates and converges.
import { DEFAULTS, gaussianKernel2d, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial } from "@cflow/tuner";
import { describe, expect, test } from "vitest";
import { expectPayloadsFollowSchema } from "./schema-payloads.js";
import { compileStory, STORY_SIZE, STORY_TUNER } from "./story-problem.js";
import { storyTokens } from "./event-tokens.js";
import { DTYPES, MemorySink } from "./test-hooks.js";

/**
 * γ of the naive flow from first principles: W is orthonormal (db4, periodised) and K a circular
 * convolution, so spec(W KᵀK Wᵀ) = { |K̂(k₁, k₂)|² }, the squared DFT of the point-spread function.
 */
function naiveGammaByDft(n: number, dtype: "float32" | "float64"): number {
  const psf = gaussianKernel2d(2, dtype);
  const m = Math.round(Math.sqrt(psf.length));
  let min = Infinity;
  for (let k1 = 0; k1 < n; k1++) {
    for (let k2 = 0; k2 < n; k2++) {
      let re = 0;
      let im = 0;
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < m; b++) {
          const ph = (-2 * Math.PI * (k1 * a + k2 * b)) / n;
          re += psf[a * m + b] * Math.cos(ph);
          im += psf[a * m + b] * Math.sin(ph);
        }
      }
      min = Math.min(min, re * re + im * im);
    }
  }
  return min;
}

describe.each(DTYPES)("the naive flow fails certification (%s)", (dtype) => {
  test("least squares alone stops in AMBER with CERT_FAIL (γ ≈ 0) and never tunes", async () => {
    const { spec, compiled } = compileStory({ dtype, lambda: null });
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink] });
    compiled.dispose();

    expect(res.status).toBe("CERT_FAIL");
    expect(res.phase).toBe("AMBER");
    expect(storyTokens(res.events)).toBe("RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER CERT_FAIL:feasibility WARNING RUN_FINISHED");
    const fail = res.events.find((e) => e.event === "CERT_FAIL")!.payload;
    // the full operator: no sparsity prox, so no active set to restrict to
    expect(fail.size).toBe(STORY_SIZE * STORY_SIZE);
    expect(fail.attempt).toBe(1);
    const gammaTrue = naiveGammaByDft(STORY_SIZE, dtype);
    expect(gammaTrue).toBeLessThan(1e-12);
    expect(Math.abs((fail.gamma as number) - gammaTrue)).toBeLessThan(dtype === "float64" ? 1e-12 : 1e-5);
    expect(fail.gamma as number).toBeLessThan(1e-6);
    const reasons = fail.reasons as string[];
    expect(reasons.some((r) => r.startsWith("γ") && r.includes("γ_min"))).toBe(true);
    expect(reasons.some((r) => r.startsWith("η_dd"))).toBe(true);
    expect(res.events.find((e) => e.event === "WARNING")!.payload.message).toMatch(/stops in AMBER/);
    // never tuned: no move, no trial, no tuner history, the dials as the spec set them
    expect(res.events.filter((e) => e.event.startsWith("TUNER_"))).toEqual([]);
    expect(res.tunerHistory).toEqual([]);
    expect(res.dials.lambda).toBeNull();
    expect(res.runCard).toMatchObject({ certified: false, status: "CERT_FAIL", phase: "AMBER", trials: 0 });
    expectPayloadsFollowSchema(res.events);
    // telemetry: the warm-up iterations (phase AMBER) and the certificate row
    expect(sink.rows.every((r) => r.phase === "AMBER" && r.trialId === null)).toBe(true);
    expect(sink.rows.filter((r) => r.gamma !== null).map((r) => r.gamma)).toEqual([fail.gamma]);
  });
});

describe.each(DTYPES)("the wavelet-L1 flow is certified by the Gap Dial (%s)", (dtype) => {
  test("λ widens until the restricted certificates pass, the run turns GREEN, tunes and converges", async () => {
    // the gate admits λ from 8e-3 down to ~5e-4: tuning walks that range in ±20% trials of 30
    // iterations (~550 iterations), so the polish gets a budget of its own to converge in
    const maxIters = 1200;
    const { spec, compiled } = compileStory({ dtype, policies: { budgets: { maxIters, rtol: 0 } } });
    const sink = new MemorySink();
    const res = await runCertified(compiled, { certify: fda(), tune: gapDial(), sinks: [sink] });
    const tokens = storyTokens(res.events);

    expect(res.status).toBe("FINISHED");
    expect(res.phase).toBe("GREEN");
    expect(tokens).toMatch(
      new RegExp(
        "^RUN_STARTED FLOW_POLICY_APPLIED PHASE_CHANGED:RED>AMBER " +
          "(CERT_FAIL:feasibility TUNER_MOVE_TRY:0 )+CERT_PASS:feasibility PHASE_CHANGED:AMBER>GREEN " +
          "(TUNER_MOVE_TRY:[1-9]\\d* (CERT_PASS:tuning TUNER_MOVE_ACCEPTED|CERT_FAIL:tuning ROLLBACK TUNER_MOVE_REJECTED) )+" +
          // tuning ends by N_no_improve, the trial budget, or (WARNING) the rollback cap
          "(WARNING )?(CERT_PASS:polish )*CERT_PASS:final RUN_FINISHED$",
      ),
    );
    expectPayloadsFollowSchema(res.events);

    // Phase 1: each failed attempt widens λ ×4 and shrinks the active set the certificates see
    const feas = res.events.filter((e) => e.payload.stage === "feasibility");
    const remediations = res.events.filter((e) => e.event === "TUNER_MOVE_TRY" && e.payload.trial === 0);
    expect(remediations).toHaveLength(feas.length - 1);
    feas.forEach((e, k) => {
      expect(e.payload.lambda).toBeCloseTo(2e-3 * STORY_TUNER.widenFactor ** k, 15);
      if (k < feas.length - 1) {
        expect(e.event).toBe("CERT_FAIL");
        expect(e.payload.attempt).toBe(k + 1);
        expect((e.payload.reasons as string[]).length).toBeGreaterThan(0);
        const from = remediations[k].payload.from as { lambda: number };
        const to = remediations[k].payload.to as { lambda: number };
        expect(to.lambda / from.lambda).toBeCloseTo(STORY_TUNER.widenFactor, 12);
        expect(to.lambda).toBe(feas[k + 1].payload.lambda);
        // restricted: the operator is the active set's, smaller at every widening
        expect(e.payload.size as number).toBeGreaterThan(feas[k + 1].payload.size as number);
      }
    });
    expect(feas.length).toBeGreaterThan(1);
    const green = feas[feas.length - 1].payload;
    const { etaMax, gammaMin } = DEFAULTS.certification;
    expect(green.eta_dd as number).toBeLessThanOrEqual(etaMax);
    expect(green.gamma as number).toBeGreaterThanOrEqual(gammaMin);
    expect(green.size as number).toBeLessThan(STORY_SIZE * STORY_SIZE);

    // Phase 2: no trial before GREEN; every move capped at ±20%; every verdict follows its certificate
    const greenAt = res.events.findIndex((e) => e.event === "PHASE_CHANGED" && e.payload.to === "GREEN");
    expect(res.events.findIndex((e) => e.event === "TUNER_MOVE_TRY" && (e.payload.trial as number) > 0)).toBeGreaterThan(greenAt);
    const trials = res.events.filter((e) => e.event === "TUNER_MOVE_TRY" && (e.payload.trial as number) > 0);
    expect(trials.length).toBeGreaterThan(0);
    expect(res.tunerHistory.map((t) => t.trial)).toEqual(trials.map((t) => t.payload.trial));
    for (const t of trials) {
      const from = (t.payload.from as { lambda: number }).lambda;
      const to = (t.payload.to as { lambda: number }).lambda;
      expect(Math.abs(to - from) / from).toBeLessThanOrEqual(0.2 + 1e-12);
    }
    for (const h of res.tunerHistory) {
      expect(h.accepted).toBe(h.certificate!.pass);
      expect(h.certificate!.etaDD <= etaMax && h.certificate!.gamma >= gammaMin).toBe(h.accepted);
    }
    const rejected = res.events.filter((e) => e.event === "TUNER_MOVE_REJECTED");
    const rollbacks = res.events.filter((e) => e.event === "ROLLBACK");
    expect(rejected.length).toBeGreaterThan(0); // λ lowered too far: the certificates caught it
    expect(rollbacks).toHaveLength(rejected.length);
    expect(rollbacks.map((e) => e.payload.rollbacks)).toEqual(rollbacks.map((_, i) => i + 1));

    // Phase 3: converged — the run stopped on the energy tolerance, before the iteration budget
    expect(res.iters).toBeLessThan(maxIters);
    const steps = sink.rows.filter((r) => r.notes === null);
    const last = steps[steps.length - 1];
    // the step before it (after a rollback the latest row of that iteration is the restored state's)
    const prev = steps.slice(0, -1).reverse().find((r) => r.iter === last.iter - 1)!;
    expect(last.phase).toBe("GREEN");
    expect(Math.abs(prev.E - last.E) / Math.abs(prev.E)).toBeLessThan(dtype === "float64" ? 1e-10 : 16 * 2 ** -23);
    expect(last.gradNorm).toBeLessThan(steps[0].gradNorm * 1e-3);
    expect(last.E).toBeCloseTo(res.energy, 12);
    // the final state is a fixed point of the prox-gradient map at the final dials
    const x = res.x;
    const alpha = res.dials.alpha;
    const z = compiled.fGrad(x);
    for (let i = 0; i < z.length; i++) z[i] = x[i] - alpha * z[i];
    const W = compiled.W!;
    const xNext = W.inverse(compiled.gProx(W.forward(z), alpha));
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      num += (x[i] - xNext[i]) ** 2;
      den += x[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(dtype === "float64" ? 1e-6 : 1e-4);
    expect(res.runCard).toMatchObject({ certified: true, status: "FINISHED", phase: "GREEN", rollbacks: rollbacks.length, trials: trials.length });
    // Lyapunov descent held at every step (no warning in the telemetry, a passing check in the run card)
    expect(sink.rows.flatMap((r) => r.warnings)).toEqual([]);
    expect((res.runCard as { checks: { check: string; pass: boolean }[] }).checks.find((c) => c.check === "lyapunov")!.pass).toBe(true);
    compiled.dispose();
  });
});
