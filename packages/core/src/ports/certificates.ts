import type { Dtype, RealArray } from "../dtype.js";
import type { RngKey } from "../rng.js";
import type { LinearStructure } from "../ops/structure.js";
import type { TransformOp } from "../transforms/transform.js";
import type { Json } from "./events.js";

/**
 * What the controller hands the certificate hook: the smooth part's core operator and the
 * transform, both in the flow's state space (manifold slots already linearised in tangent
 * coordinates by the compiler), plus the current W-space coefficients for the active set.
 */
export interface CertificateContext {
  /** out ← L v, L = ∇²f (x-space, n = state length); out is overwritten. */
  L_apply(v: RealArray, out: RealArray): void;
  n: number;
  dtype: Dtype;
  /** The flow's transform (block-diagonal over slots), or null for the identity. */
  W: TransformOp | null;
  /**
   * W-space coefficients of the current iterate after the prox when the flow has a sparsity prox
   * (the certificates are then restricted to their support, docs/design.md §2.5), else null (full L_W).
   */
  coefficients: RealArray | null;
  /**
   * `activeIndices(coefficients)` (active-set.ts: the non-zeros, ascending), when the caller has
   * them: a hook whose active set is that rule reads them instead of scanning the coefficients.
   */
  active?: Int32Array | null;
  gates: { etaMax: number; gammaMin: number };
  /**
   * L is constant and commutes with circular shifts of the state grid, and W declares its bands'
   * shift strides (`W.translationStride`): every row of L_W is a translate of one of a few
   * representatives per band, which certificates may use to bound all rows from those few.
   */
  translationInvariant?: boolean;
  /**
   * The declared structure of L (x-space; `CompiledFlow.hessianStructure`), when every smooth term
   * declares one: certificates may take η_dd and γ from it in closed form instead of from rows of
   * L_apply (checking it against L_apply on a probe). Absent or null: unknown.
   */
  structure?: LinearStructure | null;
  /** Randomness for probes and Lanczos starts (derived from the run's key). */
  key: RngKey;
  /**
   * The step at the certified iterate x (whose W-space coefficients are `coefficients`): the step
   * size α and ‖G_α(x)‖, the gradient-mapping norm of one forward–backward step from x. With them
   * a passing certificate carries an error bar on ‖x − x*_S‖ (`Certificate.errorBar`).
   */
  step?: { alpha: number; gradientMapping: number } | null;
}

/** One violated gate: the measured value against its threshold, and a sentence saying so. */
export interface CertificateViolation {
  /**
   * `eta` (η_dd ≤ η_max), `gamma` (γ ≥ γ_min), `support` (an empty active set: value = its size),
   * `structure` (a declared Hessian structure that does not match L_apply: value = the probe's
   * relative error), `rows` (η_dd is only a sampled lower bound and cannot be certified: value =
   * the rows computed, threshold = the rows needed), `descent` (the Lyapunov descent of the last
   * steps: value = the violation, threshold = the tolerance; a step-size problem, not a λ one).
   */
  gate: "eta" | "gamma" | "support" | "structure" | "rows" | "descent";
  value: number;
  threshold: number;
  message: string;
}

/** How γ was certified (README "Certificates" of @cflow/fda). */
export type GammaRoute =
  | "structured"
  | "gershgorin"
  | "scaled-gershgorin"
  | "inertia"
  | "lanczos"
  | "lanczos-congruence"
  | "inherited"
  | "none";

/**
 * ‖x − x*_S‖ ≤ bound: the distance from the certified iterate to the minimiser on its support,
 * from γ and the gradient mapping; it holds with probability ≥ 1 − failureProbability when γ's
 * route is probabilistic (0: proven).
 */
export interface ErrorBar {
  bound: number;
  /** ‖G_α(x)‖ it was computed from. */
  gradientMapping: number;
  /** The route of the γ it used. */
  route: GammaRoute;
  failureProbability: number;
}

/** The certificates of one evaluation. */
export interface Certificate {
  /**
   * Diagonal dominance of (restricted) L_W, an upper bound: the plain max_i Σ_{j≠i}|L_ij| / (|L_ii| + ε)
   * or the optimally scaled ρ(D⁻¹|L − D|) (Collatz–Wielandt bound), the smaller (`dominance`).
   */
  etaDD: number;
  /** Which dominance etaDD is. */
  dominance: "plain" | "scaled";
  /**
   * Spectral gap: a lower bound of the smallest eigenvalue of (restricted) L_W, proven or holding
   * with probability ≥ 1 − failureProbability (`route`). NaN when not evaluated.
   */
  gamma: number;
  /** How γ was obtained. */
  route: GammaRoute;
  /** 0 when γ is proven; else the stated probability that λ_min < γ. */
  failureProbability: number;
  /** Gershgorin lower bound min_i(|L_ii| − Σ_{j≠i}|L_ij|) (never above gamma). */
  gammaGershgorin: number;
  /** Largest eigenvalue when computed (the Lipschitz constant of the restricted problem). */
  lambdaMax: number | null;
  /**
   * exact: an explicit (restricted) matrix with a bound on its distance to the operator;
   * matrix-free: rows and Lanczos on the operator; structured: closed form from the declared structure.
   */
  method: "exact" | "matrix-free" | "structured";
  /** Size of the (restricted) operator the certificates were computed on. */
  size: number;
  pass: boolean;
  /** The violated gates (empty on a pass). */
  violations: CertificateViolation[];
  /** Human-readable: the violations' messages, one per violated gate. */
  reasons: string[];
  /** Remarks that are not violations (how a bound was obtained, an asymmetric operator, …). */
  notes: string[];
  /** ‖x − x*_S‖ on a pass when the context gave the step (`CertificateContext.step`), else null. */
  errorBar: ErrorBar | null;
  /**
   * Operator applications and time spent. The hook reports its own; the controller's record of a
   * verdict (CERT_PASS/CERT_FAIL `ms`, the run's certificates) counts all the certification took:
   * its forward step at x, the hull, and every evaluation. `phases`, when the hook times its own
   * parts (ms by name: fda's `prepare`, `assemble`, `dominance`, `gamma`), say where its time went.
   */
  cost: { applications: number; ms: number; phases?: { [phase: string]: number } };
  /** Estimator diagnostics (matrix-free path): iterations, residuals, standard errors. */
  diagnostics: { [key: string]: Json };
}

/**
 * One entry of the energy trace the descent check reads: the step x_{k−1} → x_k of iteration k
 * (as in its telemetry row).
 */
export interface TracePoint {
  iter: number;
  /** E(x_k), after the step. */
  E: number;
  /** ‖G_α(x_{k−1})‖ = ‖x_{k−1} − x_k‖/α, the gradient-mapping norm of this step. */
  gradNorm: number;
  /** The step size α of this step. */
  alpha: number;
  /** The family restarted its momentum at this iteration. */
  restarted: boolean;
}

/** The certificate port: FDA is a hook handed to the controller, never wired into it. */
export interface CertificateHook {
  readonly name: string;
  certify(ctx: CertificateContext): Certificate;
  /**
   * Lyapunov descent on the last step of the trace: E(x_{k+1}) ≤ E(x_k) − α₀‖G_α(x_k)‖² + tol
   * for monotone families (`next` is the step x_k → x_{k+1}); returns the violation (> 0) or 0.
   * α₀ = α(1 − αβ/2) when the Lipschitz constant β is given, else α/2 (valid for α ≤ 1/β).
   */
  descentViolation(prev: TracePoint, next: TracePoint, options: { monotone: boolean; tol: number; beta?: number }): number;
  /**
   * What the hook keeps between certificates and reads in later ones (a cache of certified
   * supports, a warm start), as JSON: every checkpoint carries it (`controller_state.certificateHook`,
   * SCHEMA.md "Checkpoints") and a resumed run hands it to `restoreState` before its first
   * certificate, so the resumed run decides and records what the uninterrupted one did. A hook
   * whose certificates depend on nothing but their context has neither method.
   */
  saveState?(): Json;
  /** Takes back what `saveState` returned (the hook is fresh: no certificate yet); throws on a state it cannot read. */
  restoreState?(state: Json): void;
}
