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
}

/** The certificates of one evaluation. */
export interface Certificate {
  /** Diagonal dominance η_dd = max_i Σ_{j≠i}|L_ij| / (|L_ii| + ε) of (restricted) L_W. */
  etaDD: number;
  /** Spectral gap: the smallest eigenvalue of (restricted) L_W (Lanczos or exact). */
  gamma: number;
  /** Gershgorin lower bound min_i(|L_ii| − Σ_{j≠i}|L_ij|) (never above gamma). */
  gammaGershgorin: number;
  /** Largest eigenvalue when computed (the Lipschitz constant of the restricted problem). */
  lambdaMax: number | null;
  /** exact: dense eigen-decomposition; matrix-free: rows and Lanczos; structured: closed form from the declared structure. */
  method: "exact" | "matrix-free" | "structured";
  /** Size of the (restricted) operator the certificates were computed on. */
  size: number;
  pass: boolean;
  /** Why it failed (or notes on a pass): human-readable, one per violated gate. */
  reasons: string[];
  /** Operator applications and time spent — the controller reports certificate cost. */
  cost: { applications: number; ms: number };
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
}
