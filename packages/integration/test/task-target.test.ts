// The Gap Dial's task target end to end: the discrepancy principle on a small 1D deblur with a
// known σ lands λ where a dense fixed-λ sweep says ‖Kx − y‖² crosses τ·m·σ²; a run forced to stay
// at a huge λ says plainly that it is over-regularised; readings reach events, manifest and run card.
import { type Dtype, type PoliciesSpec, compileFlow, dataTerms, residualNormSq, resolveRun, runCertified } from "@cflow/core";
import { fda } from "@cflow/fda";
import { gapDial, taskTarget } from "@cflow/tuner";
import { describe, expect, it } from "vitest";
import { deconvolution } from "../src/deconvolution.js";
import { DTYPES, MemorySink } from "./test-hooks.js";

const NOISE = 0.05;
const problem = (lambda: number, policies: PoliciesSpec = {}, declareNoise = true) =>
  deconvolution({ shape: [512], sigma: 3, noise: NOISE, levels: 4, lambda, declareNoise, policies });

/**
 * Tuning policies of the test: the certificates' dominance gate is opened (η_max = 1e3; at this
 * noise level the supports near the crossing have η_dd ≈ 3–10 and the restricted γ is exact on
 * 512 coefficients) and validation runs are long enough for the small problem to settle.
 */
const TUNING: PoliciesSpec = { certification: { etaMax: 1e3 }, control: { validationIters: 150 }, budgets: { maxIters: 20_000, maxTrials: 30 } };

/** ‖Kx_λ − y‖²/(m σ²) at the fixed-λ minimiser (an uncertified run to convergence, no tuner). */
async function discrepancyAt(lambda: number, dtype: Dtype): Promise<number> {
  const { compiled } = compileFlow(problem(lambda), { dtype });
  const r = await runCertified(compiled, { config: resolveRun(compiled, { budgets: { maxIters: 3000, tol: 1e-13 } }) });
  const t = dataTerms(compiled)[0];
  const d = residualNormSq(t, r.state) / (t.m * NOISE * NOISE);
  compiled.dispose();
  return d;
}

/** Where the discrepancy crosses 1 on a dense log grid, interpolated in (log λ, log discrepancy). */
async function crossing(dtype: Dtype): Promise<number> {
  const grid = Array.from({ length: 17 }, (_, k) => 10 ** (-2 + k / 8)); // 0.01 … 1, 8 per decade
  let prev: { lambda: number; d: number } | null = null;
  for (const lambda of grid) {
    const d = await discrepancyAt(lambda, dtype);
    if (prev && prev.d <= 1 && d > 1) {
      const t = -Math.log(prev.d) / (Math.log(d) - Math.log(prev.d));
      return Math.exp(Math.log(prev.lambda) + t * (Math.log(lambda) - Math.log(prev.lambda)));
    }
    prev = { lambda, d };
  }
  throw new Error("the discrepancy does not cross 1 on the grid");
}

describe.each(DTYPES)("the discrepancy target (%s)", (dtype) => {
  it("lands λ within 10% of the λ where a dense fixed-λ sweep crosses τ·m·σ², from below and from above", async () => {
    const star = await crossing(dtype);
    for (const start of [star / 6, star * 5]) {
      const { compiled } = compileFlow(problem(start, TUNING), { dtype });
      const target = taskTarget(compiled)!;
      expect(target.describe()).toMatchObject({ name: "discrepancy", tau: 1, sigma: NOISE, sigma_source: "given", m: 512 });
      const r = await runCertified(compiled, { certify: fda(), tune: gapDial({ target }) });
      expect(r.status).toBe("FINISHED");
      expect(r.phase).toBe("GREEN");
      // it got there by certified moves only, each at most ±20%
      for (const t of r.tunerHistory) expect(Math.abs(t.to.lambda! / t.from.lambda! - 1)).toBeLessThanOrEqual(0.2 + 1e-12);
      expect(r.tunerHistory.every((t) => t.accepted)).toBe(true);
      expect(Math.abs(Math.log(r.dials.lambda! / star))).toBeLessThan(Math.log(1.1));
      const card = r.runCard as { target: { discrepancy: number; over_regularised: boolean } };
      expect(Math.abs(card.target.discrepancy - 1)).toBeLessThan(0.05);
      expect(card.target.over_regularised).toBe(false);
      compiled.dispose();
    }
  });
});

describe("over-regularised results", () => {
  it("a run kept at a huge λ by a tiny trial budget says so in a WARNING and its run card", async () => {
    const { compiled } = compileFlow(problem(50, { ...TUNING, budgets: { maxIters: 2000, maxTrials: 1 } }), { dtype: "float64" });
    const sink = new MemorySink();
    const r = await runCertified(compiled, { certify: fda(), tune: gapDial({ target: taskTarget(compiled)! }), sinks: [sink] });
    expect(r.phase).toBe("GREEN");
    expect(r.tunerHistory).toHaveLength(1);
    const card = r.runCard as { target: { discrepancy: number; over_regularised: boolean; warning: string } };
    expect(card.target.discrepancy).toBeGreaterThan(2);
    expect(card.target.over_regularised).toBe(true);
    expect(card.target.warning).toMatch(new RegExp(`^over-regularised: discrepancy ${card.target.discrepancy.toPrecision(3).replace(".", "\\.")}× the noise level`));
    const warnings = sink.events.filter((e) => e.event === "WARNING").map((e) => e.payload.message);
    expect(warnings).toContain(card.target.warning);
    compiled.dispose();
  });

  it("a run at the target gives no such warning", async () => {
    const { compiled } = compileFlow(problem(0.075, { ...TUNING, budgets: { maxIters: 2000, maxTrials: 2 } }), { dtype: "float64" });
    const sink = new MemorySink();
    await runCertified(compiled, { certify: fda(), tune: gapDial({ target: taskTarget(compiled)! }), sinks: [sink] });
    expect(sink.events.some((e) => e.event === "WARNING" && /over-regularised/.test(String(e.payload.message)))).toBe(false);
    compiled.dispose();
  });
});

describe("what a target run records", () => {
  it("events carry the discrepancy per certificate and trial; the manifest's extra holds the target, σ and its source", async () => {
    const { compiled } = compileFlow(problem(0.3, { ...TUNING, budgets: { maxIters: 3000, maxTrials: 3 } }, false), { dtype: "float64" });
    const sink = new MemorySink();
    await runCertified(compiled, { certify: fda(), tune: gapDial({ target: taskTarget(compiled)! }), sinks: [sink] });
    const extra = sink.info!.extra as { tuner_target: { name: string; sigma: number; sigma_source: string; tau: number } };
    expect(extra.tuner_target).toMatchObject({ name: "discrepancy", sigma_source: "estimated", tau: 1 });
    // σ̂ from 256 Haar coefficients of y: within 20% of the noise the data were made with
    expect(Math.abs(extra.tuner_target.sigma / NOISE - 1)).toBeLessThan(0.2);
    const trials = sink.events.filter((e) => e.event === "TUNER_MOVE_ACCEPTED" || e.event === "TUNER_MOVE_REJECTED");
    expect(trials).toHaveLength(3);
    for (const e of trials) {
      expect(e.payload.target).toBe("discrepancy");
      expect(typeof e.payload.discrepancy).toBe("number");
    }
    const certs = sink.events.filter((e) => (e.event === "CERT_PASS" || e.event === "CERT_FAIL") && e.payload.stage !== "polish");
    expect(certs.length).toBeGreaterThanOrEqual(4); // feasibility, 3 trials, final
    for (const e of certs) expect(typeof e.payload.discrepancy).toBe("number");
    // the reading is the residual's: recomputed from the final state
    const final = certs.at(-1)!;
    expect(final.payload.stage).toBe("final");
    const t = dataTerms(compiled)[0];
    const d = residualNormSq(t, sink.summary!.finalState!) / (t.m * extra.tuner_target.sigma ** 2);
    expect(final.payload.discrepancy).toBeCloseTo(d, 10);
    compiled.dispose();
  });
});

describe("per-band λ_j from the spec", () => {
  it("policies.gapDial.perBand seeds λ_j from band statistics, adjacent ratios in [0.5, 2], and the global λ then brackets the target", async () => {
    const { compiled } = compileFlow(problem(0.3, { ...TUNING, tuner: { perBand: true } }), { dtype: "float64" });
    const sink = new MemorySink();
    const r = await runCertified(compiled, { certify: fda(), tune: gapDial({ target: taskTarget(compiled)! }), sinks: [sink] });
    const seed = sink.events.find((e) => e.event === "TUNER_MOVE_TRY")!;
    expect(String(seed.payload.note)).toMatch(/^seed: λ_j seeded from median/);
    const lj = r.dials.lambdaJ!;
    expect(lj.some((v) => Math.abs(v - 1) > 1e-6)).toBe(true);
    for (let j = 0; j + 1 < lj.length; j++) expect(lj[j] / lj[j + 1]).toBeGreaterThanOrEqual(0.5 - 1e-12);
    for (let j = 0; j + 1 < lj.length; j++) expect(lj[j] / lj[j + 1]).toBeLessThanOrEqual(2 + 1e-12);
    // tuning moved the global λ only: every trial kept the seeded multipliers
    for (const t of r.tunerHistory) expect(t.to.lambdaJ).toEqual(lj);
    expect(Math.abs((r.runCard as { target: { discrepancy: number } }).target.discrepancy - 1)).toBeLessThan(0.05);
    compiled.dispose();
  });
});
