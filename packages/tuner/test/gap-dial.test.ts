import type { BandStat, Certificate, TrialOutcome, TunerContext } from "@cflow/core";
import { DEFAULTS, Registry } from "@cflow/core";
import { describe, expect, it } from "vitest";
import { gapDial, gapDialPolicy, ratiosOk, seedLevels, tunerPlugin } from "../src/index.js";

function ctx(over: Partial<TunerContext> = {}): TunerContext {
  return {
    dials: { lambda: 1e-3, lambdaJ: [1, 1, 1, 1], alpha: 0.5 },
    limits: { alphaMax: 2, lambdaCap: 1, moveCap: 0.2, ratioBounds: [0.5, 2] },
    bandStats: null,
    options: DEFAULTS.tuner,
    iter: 0,
    key: [1, 2],
    ...over,
  };
}

function failing(violations: Certificate["violations"] = [{ gate: "gamma", value: 1e-9, threshold: 1e-6, message: "γ = 1e-9 below γ_min = 1e-6" }]): Certificate {
  return {
    etaDD: 2,
    dominance: "plain",
    gamma: 1e-9,
    route: "gershgorin",
    failureProbability: 0,
    gammaGershgorin: -1,
    lambdaMax: 1,
    method: "exact",
    size: 10,
    pass: false,
    violations,
    reasons: violations.map((v) => v.message),
    notes: [],
    errorBar: null,
    cost: { applications: 0, ms: 0 },
    diagnostics: {},
  };
}

describe("Gap Dial feasibility sweep", () => {
  it("widens λ by the factor per attempt until the cap, then gives up", () => {
    const p = gapDialPolicy({ widenFactor: 2 });
    const limits = { alphaMax: 2, lambdaCap: 5e-3, moveCap: 0.2, ratioBounds: [0.5, 2] as const };
    let c = ctx({ limits });
    let s = p.init(c);
    const seen: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const r = p.remediate(s, c, failing(), attempt);
      s = r.state;
      if (!r.dials) break;
      seen.push(r.dials.lambda!);
      c = ctx({ dials: r.dials, limits });
    }
    expect(seen).toEqual([2e-3, 4e-3]);
  });

  it("has no remedy without a sparsity dial (the naive flow stays uncertified)", () => {
    const p = gapDialPolicy();
    const c = ctx({ dials: { lambda: null, lambdaJ: null, alpha: 0.5 } });
    const r = p.remediate(p.init(c), c, failing(), 1);
    expect(r.dials).toBeNull();
    expect(r.note).toMatch(/no sparsity dial/);
  });

  it("reduces α when a descent check failed and λ is at its cap", () => {
    const p = gapDialPolicy();
    const c = ctx({ limits: { alphaMax: 2, lambdaCap: 1e-3, moveCap: 0.2, ratioBounds: [0.5, 2] } });
    const r = p.remediate(p.init(c), c, failing([{ gate: "descent", value: 1e-3, threshold: 1e-9, message: "Lyapunov descent violated" }]), 1);
    expect(r.dials?.alpha).toBe(0.25);
  });
});

describe("Gap Dial seeding", () => {
  const stats: BandStat[] = [
    { level: 4, size: 16, medianAbs: 0.8, mad: 0.5 },
    { level: 3, size: 64, medianAbs: 0.1, mad: 0.09 },
    { level: 2, size: 256, medianAbs: 0.08, mad: 0.07 },
    { level: 1, size: 1024, medianAbs: 0.01, mad: 0.012 },
  ];

  it("seeds λ_j from median·k relative to λ and keeps adjacent ratios in bounds", () => {
    const l = seedLevels(stats, 0.01, "median", 2, [0.5, 2]);
    expect(l[0]).toBeCloseTo(160, 10); // 0.8·2/0.01
    expect(ratiosOk(l, [0.5, 2])).toBe(true);
    // level 3's raw 20 is clamped to 160/2 = 80, level 2's raw 16 to 40
    expect(l[1]).toBeCloseTo(80, 10);
    expect(l[2]).toBeCloseTo(40, 10);
    expect(l[3]).toBeCloseTo(20, 10);
  });

  it("per-band seeding is switched by the run's policies.tuner.perBand; the hook's own option overrides it", () => {
    const c = (perBand: boolean) => ctx({ bandStats: stats, options: { ...DEFAULTS.tuner, perBand }, dials: { lambda: 0.1, lambdaJ: [1, 1, 1, 1], alpha: 0.5 } });
    const p = gapDialPolicy();
    expect(p.seed(p.init(c(false)), c(false)).dials.lambdaJ).toEqual([1, 1, 1, 1]);
    const on = p.seed(p.init(c(true)), c(true)).dials.lambdaJ!;
    expect(on[0]).toBeCloseTo(8, 10); // median 0.8 · k 1 / λ 0.1
    expect(ratiosOk(on, [0.5, 2])).toBe(true);
    const off = gapDialPolicy({ perBand: false });
    expect(off.seed(off.init(c(true)), c(true)).dials.lambdaJ).toEqual([1, 1, 1, 1]);
  });

  it("uses the MAD when asked, through the policy's seed step", () => {
    const p = gapDialPolicy({ perBand: true, statistic: "mad", k: 1 });
    const c = ctx({ bandStats: stats, dials: { lambda: 0.1, lambdaJ: [1, 1, 1, 1], alpha: 0.5 } });
    const r = p.seed(p.init(c), c);
    expect(r.dials.lambdaJ![0]).toBeCloseTo(5, 10);
    expect(ratiosOk(r.dials.lambdaJ!, [0.5, 2])).toBe(true);
  });
});

describe("Gap Dial guarded moves", () => {
  const outcome = (from: TunerContext["dials"], to: TunerContext["dials"], accepted: boolean, metric: number | null = null): TrialOutcome => ({
    trial: 1,
    from,
    to,
    certificate: null,
    accepted,
    metric,
    energy: 1,
    reason: accepted ? "ok" : "cert failed",
  });

  it("moves λ down by at most the cap, halves the step after a rejection, stops when the move size is exhausted", () => {
    const p = gapDialPolicy();
    let c = ctx({ dials: { lambda: 1e-2, lambdaJ: null, alpha: 0.5 } });
    let s = p.init(c);
    const moves: number[] = [];
    for (let t = 0; t < 20; t++) {
      const prop = p.propose(s, c);
      s = prop.state;
      if (!prop.dials) break;
      const rel = Math.abs(prop.dials.lambda! - c.dials.lambda!) / c.dials.lambda!;
      expect(rel).toBeLessThanOrEqual(0.2 + 1e-12);
      moves.push(rel);
      // certificates hold while λ ≥ 6e-3
      const accepted = prop.dials.lambda! >= 6e-3;
      s = p.update(s, outcome(c.dials, prop.dials, accepted));
      if (accepted) c = ctx({ dials: prop.dials });
    }
    expect(moves[0]).toBeCloseTo(0.2, 12);
    expect(c.dials.lambda!).toBeGreaterThanOrEqual(6e-3);
    expect(c.dials.lambda!).toBeLessThan(8e-3);
    expect(s.step).toBeLessThan(s.minStep);
  });

  it("never proposes a per-band move outside the ratio bounds", () => {
    const p = gapDialPolicy({ perBand: true });
    let c = ctx({ dials: { lambda: 1e-2, lambdaJ: [4, 2, 1, 0.5], alpha: 0.5 } });
    let s = p.init(c);
    for (let t = 0; t < 12; t++) {
      const prop = p.propose(s, c);
      s = prop.state;
      if (!prop.dials) break;
      expect(ratiosOk(prop.dials.lambdaJ!, [0.5, 2])).toBe(true);
      s = p.update(s, outcome(c.dials, prop.dials, true));
      c = ctx({ dials: prop.dials });
    }
  });

  it("with a task metric, follows the metric among certified moves", () => {
    const target = 4e-3;
    const metric = (l: number) => Math.abs(Math.log(l / target));
    const p = gapDialPolicy({ taskMetric: () => 0 });
    let c = ctx({ dials: { lambda: 1e-2, lambdaJ: null, alpha: 0.5 } });
    let s = p.init(c);
    for (let t = 0; t < 40; t++) {
      const prop = p.propose(s, c);
      s = prop.state;
      if (!prop.dials) break;
      const m = metric(prop.dials.lambda!);
      const improved = m < metric(c.dials.lambda!);
      s = p.update(s, outcome(c.dials, prop.dials, true, m));
      if (improved) c = ctx({ dials: prop.dials });
    }
    expect(Math.abs(Math.log(c.dials.lambda! / target))).toBeLessThan(0.2);
  });

  it("keeps its state as JSON: a restored state proposes exactly the same move", () => {
    const p = gapDialPolicy({ perBand: true });
    const c = ctx();
    let s = p.init(c);
    s = p.propose(s, c).state;
    const restored = JSON.parse(JSON.stringify(s));
    expect(p.propose(restored, c)).toEqual(p.propose(s, c));
  });
});

describe("registration", () => {
  it("registers gapDial as a tuner policy and the hook exposes the policy", () => {
    const r = new Registry();
    const rep = r.use(tunerPlugin);
    expect(rep.failed).toEqual([]);
    expect(r.policies.get("gapDial").kind).toBe("tuner");
    const h = gapDial();
    expect(h.policy.name).toBe("gapDial");
  });
});

describe("resolved by name through a registry", () => {
  it("tunerHookFromRegistry builds the registered policy, and refuses non-tuner policies by name", async () => {
    const { defaultRegistry, tunerHookFromRegistry } = await import("@cflow/core");
    const r = defaultRegistry();
    r.use(tunerPlugin);
    const h = tunerHookFromRegistry(r, "gapDial", { perBand: true });
    expect(h.policy.name).toBe("gapDial");
    const c = ctx();
    expect((h.policy.init(c) as { perBand: boolean }).perBand).toBe(true);
    expect(() => tunerHookFromRegistry(r, "accelerated")).toThrow(/flow policy, not a tuner policy/);
    expect(() => tunerHookFromRegistry(r, "gap-dail")).toThrow(/did you mean "gapDial"/);
  });
});
