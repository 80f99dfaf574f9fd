import { CflowError, type Dials, type Json, type TrialOutcome, type TunerContext, type TunerHook, type TunerPolicy, describeValue } from "@cflow/core";

export interface GoldenSectionOptions {
  /** Initial bracket of λ; default [λ₀/bracket, λ₀·bracket] around the certified λ₀ Phase 1 ends with. */
  lambdaMin?: number;
  lambdaMax?: number;
  /** Bracket factor around λ₀ when lambdaMin/lambdaMax are not given (default 10). */
  bracket?: number;
  /** Stop when the bracket is narrower than a factor 1 + tol (default 0.02). */
  tol?: number;
  /** Largest relative λ change per trial; never above the controller's cap (default: the cap). */
  moveCap?: number;
  /** Phase 1: λ multiplier per remediation attempt (default: the run's `policies.tuner.widenFactor`). */
  widenFactor?: number;
  /** The task metric (lower is better) the search minimises, e.g. a discrepancy principle. */
  taskMetric?: TunerHook["taskMetric"];
}

/**
 * Explicit, JSON-serialisable state: a checkpoint holds it, and a resumed run proposes exactly the
 * moves the uninterrupted one would have. Positions are natural logs of λ.
 */
export interface GoldenSectionState {
  [key: string]: Json;
  /** start: bracket not yet placed; search: golden-section steps; final: walking to the best λ; done. */
  phase: "start" | "search" | "final" | "done";
  lo: number;
  hi: number;
  /** Interior probes lo < c < d < hi and their metrics (null until evaluated). */
  c: number;
  d: number;
  fc: number | null;
  fd: number | null;
  /** Where the walk is heading and which probe it evaluates there. */
  target: number;
  role: "c" | "d" | "best";
  /** The best certified λ seen and its metric. */
  best: { lambda: number; metric: number } | null;
  /** ln(1 + moveCap) and ln(1 − moveCap): the largest steps up and down. */
  up: number;
  down: number;
  tolLog: number;
  /** Explicit bracket from the options (null: around λ₀). */
  lambdaMin: number | null;
  lambdaMax: number | null;
  bracket: number;
  lambdaCap: number;
  widenFactor: number;
  trials: number;
  rejections: number;
  reason: string;
}

/** 1/φ = (√5 − 1)/2: the interior probes sit at this fraction of the bracket from either end. */
const INV_PHI = (Math.sqrt(5) - 1) / 2;
/** Two log-λ positions closer than this are the same point (well below any useful tolerance). */
const SAME = 1e-12;

function positive(name: string, v: unknown, extra?: (x: number) => boolean, expected = "a finite number > 0"): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (extra && !extra(v))) {
    throw new CflowError("BAD_OPTION", `golden-section: ${name} must be ${expected}, found ${describeValue(v)}`, { path: `golden-section.${name}`, expected, found: describeValue(v) });
  }
  return v;
}

function checkOptions(o: GoldenSectionOptions): GoldenSectionOptions {
  positive("lambdaMin", o.lambdaMin);
  positive("lambdaMax", o.lambdaMax);
  if (o.lambdaMin !== undefined && o.lambdaMax !== undefined && !(o.lambdaMin < o.lambdaMax)) {
    throw new CflowError("BAD_OPTION", `golden-section: lambdaMin (${o.lambdaMin}) must be below lambdaMax (${o.lambdaMax})`, { path: "golden-section.lambdaMin", expected: `< ${o.lambdaMax}`, found: o.lambdaMin });
  }
  positive("bracket", o.bracket, (x) => x > 1, "a finite number > 1");
  positive("tol", o.tol, (x) => x < 1, "a number in (0, 1)");
  positive("moveCap", o.moveCap, (x) => x < 1, "a number in (0, 1)");
  positive("widenFactor", o.widenFactor, (x) => x > 1, "a finite number > 1");
  if (o.taskMetric !== undefined && typeof o.taskMetric !== "function") {
    throw new CflowError("BAD_OPTION", `golden-section: taskMetric must be a function, found ${describeValue(o.taskMetric)}`, { path: "golden-section.taskMetric", expected: "(state) => number", found: describeValue(o.taskMetric) });
  }
  return o;
}

/** The interior probes of [lo, hi] and the one to evaluate first: the nearer to where λ is. */
function placeProbes(s: GoldenSectionState, at: number): GoldenSectionState {
  const c = s.hi - INV_PHI * (s.hi - s.lo);
  const d = s.lo + INV_PHI * (s.hi - s.lo);
  const role = Math.abs(c - at) <= Math.abs(d - at) ? "c" : "d";
  return { ...s, c, d, fc: null, fd: null, role, target: role === "c" ? c : d };
}

/** After an evaluation: shrink the bracket when both probes are known, then pick the next target. */
function advance(s: GoldenSectionState): GoldenSectionState {
  let n = s;
  if (n.fc !== null && n.fd !== null) {
    // the minimum of a unimodal metric lies in [lo, d] when f(c) ≤ f(d), else in [c, hi]
    if (n.fc <= n.fd) {
      const hi = n.d;
      n = { ...n, hi, d: n.c, fd: n.fc, c: hi - INV_PHI * (hi - n.lo), fc: null };
    } else {
      const lo = n.c;
      n = { ...n, lo, c: n.d, fc: n.fd, d: lo + INV_PHI * (n.hi - lo), fd: null };
    }
  }
  if (n.hi - n.lo <= n.tolLog) return toFinal(n);
  return n.fc === null ? { ...n, role: "c", target: n.c } : { ...n, role: "d", target: n.d };
}

function toFinal(s: GoldenSectionState): GoldenSectionState {
  if (!s.best) return { ...s, phase: "done", reason: "bracket exhausted without a certified evaluation" };
  return { ...s, phase: "final", role: "best", target: Math.log(s.best.lambda) };
}

/**
 * Golden-section search on log λ for the task metric's minimum among certified λ, as a tuner policy
 * that lives inside the Gap Dial's gates: every proposal moves λ by at most ±moveCap (relative),
 * so each probe of the bracket is reached in capped steps, each one a trial the controller
 * validates and certifies; a rejected (uncertified) move shrinks the bracket from its side — the
 * certified set is taken to be an interval, as a larger λ shrinks the active set and widens the
 * restricted gap. When the bracket is narrower than 1 + tol the policy walks back to the best
 * certified λ it has seen, and stops. Phase 1 remediation widens λ like the Gap Dial.
 */
export function goldenSectionPolicy(options: GoldenSectionOptions = {}): TunerPolicy<GoldenSectionState> {
  const o = checkOptions({ ...options });
  return {
    name: "goldenSection",

    init(ctx: TunerContext): GoldenSectionState {
      const cap = Math.min(o.moveCap ?? ctx.limits.moveCap, ctx.limits.moveCap);
      return {
        phase: ctx.dials.lambda === null ? "done" : "start",
        lo: 0,
        hi: 0,
        c: 0,
        d: 0,
        fc: null,
        fd: null,
        target: 0,
        role: "c",
        best: null,
        up: Math.log1p(cap),
        down: Math.log1p(-cap),
        tolLog: Math.log1p(o.tol ?? 0.02),
        lambdaMin: o.lambdaMin ?? null,
        lambdaMax: o.lambdaMax ?? null,
        bracket: o.bracket ?? 10,
        lambdaCap: ctx.limits.lambdaCap,
        widenFactor: o.widenFactor ?? ctx.options.widenFactor,
        trials: 0,
        rejections: 0,
        reason: ctx.dials.lambda === null ? "no sparsity dial to tune" : "",
      };
    },

    seed(state, ctx) {
      return { state, dials: ctx.dials, note: "golden-section keeps the spec's λ for the feasibility phase" };
    },

    remediate(state, ctx, failed, attempt) {
      const d = ctx.dials;
      if (d.lambda !== null && d.lambda * state.widenFactor <= state.lambdaCap) {
        const lambda = d.lambda * state.widenFactor;
        return { state, dials: { ...d, lambda }, note: `attempt ${attempt}: widen λ ×${state.widenFactor} → ${lambda.toPrecision(4)}` };
      }
      if (failed.violations.some((v) => v.gate === "descent")) {
        return { state, dials: { ...d, alpha: d.alpha / 2 }, note: `attempt ${attempt}: reduce α to ${(d.alpha / 2).toPrecision(4)}` };
      }
      return { state, dials: null, note: d.lambda === null ? "no sparsity dial: nothing to widen" : `λ would exceed its cap ${state.lambdaCap}` };
    },

    propose(state, ctx) {
      let s = state;
      const lambda = ctx.dials.lambda;
      if (s.phase === "done" || lambda === null) return { state: s, dials: null, note: s.reason || "no sparsity dial to tune" };
      const at = Math.log(lambda);
      if (s.phase === "start") {
        // the bracket is placed around the certified λ Phase 1 ended with (or where the options put it)
        const lo = Math.log(s.lambdaMin ?? lambda / s.bracket);
        const hi = Math.log(Math.min(s.lambdaMax ?? lambda * s.bracket, s.lambdaCap));
        if (!(lo < hi)) return { state: { ...s, phase: "done", reason: `empty bracket [${Math.exp(lo)}, ${Math.exp(hi)}]` }, dials: null, note: "empty bracket" };
        s = placeProbes({ ...s, phase: "search", lo, hi }, at);
      }
      const delta = s.target - at;
      const step = delta > 0 ? Math.min(delta, s.up) : Math.max(delta, s.down);
      const next = Math.abs(delta) <= SAME ? s.target : Math.abs(step - delta) <= SAME ? s.target : at + step;
      const dials: Dials = { ...ctx.dials, lambda: Math.exp(next) };
      const what = s.role === "best" ? "the best certified λ" : `probe ${s.role} = ${Math.exp(s.target).toPrecision(5)}`;
      const note = next === s.target ? `λ → ${dials.lambda!.toPrecision(5)} (${what})` : `λ ${delta > 0 ? "up" : "down"} towards ${what}: ${dials.lambda!.toPrecision(5)}`;
      return { state: s, dials, note };
    },

    update(state, outcome: TrialOutcome) {
      let s: GoldenSectionState = { ...state, trials: state.trials + 1 };
      if (s.phase === "done" || s.phase === "start" || outcome.to.lambda === null || outcome.from.lambda === null) return s;
      const to = Math.log(outcome.to.lambda);
      const from = Math.log(outcome.from.lambda);
      if (!outcome.accepted) {
        s = { ...s, rejections: s.rejections + 1 };
        if (s.phase === "final" || Math.abs(to - from) <= SAME) {
          return { ...s, phase: "done", reason: `λ = ${outcome.to.lambda.toPrecision(5)} was not certified (${outcome.reason}); staying at the last certified λ` };
        }
        // everything beyond the rejected λ on its side is taken as uncertified
        s = to < from ? { ...s, lo: Math.max(s.lo, to) } : { ...s, hi: Math.min(s.hi, to) };
        if (s.hi - s.lo <= s.tolLog) return toFinal(s);
        return placeProbes(s, from);
      }
      if (outcome.metric === null) {
        return { ...s, phase: "done", reason: "golden-section needs a task metric (TunerHook.taskMetric); none was reported" };
      }
      if (!s.best || outcome.metric < s.best.metric) s = { ...s, best: { lambda: outcome.to.lambda, metric: outcome.metric } };
      if (Math.abs(to - s.target) > SAME) return s;
      if (s.phase === "final") return { ...s, phase: "done", reason: `converged: bracket within ×${Math.exp(s.tolLog).toPrecision(4)}, best certified λ = ${outcome.to.lambda.toPrecision(6)}` };
      s = s.role === "c" ? { ...s, fc: outcome.metric } : { ...s, fd: outcome.metric };
      return advance(s);
    },
  };
}

/** The tuner hook handed to `runCertified` (register the policy for spec-level selection). */
export function goldenSection(options: GoldenSectionOptions = {}): TunerHook {
  return { name: "goldenSection", policy: goldenSectionPolicy(options) as unknown as TunerPolicy, taskMetric: options.taskMetric };
}
