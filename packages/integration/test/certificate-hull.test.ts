// Certificate hulls (packages/core/src/controller/certificate-hull.ts): a tuning or polish
// certificate whose support the last good one does not cover is first taken on the support plus
// the coefficients near their threshold; the supports that follow inside it inherit its
// certificate, and a hull that fails falls back to the support alone. Real FDA certificates on the
// 32×32 story deconvolution, checked against dense eigenvalues of the restricted operators.
import { type CertificateContext, type CertificateHook, type FlowEvent, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { jacobiEigen } from "@cflow/test-kit";
import { gapDial } from "@cflow/tuner";
import { describe, expect, test } from "vitest";
import { expectPayloadsFollowSchema } from "./schema-payloads.js";
import { compileStory } from "./story-problem.js";

const certEvents = (events: FlowEvent[]) => events.filter((e) => e.event === "CERT_PASS" || e.event === "CERT_FAIL");

/** The fda hook, recording every context it is handed and the verdict it gave. */
function recording() {
  const inner = fda();
  const calls: { ctx: CertificateContext; support: number[]; pass: boolean; gamma: number; route: string }[] = [];
  const hook: CertificateHook = {
    name: "fda",
    certify(ctx) {
      const c = inner.certify(ctx);
      const support: number[] = [];
      ctx.coefficients!.forEach((v, i) => v !== 0 && support.push(i));
      calls.push({ ctx, support, pass: c.pass, gamma: c.gamma, route: c.route });
      return c;
    },
    descentViolation: (a, b, o) => inner.descentViolation(a, b, o),
  };
  return { hook, calls };
}

/** λ_min of W L Wᵀ restricted to `support`, from the dense matrix (one operator application per column). */
function denseLambdaMin(ctx: CertificateContext, support: number[]): number {
  const W = ctx.W!;
  const m = W.coeffSize;
  const cols = support.map((j) => {
    const e = new Float64Array(m);
    e[j] = 1;
    const out = new Float64Array(ctx.n);
    ctx.L_apply(Float64Array.from(W.inverse(e)), out);
    return Float64Array.from(W.forward(out));
  });
  // entry (r, c) = (W L Wᵀ)[support[r], support[c]], symmetrised
  const A = support.map((i, r) => support.map((j, c) => 0.5 * (cols[c][i] + cols[r][j])));
  return Math.min(...jacobiEigen(A).values);
}

/** The story problem run certified with a recording hook and the Gap Dial: its result, CERT_* events and every hook call. */
async function runStory(policies: Parameters<typeof compileStory>[0]["policies"]) {
  const { compiled } = compileStory({ dtype: "float64", policies });
  const { hook, calls } = recording();
  const res = await runCertified(compiled, { certify: hook, tune: gapDial() });
  return { compiled, res, calls, certs: certEvents(res.events) };
}

describe("certificate hulls (float64)", () => {
  test("a hull that passes covers the supports that follow: they inherit, and its γ lies below the dense λ_min of each", async () => {
    const { compiled, res, calls, certs } = await runStory({ budgets: { maxIters: 400, rtol: 0 } });
    expect(res).toMatchObject({ status: "FINISHED", phase: "GREEN" });
    expectPayloadsFollowSchema(res.events);
    // where each fresh verdict's time went: the hook's phases, within the verdict's whole time
    const fresh = certs.filter((e) => e.payload.route !== "inherited" && e.payload.method === "exact");
    expect(fresh.length).toBeGreaterThan(0);
    for (const e of fresh) {
      const phases = e.payload.phase_ms as { [phase: string]: number };
      expect(Object.keys(phases)).toEqual(expect.arrayContaining(["assemble", "dominance"]));
      for (const v of Object.values(phases)) expect(v).toBeGreaterThanOrEqual(0);
      expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(e.payload.ms as number);
    }
    // an inherited verdict computes nothing (a failed hull's evaluation aside)
    for (const e of certs) if (e.payload.route === "inherited" && e.payload.hull_pass !== false) expect(e.payload.phase_ms).toBeUndefined();
    const hulls = certs.filter((e) => e.payload.hull_pass === true);
    expect(hulls.length).toBeGreaterThan(0);
    for (const e of hulls) {
      // the certificate is of the hull, which holds the state's active set
      expect(e.payload.size).toBe(e.payload.hull_size);
      expect(e.payload.size as number).toBeGreaterThan(e.payload.active as number);
    }
    // every passing hull call: γ is a lower bound of λ_min on the hull and on every support it covers
    const passedHulls = calls.filter((c) => c.pass && c.route !== "inherited" && certs.some((e) => e.payload.hull_pass === true && e.payload.size === c.support.length));
    expect(passedHulls.length).toBeGreaterThan(0);
    let inherited = 0;
    for (const h of passedHulls) {
      const lm = denseLambdaMin(h.ctx, h.support);
      expect(h.gamma).toBeLessThanOrEqual(lm * (1 + 1e-9));
      const inside = new Set(h.support);
      for (const c of calls) {
        if (c === h || c.route !== "inherited" || !c.support.every((i) => inside.has(i))) continue;
        inherited++;
        expect(c.gamma).toBeLessThanOrEqual(denseLambdaMin(c.ctx, c.support) * (1 + 1e-9));
      }
    }
    // some supports after a hull needed no certificate of their own
    expect(inherited).toBeGreaterThan(0);
    compiled.dispose(); // (the dense checks apply the run's operator)
  });

  test("a hull that fails falls back to the support alone, which decides; the stage tries no further hull", async () => {
    // δ = 0.99 takes nearly all of W-space, where the blur's near-null space fails the gates
    const { compiled, res, calls, certs } = await runStory({ certification: { hull: 0.99 }, budgets: { maxIters: 400, rtol: 0 } });
    expect(res).toMatchObject({ status: "FINISHED", phase: "GREEN" });
    expectPayloadsFollowSchema(res.events);
    const failed = certs.filter((e) => e.payload.hull_pass === false);
    expect(failed.length).toBeGreaterThan(0);
    // at most one failed hull per stage (tuning, polish)
    expect(failed.filter((e) => e.payload.stage === "tuning").length).toBeLessThanOrEqual(1);
    expect(failed.filter((e) => e.payload.stage === "polish").length).toBeLessThanOrEqual(1);
    for (const e of failed) {
      // the verdict is the active set's own; the hull's call failed, and it was larger
      expect(e.payload.size).toBe(e.payload.active);
      expect(e.payload.hull_size as number).toBeGreaterThan(e.payload.active as number);
      const hullCall = calls.find((c) => c.support.length === e.payload.hull_size);
      expect(hullCall?.pass).toBe(false);
    }
    const after = certs.filter((e) => e.payload.stage === failed[0].payload.stage && e.iter > failed[0].iter);
    expect(after.every((e) => e.payload.hull_size === undefined)).toBe(true);
    // one verdict per event: the failed hull's evaluation is counted in it, not as a certificate of its own
    expect(calls.length).toBe(certs.length + failed.length);
    compiled.dispose();
  });

  test("hull 0: every certificate is taken on the active set alone", async () => {
    const { compiled, res, calls, certs } = await runStory({ certification: { hull: 0 }, budgets: { maxIters: 300, rtol: 0 } });
    compiled.dispose();
    expect(res.phase).toBe("GREEN");
    expect(certs.every((e) => e.payload.hull_size === undefined && e.payload.size === e.payload.active)).toBe(true);
    expect(calls.length).toBe(certs.length);
  });
});
