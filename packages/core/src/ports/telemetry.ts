import type { Phase } from "./events.js";

/**
 * One telemetry row per iteration or tuner trial (telemetry.parquet). Metrics only — never raw
 * arrays. `null` means "not measured at this row" (certificates are not evaluated every step).
 * SCHEMA.md is the contract for names, types and units; the recorder maps these camelCase fields
 * to the snake_case columns.
 */
export interface TelemetryRow {
  phase: Phase;
  iter: number;
  /** Tuner trial the row belongs to, or null outside tuning. */
  trialId: number | null;
  tWallMs: number;
  /** Step size α used by this iteration. */
  alpha: number;
  /** Global sparsity weight λ (null when the flow has no sparsity term). */
  lambda: number | null;
  /** Per-band λ_j (null when not per-band). */
  lambdaJ: number[] | null;
  /** Energy E(x) = f(x) + g(x) after the step. */
  E: number;
  /** Norm of the gradient mapping G_α(x) = (x − x⁺)/α (the gradient for smooth flows). */
  gradNorm: number;
  etaDD: number | null;
  gamma: number | null;
  /** Fraction of W-coefficients above threshold after the prox, or null without a transform. */
  sparsityWx: number | null;
  invariantDriftMax: number | null;
  phiResidual: number | null;
  lensName: string | null;
  levelActiveMax: number | null;
  sparsityMode: string | null;
  flowFamily: string;
  warnings: string[];
  notes: string | null;
  /**
   * The family's scale-free optimality measure after the step (primal–dual: the larger of the
   * primal and dual residuals, each relative to the terms it balances; forward–backward: the
   * gradient-mapping norm relative to ‖x⁺‖/α, `StepMetrics.optimality`); null or absent when the
   * family reports none.
   */
  optimality?: number | null;
  /** ‖r_P‖ and ‖r_D‖ of a primal–dual step (runtime/primal-dual.ts); null or absent otherwise. */
  primalResidual?: number | null;
  dualResidual?: number | null;
  /**
   * On a certificate row whose certificate passed with an error bar: the bound on ‖x − x*_S‖, the
   * distance from the certified iterate to the minimiser on its support (`Certificate.errorBar`);
   * null or absent otherwise.
   */
  errorBar?: number | null;
}
