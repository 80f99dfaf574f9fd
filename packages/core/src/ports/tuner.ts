import type { RngKey } from "../rng.js";
import type { Certificate } from "./certificates.js";
import type { Json } from "./events.js";
import type { PolicyDef } from "../registry/policy.js";
import type { ResolvedPolicies } from "../spec/policies.js";

/** The dials a tuner may move: the sparsity weight λ, per-band weights λ_j, and the step α. */
export interface Dials {
  /** Global λ of the flow's sparsity term (null when the flow has none). */
  lambda: number | null;
  /**
   * Per-band multipliers of λ for band-aware atoms, one per detail level, coarsest first (the
   * threshold of level j is λ·lambdaJ[j]); null when not per-band.
   */
  lambdaJ: number[] | null;
  /** Step size α. */
  alpha: number;
}

/** Robust statistics of one detail level of W x (for seeding λ_j, docs/design.md §2.4). */
export interface BandStat {
  level: number;
  size: number;
  /** median(|W_j x|) */
  medianAbs: number;
  /** median absolute deviation of W_j x */
  mad: number;
}

/**
 * The controller's limits on the dials (`policies.control`, and the flow family's step-size
 * bound). The controller rejects a move beyond them whatever the tuner proposes; a tuner reads
 * them to propose moves that fit.
 */
export interface DialLimits {
  /** Every step size α must be strictly below this (`FlowFamily.alphaMax`: 2/L for forward–backward steps). */
  alphaMax: number;
  /** Largest λ a move may reach. */
  lambdaCap: number;
  /** Largest relative change of a dial in one trial of the tuning phase (default 0.2). */
  moveCap: number;
  /** Bounds of λ_j / λ_{j+1} for adjacent levels (default [0.5, 2]). */
  ratioBounds: readonly [number, number];
}

/** The tuner's options as a run resolved them (`policies.tuner` over the defaults). */
export type TunerOptions = Readonly<Omit<ResolvedPolicies["tuner"], "seed">> & { readonly seed: Readonly<ResolvedPolicies["tuner"]["seed"]> };

/**
 * A task target's reading of one state: where the run stands against the target the tuner moves
 * λ toward (the discrepancy principle, SURE, GCV). Plain JSON, recorded in events.
 */
export interface TargetReading {
  [key: string]: Json;
  /** The target's name ("discrepancy", "sure", "gcv"). */
  target: string;
  /** Lower is better (what the controller compares between trials). */
  score: number;
  /** The target's own value (the discrepancy ratio over τ, SURE's risk per sample, the GCV score). */
  value: number;
  /** ‖Kx − y‖²/(m σ²), whatever the target: 1 when the residual is at the noise level. */
  discrepancy: number;
  /** Which way λ should move: +1 up, −1 down, 0 unknown from one reading (minimise `score`). */
  direction: number;
}

/** A task target the tuner aims at (built from the compiled flow: its data term, σ, and so on). */
export interface TaskTarget {
  readonly name: string;
  /** τ of the discrepancy principle: a discrepancy above 2τ marks a result as over-regularised. */
  readonly tau: number;
  /** What the manifest records: the target, σ and whether it was given or estimated, τ, the data term. */
  describe(): { [key: string]: Json };
  /**
   * Reads a state; `coefficients` are the exact W-space coefficients it came from (null without a
   * sparsity prox). Both are the run's own copies of the iterate: read-only.
   */
  read(state: { [slot: string]: Float32Array | Float64Array }, coefficients: Float32Array | Float64Array | null): TargetReading;
}

/** What the controller tells the tuner at each decision. */
export interface TunerContext {
  dials: Dials;
  /** The task target's reading of the current (certified) state, or null without a target. */
  target?: TargetReading | null;
  limits: DialLimits;
  /**
   * Band statistics of the current iterate's W-coefficients (null without a multilevel
   * transform). The controller computes them when first read: read them during the call the
   * context is passed to (the iterate moves on after it).
   */
  bandStats: BandStat[] | null;
  /** The tuner's options (`policies.tuner`: perBand, seed statistic and k, widen factor...). */
  options: TunerOptions;
  iter: number;
  key: RngKey;
}

/** How a tried move turned out (Phase 2), reported by the controller to the policy. */
export interface TrialOutcome {
  trial: number;
  from: Dials;
  to: Dials;
  /** Certificates after the short validation run (null if the run diverged before them). */
  certificate: Certificate | null;
  /** Committed (certificates held and the run did not regress) or rejected. */
  accepted: boolean;
  /** The optional task metric after the validation run (lower is better), else null. */
  metric: number | null;
  /** The task target's reading after the validation run (its `score` is `metric`); absent without a target. */
  target?: TargetReading | null;
  /** Energy at the end of the validation run. */
  energy: number;
  reason: string;
}

/**
 * A tuner policy as a pair-of-pure-functions object (Optax style): all state is explicit,
 * JSON-serialisable, returned by every call — so a checkpoint holds it and a resumed run
 * continues exactly.
 */
export interface TunerPolicy<S extends Json = Json> {
  readonly name: string;
  init(ctx: TunerContext): S;
  /** Phase 1: dials to certify first (e.g. λ_j seeded from band statistics). */
  seed(state: S, ctx: TunerContext): { state: S; dials: Dials; note: string };
  /** Phase 1: after a failed certificate, the next remediation (widen λ, reduce α), or null when out of options. */
  remediate(state: S, ctx: TunerContext, failed: Certificate, attempt: number): { state: S; dials: Dials | null; note: string };
  /** Phase 2: the next move to try (within the caps), or null to stop tuning. */
  propose(state: S, ctx: TunerContext): { state: S; dials: Dials | null; note: string };
  /** Phase 2: the controller's verdict on the last move. */
  update(state: S, outcome: TrialOutcome): S;
}

/** The tuner port handed to the controller. */
export interface TunerHook {
  readonly name: string;
  readonly policy: TunerPolicy;
  /** User task metric (lower is better), evaluated after validation runs — e.g. a discrepancy principle. Its state is read-only. */
  readonly taskMetric?: (state: { [slot: string]: Float32Array | Float64Array }) => number;
  /** A task target (its reading's score replaces `taskMetric`); recorded in events, manifest and run card. */
  readonly taskTarget?: TaskTarget;
}

/** The registry entry of a tuner policy (policies namespace, kind "tuner"). */
export interface TunerPolicyDef extends PolicyDef {
  kind: "tuner";
  /** Makes the policy from hook options (each run gets its own). */
  create(options?: { [key: string]: unknown }): TunerPolicy;
}
