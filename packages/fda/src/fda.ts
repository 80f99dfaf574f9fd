import { type Certificate, type CertificateContext, type CertificateHook, CflowError, type Json, type TracePoint } from "@cflow/core";
import { resolveActive } from "./active-set.js";
import { CertificateCache } from "./certificate-cache.js";
import { descentViolation } from "./descent.js";
import { type EstimateOptions, type EtaGammaEstimate, estimateEtaGammaInW, type RowEstimatorOptions } from "./estimate.js";
import type { GammaRouteOptions } from "./gamma-routes.js";
import { matrixFreeStage } from "./matrix-free-stage.js";
import { restrictedStage } from "./restricted-stage.js";
import { emptySupportStage, inheritedStage, type StageInput, structuredStage, type VerdictStage } from "./stages.js";

export interface FdaOptions {
  /** Hook name in events and reports (default "fda"). */
  name?: string;
  /**
   * "auto" (default): every stage in order; "exact" forces the explicit restricted matrix (one
   * application per row at any size); "matrix-free" only the rows-and-Lanczos stage.
   */
  method?: EstimateOptions["method"];
  epsilon?: number;
  epsilonRel?: number;
  /** Coefficients with |u_i| ≤ activeTol are inactive (default 0; NaN is always active). */
  activeTol?: number;
  lanczos?: EstimateOptions["lanczos"];
  /** Row estimator of the matrix-free stage, fixed or chosen per context (e.g. a colouring for the run's operator). */
  rows?: RowEstimatorOptions | ((ctx: CertificateContext) => RowEstimatorOptions);
  /** Stop Lanczos as soon as the γ gate is decided either way (default true). */
  stopWhenDecided?: boolean;
  /** The explicit restricted matrix by one application per row up to this many rows (default 1024); the matrix-free stage escalates sampled rows to all of them up to 4096. */
  exactRowsLimit?: number;
  /** The explicit restricted matrix from shift-class rows up to this |S| (default 20000: ~25 M stored entries on a 2D blur). */
  restrictMax?: number;
  /**
   * The matrix-free stage reads every restricted row from the shift-class rows (the restricted
   * stage's, built once per (L, W)) while L̂_S is expected to hold at most this many entries
   * (default 1e7, ~120 MB while the rows are summed); beyond it, from the class bound's columns.
   */
  rowSumsMaxEntries?: number;
  /**
   * Supports of at least this many coefficients first look for a certain η_dd failure on one slab
   * of the domain (an eighth of every band) before summing every row (default 8192).
   */
  slabRows?: number;
  /** Try a few sampled rows before the full matrix-free estimate (default true). */
  quick?: boolean;
  /** Rows sampled for the quick η_dd verdict (default 8). */
  quickRows?: number;
  /** Stated failure probability of a probabilistic γ (default 1e-6). */
  failureProbability?: number;
  /** When each γ route of the restricted matrix is tried. */
  routes?: Omit<GammaRouteOptions, "failureProbability">;
  /** Supports inside a certified one inherit its certificate (default true). */
  inherit?: boolean;
}

/** The FDA certificate hook, plus its estimate without gates (for tools and tests). */
export interface FdaHook extends CertificateHook {
  estimate(ctx: CertificateContext): EtaGammaEstimate;
  saveState(): Json;
  restoreState(state: Json): void;
}

/**
 * The verdict stages in order; the first that returns a certificate decides: an empty support;
 * a declared structure in closed form; a support inside one already certified (inherited); the
 * explicit restricted matrix (shift-class rows or one application per row) with the γ routes;
 * rows and Lanczos on the operator.
 */
export const FDA_STAGES: readonly VerdictStage[] = [emptySupportStage, structuredStage, inheritedStage, restrictedStage, matrixFreeStage];

/**
 * The certificate hook handed to the controller (docs/design.md §2.5): η_dd and γ of the core
 * operator in W-space, restricted to the active set when the context carries coefficients, against
 * the context's gates. GREEN needs both gates: η_dd (plain, or optimally scaled) ≤ η_max and γ
 * ≥ γ_min with γ a proven lower bound of λ_min or one whose failure probability is stated.
 */
export function fda(options: FdaOptions = {}): FdaHook {
  const name = options.name ?? "fda";
  const cache = new CertificateCache();
  return {
    name,
    estimate(ctx: CertificateContext): EtaGammaEstimate {
      const rows = typeof options.rows === "function" ? options.rows(ctx) : options.rows;
      return estimateEtaGammaInW(ctx.L_apply, ctx.W, { key: ctx.key, n: ctx.n, dtype: ctx.dtype, coefficients: ctx.coefficients, activeTol: options.activeTol, method: options.method, epsilon: options.epsilon, epsilonRel: options.epsilonRel, lanczos: options.lanczos, rows });
    },
    certify(ctx: CertificateContext): Certificate {
      const { etaMax, gammaMin } = ctx.gates;
      if (!(etaMax > 0) || Number.isNaN(gammaMin)) {
        throw new CflowError("BAD_GATES", `${name}.certify: gates must have η_max > 0 and a numeric γ_min, found η_max = ${etaMax}, γ_min = ${gammaMin}`, {
          path: "gates",
          expected: "{ etaMax > 0, gammaMin: number }",
          found: { etaMax, gammaMin },
        });
      }
      const m = ctx.W ? ctx.W.coeffSize : ctx.n;
      const input: StageInput = { ctx, options, active: resolveActive({ coefficients: ctx.coefficients, activeTol: options.activeTol, known: ctx.active }, m, `${name}.certify`), m, cache, t0: performance.now() };
      for (const stage of FDA_STAGES) {
        const cert = stage(input);
        if (cert) return cert;
      }
      throw new CflowError("NO_VERDICT", `${name}.certify: no stage decided`, { path: "fda", expected: "a verdict", found: "none" });
    },
    descentViolation(prev: TracePoint, next: TracePoint, o: { monotone: boolean; tol: number; beta?: number }): number {
      return descentViolation(prev, next, o);
    },
    // the cache of certified supports and the Collatz–Wielandt warm start travel in checkpoints
    saveState: () => cache.save(),
    restoreState: (state: Json) => cache.restore(state, "controller_state.certificateHook.state"),
  };
}
