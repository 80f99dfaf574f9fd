import { type Certificate, CflowError, DEFAULTS, type Dials, type Json, type TunerContext, type TunerPolicy, type TunerPolicyDef, Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { tuneDenoiser } from "../examples/golden-section.js";
import { goldenSection, goldenSectionPolicy, policiesPlugin } from "../src/index.js";

function ctx(dials: Dials, over: Partial<TunerContext> = {}): TunerContext {
  return {
    dials,
    limits: { alphaMax: 2, lambdaCap: 10, moveCap: 0.2, ratioBounds: [0.5, 2] },
    bandStats: null,
    options: DEFAULTS.tuner,
    iter: 0,
    key: [1, 2],
    ...over,
  };
}

function certificate(pass: boolean): Certificate {
  return {
    etaDD: pass ? 0.5 : 2,
    dominance: "plain",
    gamma: pass ? 1e-3 : 1e-9,
    route: "gershgorin",
    failureProbability: 0,
    gammaGershgorin: -1,
    lambdaMax: 1,
    method: "exact",
    size: 10,
    pass,
    violations: pass ? [] : [{ gate: "gamma", value: 1e-9, threshold: 1e-6, message: "γ = 1e-9 below γ_min = 1e-6" }],
    reasons: pass ? [] : ["γ = 1e-9 below γ_min = 1e-6"],
    notes: [],
    errorBar: null,
    cost: { applications: 0, ms: 0 },
    diagnostics: {},
  };
}

interface Oracle {
  /** The synthetic certificate gate: which λ certify. */
  certified(lambda: number): boolean;
  /** The synthetic task metric after a validation run at λ (lower is better). */
  metric(lambda: number): number;
}

interface Trace {
  proposals: number[];
  accepted: boolean[];
  final: number;
  state: Json;
  note: string;
}

/**
 * Drives a policy the way the controller's Phase 2 does: propose from the current dials, check the
 * per-trial cap (the controller's hard gate), certify with the oracle, report the outcome, and move
 * the dials only on acceptance (a rejected move is rolled back).
 */
function drive(policy: TunerPolicy, oracle: Oracle, start: { lambda: number; state?: Json }, maxTrials = 300, stopAfter = Infinity): Trace {
  let dials: Dials = { lambda: start.lambda, lambdaJ: null, alpha: 0.5 };
  let state = start.state ?? policy.init(ctx(dials));
  const trace: Trace = { proposals: [], accepted: [], final: start.lambda, state, note: "" };
  for (let trial = 1; trial <= maxTrials && trial <= stopAfter; trial++) {
    const r = policy.propose(state, ctx(dials));
    state = r.state;
    trace.note = r.note;
    if (!r.dials) break;
    const to = r.dials.lambda!;
    const rel = Math.abs(to - dials.lambda!) / dials.lambda!;
    if (!(rel <= 0.2 * (1 + 1e-12))) expect.fail(`trial ${trial}: λ ${dials.lambda} → ${to} moves ${(100 * rel).toFixed(3)}%, above the ±20% cap`);
    expect(to).toBeLessThanOrEqual(10);
    const accepted = oracle.certified(to);
    trace.proposals.push(to);
    trace.accepted.push(accepted);
    state = policy.update(state, {
      trial,
      from: dials,
      to: r.dials,
      certificate: certificate(accepted),
      accepted,
      metric: accepted ? oracle.metric(to) : null,
      energy: 1,
      reason: accepted ? "certificates hold" : "certificates failed: γ below γ_min",
    });
    if (accepted) dials = r.dials;
  }
  trace.final = dials.lambda!;
  trace.state = state;
  return trace;
}

const valley = (at: number) => (lambda: number) => (Math.log(lambda) - Math.log(at)) ** 2 + 0.3 * Math.abs(Math.log(lambda) - Math.log(at));

describe("golden-section tuner policy", () => {
  const registry = new Registry();
  registry.use(policiesPlugin);

  it("is registered as a tuner policy and created through the registry", () => {
    expect(registry.list()).toEqual([{ namespace: "policies", name: "goldenSection", provider: { plugin: "@cflow/plugin-policies", version: "0.1.0" } }]);
    const def = registry.policies.get("goldenSection") as TunerPolicyDef;
    expect(def.kind).toBe("tuner");
    const policy = def.create({ tol: 0.01 });
    expect(policy.name).toBe("goldenSection");
    expect(() => registry.policies.get("golden-sectoin")).toThrow(/did you mean "goldenSection"/);
  });

  it("converges to the metric's minimum inside the certified region, in capped and certified steps", () => {
    const policy = (registry.policies.get("goldenSection") as TunerPolicyDef).create({ tol: 0.01 });
    for (const [lambda0, best] of [
      [0.05, 0.12],
      [0.3, 0.031],
      [0.02, 0.02 * 1.7],
    ]) {
      const t = drive(policy, { certified: (l) => l >= 0.004, metric: valley(best) }, { lambda: lambda0 });
      expect((t.state as { phase: string }).phase).toBe("done");
      expect(t.note).toMatch(/converged/);
      expect(Math.abs(Math.log(t.final / best))).toBeLessThan(Math.log(1.02));
      expect(t.accepted.every(Boolean)).toBe(true);
      expect(t.proposals.length).toBeLessThan(60);
    }
  });

  it("stops at the edge of the certified region when the unconstrained minimum is uncertified", () => {
    const policy = goldenSectionPolicy({ tol: 0.01 });
    const edge = 0.03;
    const t = drive(policy, { certified: (l) => l >= edge, metric: valley(0.004) }, { lambda: 0.06 });
    expect((t.state as { phase: string }).phase).toBe("done");
    expect(t.final).toBeGreaterThanOrEqual(edge);
    expect(t.final / edge).toBeLessThan(1.03);
    // rejected moves happened (the walk hit the gate) and each one shrank the bracket from below
    expect(t.accepted.filter((a) => !a).length).toBeGreaterThan(0);
    const rejected = t.proposals.filter((_, i) => !t.accepted[i]);
    for (const r of rejected) expect(r).toBeLessThan(edge);
    // after a rejection the search never proposes at or below that λ again
    rejected.forEach((r) => {
      const after = t.proposals.slice(t.proposals.indexOf(r) + 1);
      for (const p of after) expect(p).toBeGreaterThan(r);
    });
    // the best certified λ among a fine grid of the bracket agrees
    let grid = edge;
    for (let l = edge; l < 0.6; l *= 1.001) if (valley(0.004)(l) < valley(0.004)(grid)) grid = l;
    expect(t.final / grid).toBeLessThan(1.03);
  });

  it("shrinks the bracket from above when large λ fail to certify", () => {
    const policy = goldenSectionPolicy({ tol: 0.01, lambdaMin: 0.01, lambdaMax: 1 });
    const t = drive(policy, { certified: (l) => l <= 0.2, metric: valley(0.5) }, { lambda: 0.1 });
    expect(t.final).toBeLessThanOrEqual(0.2);
    expect(0.2 / t.final).toBeLessThan(1.03);
    expect(t.accepted.some((a) => !a)).toBe(true);
  });

  it("resumes from a JSON round trip of its state with the identical remaining proposals", () => {
    const oracle: Oracle = { certified: (l) => l >= 0.02, metric: valley(0.011) };
    const def = registry.policies.get("goldenSection") as TunerPolicyDef;
    const full = drive(def.create({ tol: 0.005 }), oracle, { lambda: 0.09 });
    expect(full.proposals.length).toBeGreaterThan(15);
    for (const cut of [1, 5, 11, full.proposals.length - 2]) {
      const first = drive(def.create({ tol: 0.005 }), oracle, { lambda: 0.09 }, 300, cut);
      const saved = JSON.parse(JSON.stringify(first.state)) as Json;
      // a new policy instance, as after a restart: only the serialised state carries over
      const rest = drive(def.create({ tol: 0.005 }), oracle, { lambda: first.final, state: saved });
      expect([...first.proposals, ...rest.proposals]).toEqual(full.proposals);
      expect(rest.final).toBe(full.final);
    }
  });

  it("stops with a reason when no task metric is reported or the flow has no sparsity dial", () => {
    const policy = goldenSectionPolicy();
    let dials: Dials = { lambda: 0.1, lambdaJ: null, alpha: 0.5 };
    let s = policy.init(ctx(dials));
    const r = policy.propose(s, ctx(dials));
    s = policy.update(r.state, { trial: 1, from: dials, to: r.dials!, certificate: certificate(true), accepted: true, metric: null, energy: 1, reason: "certificates hold" });
    dials = r.dials!;
    const stop = policy.propose(s, ctx(dials));
    expect(stop.dials).toBeNull();
    expect(stop.note).toMatch(/needs a task metric/);
    const none: Dials = { lambda: null, lambdaJ: null, alpha: 0.5 };
    const p = policy.propose(policy.init(ctx(none)), ctx(none));
    expect(p.dials).toBeNull();
    expect(p.note).toMatch(/no sparsity dial/);
  });

  it("widens λ in Phase 1 like the Gap Dial, up to the cap, and keeps the spec's λ as its seed", () => {
    const policy = goldenSectionPolicy({ widenFactor: 3 });
    let c = ctx({ lambda: 0.5, lambdaJ: null, alpha: 0.5 });
    const s = policy.init(c);
    expect(policy.seed(s, c).dials).toEqual(c.dials);
    const seen: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const r = policy.remediate(s, c, certificate(false), attempt);
      if (!r.dials) {
        expect(r.note).toMatch(/exceed its cap 10/);
        break;
      }
      seen.push(r.dials.lambda!);
      c = ctx(r.dials);
    }
    expect(seen.map((v) => +v.toPrecision(12))).toEqual([1.5, 4.5]);
  });

  it("never moves further than a smaller cap from its options, or the controller's", () => {
    const policy = goldenSectionPolicy({ moveCap: 0.05, tol: 0.01 });
    const t = drive(policy, { certified: () => true, metric: valley(0.4) }, { lambda: 0.1 });
    let prev = 0.1;
    for (const l of t.proposals) {
      expect(Math.abs(l - prev) / prev).toBeLessThanOrEqual(0.05 * (1 + 1e-12));
      prev = l;
    }
    expect(Math.abs(Math.log(t.final / 0.4))).toBeLessThan(Math.log(1.02));
  });

  it("refuses bad options, naming them", () => {
    expect(() => goldenSectionPolicy({ tol: 2 })).toThrow(CflowError);
    expect(() => goldenSectionPolicy({ tol: 2 })).toThrow(/golden-section: tol must be a number in \(0, 1\), found 2/);
    expect(() => goldenSectionPolicy({ lambdaMin: 1, lambdaMax: 0.5 })).toThrow(/lambdaMin \(1\) must be below lambdaMax \(0.5\)/);
    expect(() => goldenSectionPolicy({ bracket: 1 })).toThrow(/bracket must be a finite number > 1/);
    expect(() => goldenSectionPolicy({ taskMetric: 3 as never })).toThrow(/taskMetric must be a function/);
  });

  it("makes a tuner hook carrying the task metric", () => {
    const metric = () => 1;
    const hook = goldenSection({ taskMetric: metric });
    expect(hook.name).toBe("goldenSection");
    expect(hook.policy.name).toBe("goldenSection");
    expect(hook.taskMetric).toBe(metric);
  });
});

describe("example: tuning a soft-threshold denoiser by the discrepancy principle", () => {
  it("finds the grid-search λ among certified ones, through at least one rejected move", () => {
    const r = tuneDenoiser();
    expect(r.log.at(-1)).toMatch(/^stop: converged/);
    expect(r.rejected).toBeGreaterThan(0);
    expect(Math.abs(Math.log(r.lambda / r.gridLambda))).toBeLessThan(Math.log(1.01));
    expect(r.trials).toBeLessThan(60);
  });
});
