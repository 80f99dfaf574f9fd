import type { Dtype, RealArray } from "../dtype.js";
import type { JsOpLike } from "../ops/js-op.js";
import type { Op } from "../ops/op.js";

/** Built-in atom names (plugins add more through the registry). */
export type SmoothAtomName = "leastSquares" | "weightedLeastSquares" | "huber" | "tikhonov" | "quadraticForm" | "logistic";
export type ProxAtomName =
  | "l1"
  | "waveletL1"
  | "elasticNet"
  | "groupL1"
  | "tvAnisotropic"
  | "tvIsotropic"
  | "box"
  | "nonneg"
  | "l2Ball"
  | "l1Ball"
  | "simplex";
export type AtomName = SmoothAtomName | ProxAtomName | (string & {});

export type FlowFamilyName = "gradient" | "proximal" | "accelerated" | "greedy" | "preconditioned" | "hamiltonianDamped";

/** A state slot: an array of the run's dtype, possibly on a manifold. */
export interface SlotSpec {
  shape: number[];
  /** Registered manifold name; Euclidean when absent. */
  manifold?: string;
  /**
   * Initial value: "zeros" (default), "ones", "random" (normal draws from the run's key, projected
   * onto the manifold), a data name `{ data: "y" }`, the adjoint of an op applied to data
   * `{ adjoint: { op: "K", data: "y" } }`, or an array of the slot's size.
   */
  init?: "zeros" | "ones" | "random" | { data: string } | { adjoint: { op: string; data: string } } | RealArray | number[];
  /** For Hamiltonian flows: this slot is the momentum conjugate to the named position slot. */
  conjugateOf?: string;
}

/** The noise in one data array. */
export interface NoiseSpec {
  /** Standard deviation of the (white, Gaussian) noise, in the data's units. */
  sigma: number;
}

/** Data arrays: typed arrays of the run's dtype, or plain number arrays (converted). */
export type DataValue = RealArray | number[];

/**
 * An op: an Op instance, a user-written operator with only `apply`/`adjoint` (run as JavaScript
 * steps between kernel segments — the slow path), a factory of either in the run's dtype, or a
 * registry reference.
 */
export type OpSpec = Op | JsOpLike | ((ctx: { dtype: Dtype }) => Op | JsOpLike) | OpRef;
export interface OpRef {
  /** Registered op type ("conv2d", "dense", ...). */
  type: string;
  /** Parameters of the op factory; strings may name data arrays. */
  [param: string]: unknown;
}

export interface TransformSpec {
  /** Registered transform name ("db4", "swtDb4", "dct", "identity", ...). */
  name: string;
  levels?: number;
}

export type TermKind = "data" | "physics" | "regularizer";

export interface TermSpec<Slot extends string = string, DataName extends string = string, OpName extends string = string, TransformName extends string = string> {
  /** A label for reports (default: `<atom>#<index>`). */
  name?: string;
  kind: TermKind;
  atom: AtomName;
  /** State slot the term acts on (default: the only slot). */
  slot?: Slot;
  /** Linear op inside the atom (least squares ½‖op(x) − target‖², Tikhonov ½λ‖op(x)‖², ...). */
  op?: OpName;
  /** Data array the term compares against. */
  target?: DataName;
  /** Weight (λ for regularizers); default 1. */
  weight?: number;
  /** Per-band weights λ_j for band-aware atoms (waveletL1), coarsest detail first. */
  bandWeights?: number[];
  /** Units of the term's energy; terms summed into one energy must agree. */
  units?: string;
  /** Transform the atom acts through (waveletL1). */
  transform?: TransformName;
  /** Atom-specific parameters (huber delta, box lo/hi, ball radius, group size, TV iterations...). */
  params?: Record<string, number | string | boolean | number[]>;
}

export interface InvariantSpec {
  name: string;
  /** conserved: a quantity that must stay at its initial value; constraint: a residual that must stay ≈ 0; symmetry: documented only. */
  kind: "conserved" | "constraint" | "symmetry";
  /** Returns the quantity (conserved) or the residual (constraint) of a state. */
  check?: (state: Record<string, RealArray>) => number;
  tolerance?: number;
}

export interface FlowPolicySpec {
  family?: FlowFamilyName | (string & {});
  /** Adaptive restart for the accelerated family. */
  restart?: "function" | "gradient" | "none";
  /** α = stepScale/L with 0 < stepScale < 2 (default 1; L the Lipschitz constant of ∇f). */
  stepScale?: number;
  /** Backtracking: "auto" when L is estimated rather than known. */
  lineSearch?: "auto" | "always" | "never";
  /** Damping rate for hamiltonianDamped (0 = conservative leapfrog). */
  damping?: number;
  /** Time step for hamiltonianDamped (default: 0.5/√L). */
  dt?: number;
  /** primalDual: over-relaxation θ ∈ [0, 1] (default 1). */
  theta?: number;
  /** primalDual: a lower bound γ of the strong convexity of g; γ > 0 turns on acceleration (default 0). */
  strongConvexity?: number;
  /** primalDual: "diagonal" — Pock–Chambolle preconditioning, no operator norm needed (default "none"). */
  preconditioning?: "none" | "diagonal";
}

export interface MultiscaleSpec {
  mode?: "off" | "fixed" | "residual";
  /** Detail levels active at the start (coarsest first); the rest unlock one by one. */
  startLevels?: number;
  /** fixed: iterations between unlocks. */
  every?: number;
  /** residual: unlock when the relative energy decrease per iteration falls below this. */
  residualDrop?: number;
}

/**
 * The tuner's options (`policies.tuner`): which policy proposes moves and how. The limits every
 * move must respect are the controller's (`policies.control`).
 */
export interface TunerSpec {
  /** false: the run never tunes (it still certifies and polishes). Default true. */
  enabled?: boolean;
  /** Registered tuner policy (default "gapDial"; plugins add others, e.g. "goldenSection"). */
  policy?: string;
  /** Gap Dial: seed and tune one λ_j per detail level from band statistics, not only the global λ. Default false. */
  perBand?: boolean;
  /** How λ_j are seeded from band statistics: median(|W_j x|)·k or the MAD·k. */
  seed?: { statistic?: "median" | "mad"; k?: number };
  /** λ multiplier per remediation attempt of the feasibility sweep. */
  widenFactor?: number;
  /** Gap Dial: a move below moveCap/minStepDivisor ends the search. */
  minStepDivisor?: number;
  /**
   * The task target the tuner moves λ toward, among certified moves (`cflow run --target`):
   * "discrepancy" (default: Morozov's ‖Kx − y‖² ≈ τ·m·σ²), "sure", "gcv", or "none" (λ only
   * lowered while certified).
   */
  target?: "discrepancy" | "sure" | "gcv" | "none";
  /** τ of the discrepancy principle (default 1). */
  tau?: number;
  /** Hutchinson probes of the SURE/GCV trace estimate where no exact trace is known (default 8). */
  traceProbes?: number;
}

/**
 * The controller's limits on the run's trials and dials (`policies.control`): enforced by the
 * controller alone, whatever the tuner proposes.
 */
export interface ControlSpec {
  /** Certification attempts of the feasibility sweep before the run ends RED (M). */
  maxAttempts?: number;
  /** Iterations of the warm-up before each certificate attempt and of the validation run after a move. */
  validationIters?: number;
  /** Largest relative change of a dial in one trial (±20%). */
  moveCap?: number;
  /** Allowed ratio λ_j/λ_{j+1} of adjacent levels. */
  ratioBounds?: [number, number];
  /** Trials without improvement before tuning stops (N_no_improve). */
  noImprove?: number;
  /** Largest λ a move may reach. */
  lambdaCap?: number;
  /** Rollbacks allowed per run before tuning stops. */
  maxRollbacks?: number;
}

export interface SparsitySpec {
  mode?: "global" | "per-band";
  /** |(Wx)_i| > tau counts as non-zero in sparsity_wx. */
  tau?: number;
}

export interface LensSpec {
  candidates?: string[];
  keepFraction?: number;
}

export interface CertificationSpec {
  etaMax?: number;
  gammaMin?: number;
  /**
   * The polish's review interval: every this many iterations after a certificate it re-certifies
   * if the support or a dial changed, else once an interval has passed that starts here and
   * doubles (up to 32×) while nothing changes (controller/certificate-cadence.ts).
   */
  every?: number;
  /**
   * Support hysteresis δ ∈ [0, 1): a tuning or polish certificate whose support is not covered by
   * the last one is first taken on a hull — the support plus the coefficients within a factor
   * 1 − δ of their threshold — so that the next supports, inside it, need no new certificate
   * (controller/certificate-hull.ts). 0: certify the support alone.
   */
  hull?: number;
  /** Slack of the Lyapunov descent check. */
  lyapunovTol?: number;
  invariantTol?: number;
}

export interface BudgetsSpec {
  maxIters?: number;
  maxTrials?: number;
  wallTimeMs?: number;
  /** Stop when the relative energy change falls below tol. */
  tol?: number;
  /**
   * Optimality stopping: primalDual is converged when ‖r_P‖ ≤ atol·√n + rtol·s_P and
   * ‖r_D‖ ≤ atol·√m + rtol·s_D (runtime/primal-dual.ts); forward–backward families when the
   * gradient mapping ‖G_α(y)‖ ≤ atol·√n + rtol·‖x⁺‖/α (`FlowRunner.converged`, checked in the polish).
   */
  rtol?: number;
  atol?: number;
  /**
   * Largest element count of one state slot or data array (checked by lint from the declared
   * shapes, before anything is allocated). Default: 1/16 of the machine's memory divided by the
   * bytes of one element of the dtype (`defaultMaxElements`).
   */
  maxElements?: number;
}

export interface PoliciesSpec {
  flow?: FlowPolicySpec;
  multiscale?: MultiscaleSpec;
  tuner?: TunerSpec;
  control?: ControlSpec;
  sparsity?: SparsitySpec;
  lens?: LensSpec;
  certification?: CertificationSpec;
  budgets?: BudgetsSpec;
}

/** A flow specification: the energy E(x) = Σ smooth terms + Σ non-smooth terms over state slots. */
export interface FlowSpec<
  Slots extends Record<string, SlotSpec> = Record<string, SlotSpec>,
  Data extends Record<string, DataValue> = Record<string, DataValue>,
  Ops extends Record<string, OpSpec> = Record<string, OpSpec>,
  Transforms extends Record<string, TransformSpec> = Record<string, TransformSpec>,
> {
  name?: string;
  description?: string;
  dtype?: Dtype;
  seed?: number;
  state: Slots;
  data?: Data;
  /**
   * What is known of the noise in each data array: `{ y: { sigma: 0.01 } }` — the standard
   * deviation of its white noise. The discrepancy principle, SURE and the data fit use it;
   * without it σ is estimated from the data (core's `noiseLevel`).
   */
  noise?: { [name in keyof Data & string]?: NoiseSpec };
  ops?: Ops;
  transforms?: Transforms;
  terms: TermSpec<keyof Slots & string, keyof Data & string, keyof Ops & string, keyof Transforms & string>[];
  invariants?: InvariantSpec[];
  policies?: PoliciesSpec;
}

/**
 * Any spec, whatever its slot/data/op/transform names: what functions that accept specs take
 * (`FlowSpec<{ x: ... }>` from defineFlow is not assignable to the default `FlowSpec`, whose
 * records are open).
 */
// biome-ignore lint/suspicious/noExplicitAny: the name parameters are checked where the spec is written
export type AnyFlowSpec = FlowSpec<any, any, any, any>;

/** What a spec factory receives: the run's dtype and seed, and free-form parameters (e.g. size). */
export interface FlowContext {
  dtype: Dtype;
  seed: number;
  params: Record<string, string>;
  /**
   * The element limit the run was given (`cflow --max-elements`), for the data a factory loads:
   * `loadArray(path, { dtype, maxElements })`. Undefined: the machine default.
   */
  maxElements?: number;
}
