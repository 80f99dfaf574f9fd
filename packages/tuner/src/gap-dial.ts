import type { BandStat, Json, TunerContext, TunerHook, TunerPolicy } from "@cflow/core";

/**
 * The Gap Dial's own options: each replaces the run's `policies.tuner` value of the same name
 * (`TunerContext.options`). The limits its moves must respect — move cap, ratio bounds, λ cap,
 * trials without improvement — are the controller's (`policies.control`, `TunerContext.limits`).
 */
export interface GapDialOptions {
  /** Seed and tune one λ_j per detail level from band statistics, not only the global λ. */
  perBand?: boolean;
  /** Robust statistic for seeding: median(|W_j x|)·k, or the MAD·k. */
  statistic?: "median" | "mad";
  k?: number;
  /** λ multiplier per remediation attempt. */
  widenFactor?: number;
  /** A move below moveCap/minStepDivisor ends the search. */
  minStepDivisor?: number;
  /** User task metric (lower is better), e.g. a discrepancy principle; guides moves among certified ones. */
  taskMetric?: TunerHook["taskMetric"];
}

/** The Gap Dial's state: plain JSON, so a checkpoint holds it and a resumed run proposes the same moves. */
export interface GapDialState {
  [key: string]: Json;
  perBand: boolean;
  statistic: "median" | "mad";
  k: number;
  widenFactor: number;
  minStep: number;
  /** Relative size of the next move (halved after a rejection). */
  step: number;
  /** −1 moves λ down (less bias), +1 up (wider certified gap). */
  direction: number;
  /** Dial moved next: −1 the global λ, j ≥ 0 the multiplier of detail level j (coarsest first). */
  cursor: number;
  best: number | null;
  trials: number;
  accepted: number;
}

/**
 * The Gap Dial as a tuner policy (init/seed/remediate/propose/update over explicit state).
 * Phase 1 widens λ ×widenFactor up to the cap until the (restricted) certificates pass. Phase 2
 * runs a guarded pattern search on λ — and on each level's λ_j when per-band — one capped move
 * per trial: without a task metric it lowers λ (less shrinkage bias) for as long as the
 * certificates hold; with one it minimises the metric among certified moves.
 */
export function gapDialPolicy(options: GapDialOptions = {}): TunerPolicy<GapDialState> {
  const hasMetric = options.taskMetric !== undefined;
  return {
    name: "gap-dial",
    init(ctx) {
      const o = ctx.options;
      const moveCap = ctx.limits.moveCap;
      return {
        perBand: options.perBand ?? o.perBand,
        statistic: options.statistic ?? o.seed.statistic,
        k: options.k ?? o.seed.k,
        widenFactor: options.widenFactor ?? o.widenFactor,
        minStep: moveCap / (options.minStepDivisor ?? o.minStepDivisor),
        step: moveCap,
        direction: -1,
        cursor: -1,
        best: null,
        trials: 0,
        accepted: 0,
      };
    },

    seed(state, ctx) {
      const d = ctx.dials;
      if (!state.perBand || !ctx.bandStats || d.lambda === null || !d.lambdaJ) {
        return { state, dials: d, note: d.lambda === null ? "no sparsity dial: nothing to seed" : "global λ from the spec" };
      }
      const bounds = ctx.limits.ratioBounds;
      const lambdaJ = seedLevels(ctx.bandStats, d.lambda, state.statistic, state.k, bounds);
      return { state, dials: { ...d, lambdaJ }, note: `λ_j seeded from ${state.statistic}(|W_j x|)·${state.k}, adjacent ratios kept in [${bounds.join(", ")}]` };
    },

    remediate(state, ctx, failed, attempt) {
      const d = ctx.dials;
      const descent = failed.violations.some((v) => v.gate === "descent");
      if (d.lambda !== null && d.lambda * state.widenFactor <= ctx.limits.lambdaCap) {
        const lambda = d.lambda * state.widenFactor;
        return { state, dials: { ...d, lambda }, note: `attempt ${attempt}: widen λ ×${state.widenFactor} → ${lambda.toPrecision(4)} (a larger λ shrinks the active set and widens the restricted gap)` };
      }
      if (descent) return { state, dials: { ...d, alpha: d.alpha / 2 }, note: `attempt ${attempt}: reduce η to ${(d.alpha / 2).toPrecision(4)}` };
      return {
        state,
        dials: null,
        note: d.lambda === null ? "no sparsity dial: η_dd and γ are properties of the operator, which neither λ nor α can change" : `λ would exceed its cap ${ctx.limits.lambdaCap}`,
      };
    },

    propose(state, ctx) {
      const d = ctx.dials;
      if (d.lambda === null) return { state, dials: null, note: "no sparsity dial to tune" };
      if (state.step < state.minStep) return { state, dials: null, note: "move size exhausted" };
      const levels = state.perBand && d.lambdaJ ? d.lambdaJ.length : 0;
      // try dials in turn, skipping those whose move would break the adjacent-ratio bounds
      for (let tries = 0; tries <= levels; tries++) {
        const cursor = state.cursor;
        const next = levels > 0 ? (cursor + 1 >= levels ? -1 : cursor + 1) : -1;
        const factor = 1 + state.direction * state.step;
        if (cursor < 0) {
          const lambda = Math.min(d.lambda * factor, ctx.limits.lambdaCap);
          return { state: { ...state, cursor: next }, dials: { ...d, lambda }, note: `λ ${state.direction < 0 ? "down" : "up"} ${(state.step * 100).toFixed(1)}%` };
        }
        const lambdaJ = [...d.lambdaJ!];
        lambdaJ[cursor] *= factor;
        if (ratiosOk(lambdaJ, ctx.limits.ratioBounds)) {
          return { state: { ...state, cursor: next }, dials: { ...d, lambdaJ }, note: `λ_${cursor} ${state.direction < 0 ? "down" : "up"} ${(state.step * 100).toFixed(1)}%` };
        }
        state = { ...state, cursor: next };
      }
      return { state, dials: null, note: "no move fits the ratio bounds" };
    },

    update(state, outcome) {
      const s = { ...state, trials: state.trials + 1 };
      if (!outcome.accepted) {
        // the move broke a certificate: smaller steps, and (with a metric) the other way
        return { ...s, step: s.step / 2, direction: hasMetric ? -s.direction : s.direction };
      }
      const score = hasMetric && outcome.metric !== null ? outcome.metric : (outcome.to.lambda ?? 0) * meanOf(outcome.to.lambdaJ);
      const improved = s.best === null || score < s.best;
      if (improved) return { ...s, accepted: s.accepted + 1, best: score };
      return { ...s, accepted: s.accepted + 1, direction: hasMetric ? -s.direction : s.direction, step: hasMetric ? s.step / 2 : s.step };
    },
  };
}

/** The tuner hook handed to `runCertified` (register `gapDialPolicy` for spec-level selection). */
export function gapDial(options: GapDialOptions = {}): TunerHook {
  return { name: "gap-dial", policy: gapDialPolicy(options) as unknown as TunerPolicy, taskMetric: options.taskMetric };
}

/**
 * λ_j multipliers from band statistics: stat_j·k/λ per detail level (coarsest first), then walked
 * from the coarsest level so every adjacent ratio lies in the bounds.
 */
export function seedLevels(stats: readonly BandStat[], lambda: number, statistic: "median" | "mad", k: number, bounds: readonly [number, number]): number[] {
  const raw = stats.map((s) => Math.max((statistic === "median" ? s.medianAbs : s.mad) * k, 1e-300) / lambda);
  const out = [raw[0]];
  for (let j = 1; j < raw.length; j++) {
    // λ_{j−1}/λ_j ∈ [lo, hi]  ⇔  λ_j ∈ [λ_{j−1}/hi, λ_{j−1}/lo]
    out.push(Math.min(Math.max(raw[j], out[j - 1] / bounds[1]), out[j - 1] / bounds[0]));
  }
  return out;
}

export function ratiosOk(lambdaJ: readonly number[], bounds: readonly [number, number]): boolean {
  for (let j = 0; j + 1 < lambdaJ.length; j++) {
    const r = lambdaJ[j] / lambdaJ[j + 1];
    if (!(r >= bounds[0] && r <= bounds[1])) return false;
  }
  return true;
}

function meanOf(a: number[] | null): number {
  if (!a || a.length === 0) return 1;
  return a.reduce((s, x) => s + x, 0) / a.length;
}


