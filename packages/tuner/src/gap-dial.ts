import type { BandStat, Json, TaskTarget, TunerContext, TunerHook, TunerPolicy } from "@cflow/core";

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
  /** User task metric (lower is better); guides moves among certified ones. */
  taskMetric?: TunerHook["taskMetric"];
  /** A task target (`taskTarget(compiled)`: the discrepancy principle, SURE, GCV), read by the controller. */
  target?: TaskTarget;
  /** A bracket [lo, hi] of the target's crossing narrower than hi/lo ≤ 1 + bracketTol ends the search (default 0.05). */
  bracketTol?: number;
}

/**
 * How the dial moves in Phase 2: "lower" λ while certified (no target), "bracket" a target that
 * says which way to go (the discrepancy principle: monotone in λ), "minimise" a score (SURE, GCV,
 * a task metric) by pattern search.
 */
export type GapDialMode = "lower" | "bracket" | "minimise";

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
  /** Chosen at the first proposal from what the controller reports (null before). */
  mode: GapDialMode | null;
  bracketTol: number;
  /** Bracket mode: the largest certified λ whose reading said "up", and its target value. */
  lo: number | null;
  loValue: number | null;
  /** Bracket mode: the smallest certified λ whose reading said "down", and its target value. */
  hi: number | null;
  hiValue: number | null;
  /** Bracket mode: the λ of the reading before the current one, and its target value (the secant's other point). */
  last: number | null;
  lastValue: number | null;
  /** The largest λ below the current one that failed its certificates (the certified range's lower end). */
  floor: number | null;
  /** The smallest λ above the current one that failed its certificates. */
  ceil: number | null;
}

/**
 * The Gap Dial as a tuner policy (init/seed/remediate/propose/update over explicit state).
 * Phase 1 widens λ ×widenFactor up to the cap until the (restricted) certificates pass. Phase 2
 * makes one capped move per trial, every one re-certified by the controller:
 * - with a target that says which way to go (the discrepancy principle: ‖Kx − y‖² grows with λ),
 *   it brackets the crossing on log λ — steps toward it along the secant of the last two readings
 *   in (log λ, log value) (the capped step before there are two), then interpolation inside the
 *   bracket, ending once the interpolated crossing lies within bracketTol of the current λ — and
 *   never past a λ whose certificates failed (it bisects toward that end of the certified range
 *   instead); per-band λ_j keep their seeded ratios;
 * - with a score only (SURE, GCV, a task metric), a pattern search minimises it, on λ and on each
 *   level's λ_j when per-band;
 * - with neither, it lowers λ (less shrinkage bias) for as long as the certificates hold.
 */
export function gapDialPolicy(options: GapDialOptions = {}): TunerPolicy<GapDialState> {
  const hasMetric = options.taskMetric !== undefined || options.target !== undefined;
  return {
    name: "gapDial",
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
        mode: null,
        bracketTol: options.bracketTol ?? 0.05,
        lo: null,
        loValue: null,
        hi: null,
        hiValue: null,
        last: null,
        lastValue: null,
        floor: null,
        ceil: null,
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
      if (state.mode === null) {
        const t = ctx.target ?? null;
        state = { ...state, mode: t && t.direction !== 0 ? "bracket" : t || hasMetric ? "minimise" : "lower" };
      }
      if (state.mode === "bracket") return proposeBracket(state, ctx);
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
      if (s.mode === "bracket") {
        const from = outcome.from.lambda;
        const to = outcome.to.lambda;
        if (!outcome.accepted) {
          // the certified range ends before `to`: later moves stay on this side of it
          if (from === null || to === null) return s;
          return to < from ? { ...s, floor: Math.max(s.floor ?? 0, to) } : { ...s, ceil: Math.min(s.ceil ?? Number.POSITIVE_INFINITY, to) };
        }
        const score = outcome.metric ?? Number.POSITIVE_INFINITY;
        return s.best === null || score < s.best ? { ...s, accepted: s.accepted + 1, best: score } : { ...s, accepted: s.accepted + 1 };
      }
      const minimise = s.mode === "minimise";
      if (!outcome.accepted) {
        // the move broke a certificate: smaller steps, and (with a metric) the other way
        return { ...s, step: s.step / 2, direction: minimise ? -s.direction : s.direction };
      }
      const score = minimise && outcome.metric !== null ? outcome.metric : (outcome.to.lambda ?? 0) * meanOf(outcome.to.lambdaJ);
      const improved = s.best === null || score < s.best;
      if (improved) return { ...s, accepted: s.accepted + 1, best: score };
      return { ...s, accepted: s.accepted + 1, direction: minimise ? -s.direction : s.direction, step: minimise ? s.step / 2 : s.step };
    },
  };
}

/** The tuner hook handed to `runCertified` (register `gapDialPolicy` for spec-level selection). */
export function gapDial(options: GapDialOptions = {}): TunerHook {
  return {
    name: "gapDial",
    policy: gapDialPolicy(options) as unknown as TunerPolicy,
    ...(options.taskMetric ? { taskMetric: options.taskMetric } : {}),
    ...(options.target ? { taskTarget: options.target } : {}),
  };
}

/**
 * Bracket mode's next move. The controller's reading of the current (certified) state says which
 * way the target lies; it updates the bracket [lo, hi] of the crossing, then the move goes toward
 * the crossing by at most the move cap — extrapolated along the secant of the last two readings in
 * (log λ, log value) while one end is known, interpolated on the bracket's secant once both are —
 * and stops short of any λ whose certificates failed (bisecting toward it instead). The search
 * ends when the bracket is narrower than 1 + bracketTol or when the crossing interpolated inside it
 * lies within a factor 1 + bracketTol of the current λ (the bracket's worst case, estimated: a
 * discrepancy is smooth and monotone in λ, and every move costs a validation run and a
 * certificate).
 */
function proposeBracket(state: GapDialState, ctx: TunerContext): { state: GapDialState; dials: TunerContext["dials"] | null; note: string } {
  const d = ctx.dials;
  const lambda = d.lambda!;
  const { moveCap, lambdaCap } = ctx.limits;
  const r = ctx.target ?? null;
  if (!r) return { state, dials: null, note: "no target reading of the current state" };
  // (a state from before the secant step has no `last`)
  const last = state.last ?? null;
  const lastValue = state.lastValue ?? null;
  let s = { ...state, last: lambda, lastValue: r.value };
  if (r.direction > 0) {
    s = { ...s, lo: lambda, loValue: r.value };
    if (s.hi !== null && s.hi <= lambda) s = { ...s, hi: null, hiValue: null };
  } else if (r.direction < 0) {
    s = { ...s, hi: lambda, hiValue: r.value };
    if (s.lo !== null && s.lo >= lambda) s = { ...s, lo: null, loValue: null };
  } else return { state: s, dials: null, note: `at the ${r.target} target` };
  const tol = 1 + s.bracketTol;
  if (s.lo !== null && s.hi !== null && s.hi / s.lo <= tol) {
    return { state: s, dials: null, note: `${r.target} target bracketed: λ ∈ [${s.lo.toPrecision(4)}, ${s.hi.toPrecision(4)}]` };
  }
  let t: number;
  if (s.lo !== null && s.hi !== null) {
    const a = Math.log(s.lo);
    const b = Math.log(s.hi);
    const fa = Math.log(s.loValue!);
    const fb = Math.log(s.hiValue!);
    // the crossing of value = 1 on the secant, kept inside the bracket's middle 80%
    const f = fb > fa ? (0 - fa) / (fb - fa) : 0.5;
    t = Math.exp(a + Math.min(0.9, Math.max(0.1, Number.isFinite(f) ? f : 0.5)) * (b - a));
    if (Math.abs(Math.log(t / lambda)) <= Math.log(tol)) {
      return { state: s, dials: null, note: `${r.target} target bracketed: λ ∈ [${s.lo.toPrecision(4)}, ${s.hi.toPrecision(4)}], crossing interpolated at ${t.toPrecision(4)}, within ${(s.bracketTol * 100).toFixed(1)}% of λ` };
    }
  } else {
    t = r.direction > 0 ? lambda * (1 + moveCap) : lambda * (1 - moveCap);
    // the crossing on the secant of the last two readings, when it rises with λ as the target does
    const slope = last !== null && lastValue !== null && last !== lambda ? (Math.log(r.value) - Math.log(lastValue)) / (Math.log(lambda) - Math.log(last)) : Number.NaN;
    if (slope > 0 && Number.isFinite(slope)) t = lambda * Math.exp(-Math.log(r.value) / slope);
  }
  t = Math.min(Math.max(t, lambda * (1 - moveCap)), lambda * (1 + moveCap), lambdaCap);
  if (t < lambda && s.floor !== null && s.floor < lambda && t <= s.floor) {
    if (lambda / s.floor <= tol) return { state: s, dials: null, note: `the ${r.target} target lies below the certified range (λ = ${s.floor.toPrecision(4)} failed its certificates)` };
    t = Math.sqrt(s.floor * lambda);
  }
  if (t > lambda && s.ceil !== null && s.ceil > lambda && t >= s.ceil) {
    if (s.ceil / lambda <= tol) return { state: s, dials: null, note: `the ${r.target} target lies above the certified range (λ = ${s.ceil.toPrecision(4)} failed its certificates)` };
    t = Math.sqrt(s.ceil * lambda);
  }
  if (Math.abs(t / lambda - 1) < 1e-9) return { state: s, dials: null, note: `λ is at its cap ${lambdaCap}` };
  const dir = t > lambda ? "up" : "down";
  return { state: s, dials: { ...d, lambda: t }, note: `λ ${dir} ${(Math.abs(t / lambda - 1) * 100).toFixed(1)}% toward the ${r.target} target (value ${r.value.toPrecision(3)})` };
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


