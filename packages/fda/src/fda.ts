import { type Certificate, type CertificateContext, type CertificateHook, CflowError, type Json, type TracePoint } from "@cflow/core";
import { descentViolation } from "./descent.js";
import { type EstimateOptions, type EtaGammaEstimate, estimateEtaGammaInW, type RowEstimatorOptions } from "./estimate.js";
import { type ClassBound, classRowBound, isShiftCovariant } from "./class-bound.js";
import { checkGates } from "./gates.js";
import { structuredCertificate } from "./structured.js";

export interface FdaOptions {
  /** Hook name in events and reports (default "fda"). */
  name?: string;
  /** "auto" (default) takes a declared operator structure in closed form first (`structuredCertificate`); "exact" and "matrix-free" force that evaluator. */
  method?: EstimateOptions["method"];
  exactThreshold?: number;
  epsilon?: number;
  epsilonRel?: number;
  activeTol?: number;
  lanczos?: EstimateOptions["lanczos"];
  /** Row estimator of the matrix-free path, fixed or chosen per context (e.g. a colouring for the run's operator). */
  rows?: RowEstimatorOptions | ((ctx: CertificateContext) => RowEstimatorOptions);
  /** Stop Lanczos as soon as the γ gate is decided either way (default true: γ is then known to ± its residual). */
  stopWhenDecided?: boolean;
  /** An unconverged Lanczos γ fails the γ gate (default true: fail closed). */
  requireConvergence?: boolean;
  /**
   * A sampled (or invalidly probed) η_dd is only a lower bound: when it would pass the gate, every
   * row is computed exactly if the operator has at most this many rows (default 4096); above it
   * the η_dd gate fails closed.
   */
  exactRowsLimit?: number;
  /** Try the cheap verdicts first (a few sampled rows; the shift-class bound) before Lanczos (default true). */
  quick?: boolean;
  /** Rows sampled for the quick η_dd verdict (default 8). */
  quickRows?: number;
}

/** The FDA certificate hook, plus its estimate without gates (for tools and tests). */
export interface FdaHook extends CertificateHook {
  estimate(ctx: CertificateContext): EtaGammaEstimate;
}

/**
 * The certificate hook handed to the controller (docs/design.md §2.5): `certify` evaluates η_dd, γ and the
 * Gershgorin bound of the core operator in W-space (restricted to the active set when the
 * context carries coefficients) and applies the context's gates with a reason per violation;
 * `descentViolation` is the Lyapunov check of one step.
 */
export function fda(options: FdaOptions = {}): FdaHook {
  const name = options.name ?? "fda";
  const estimate = (ctx: CertificateContext, rowsOverride?: RowEstimatorOptions, skipGamma = false): EtaGammaEstimate => {
    const rows = rowsOverride ?? (typeof options.rows === "function" ? options.rows(ctx) : options.rows);
    return estimateEtaGammaInW(ctx.L_apply, ctx.W, {
      key: ctx.key,
      n: ctx.n,
      dtype: ctx.dtype,
      coefficients: ctx.coefficients,
      activeTol: options.activeTol,
      method: options.method,
      exactThreshold: options.exactThreshold,
      epsilon: options.epsilon,
      epsilonRel: options.epsilonRel,
      lanczos: options.lanczos,
      rows,
      skipGamma,
      ...((options.stopWhenDecided ?? true) ? { gammaGate: ctx.gates.gammaMin } : {}),
    });
  };
  /**
   * The cheap verdicts of the matrix-free path, before any Lanczos run: a few exact rows whose
   * η_dd already exceeds the gate fail it for certain (a sample is a lower bound); for a
   * shift-invariant L, the class bound's Gershgorin radius certifies γ ≥ min_i(L_ii − R_i) when
   * that clears γ_min, so a diagonally dominant restricted operator passes with a handful of
   * operator applications. Null when neither decides (or the problem is small: exact path).
   */
  const quickVerdict = (ctx: CertificateContext): { cert: Certificate | null; classBound: ClassBound | null } => {
    const none = { cert: null, classBound: null };
    if (options.quick === false || options.method === "exact") return none;
    const { etaMax, gammaMin } = ctx.gates;
    const pre = estimate(ctx, { sampleRows: options.quickRows ?? 8 }, true);
    if (pre.method !== "matrix-free" || pre.size === 0) return none;
    const make = (e: EtaGammaEstimate, pass: boolean, reasons: string[], extra: { [key: string]: Json }): Certificate => ({
      etaDD: e.etaDD,
      gamma: e.gamma,
      gammaGershgorin: e.gammaGershgorin,
      lambdaMax: null,
      method: "matrix-free",
      size: e.size,
      pass,
      reasons,
      cost: e.cost,
      diagnostics: { ...e.diagnostics, gates: { etaMax, gammaMin }, ...extra },
    });
    if (pre.etaDD > etaMax) {
      const g = checkGates({ ...pre, gamma: Number.POSITIVE_INFINITY, gammaConverged: true, gammaLowerBound: Number.POSITIVE_INFINITY, rows: "exact" }, ctx.gates);
      const cert = make({ ...pre, gammaGershgorin: Number.NaN }, false, [...g.reasons, `γ not evaluated: η_dd ≥ ${pre.etaDD.toPrecision(4)} (exact on ${pre.diagnostics.rowsComputed} sampled rows) already fails the gate`], {
        etaRows: "sampled (a lower bound: the failure is certain)",
        etaVerified: true,
        gammaSource: "not evaluated",
      });
      return { cert, classBound: null };
    }
    const limit = options.exactRowsLimit ?? 4096;
    const unverifiable = (why: string, e: EtaGammaEstimate, extra: { [key: string]: Json }) =>
      make({ ...e, gamma: Number.NaN, gammaGershgorin: Number.NaN }, false, [`${why}; certifying η_dd needs every row, and ${e.size} > exactRowsLimit = ${limit} — fail closed (γ not evaluated)`], {
        etaRows: "sampled (a lower bound: cannot certify)",
        etaVerified: false,
        gammaSource: "not evaluated",
        ...extra,
      });
    if (!(ctx.translationInvariant && isShiftCovariant(ctx.W))) {
      if (pre.size > limit) return { cert: unverifiable(`η_dd ≥ ${pre.etaDD.toPrecision(4)} on ${pre.diagnostics.rowsComputed} sampled rows is only a lower bound`, pre, {}), classBound: null };
      return none;
    }
    const u = ctx.coefficients;
    const active = u ? Int32Array.from(indicesAbove(u, options.activeTol ?? 0)) : Int32Array.from({ length: ctx.W.coeffSize }, (_, i) => i);
    const cb = classRowBound(ctx.L_apply, ctx.W, { n: ctx.n, dtype: ctx.dtype, active, epsilonRel: options.epsilonRel });
    const cost = { applications: pre.cost.applications + cb.classes, ms: pre.cost.ms + cb.ms };
    const cbJson = { etaUpper: cb.etaUpper, etaLower: cb.etaLower, gershgorinLower: cb.gershgorinLower, classes: cb.classes, ms: cb.ms };
    if (cb.etaUpper > etaMax) {
      // every restricted row, from the class rows: the failure is certain
      const g = checkGates({ ...pre, etaDD: cb.etaUpper, gamma: Number.POSITIVE_INFINITY, gammaConverged: true, gammaLowerBound: Number.POSITIVE_INFINITY, rows: "exact" }, ctx.gates);
      const cert = make({ ...pre, etaDD: cb.etaUpper, gamma: Number.NaN, gammaGershgorin: cb.gershgorinLower, cost }, false, [...g.reasons, "γ not evaluated: η_dd already fails the gate"], {
        etaRows: `every row, from ${cb.classes} shift-class rows`,
        etaVerified: true,
        gammaSource: "not evaluated",
        classBound: cbJson,
      });
      return { cert, classBound: cb };
    }
    if (cb.gershgorinLower < gammaMin) return { cert: null, classBound: cb };
    const cert = make({ ...pre, etaDD: cb.etaUpper, gamma: cb.gershgorinLower, gammaGershgorin: cb.gershgorinLower, cost }, true, [], {
      etaRows: `every row, from ${cb.classes} shift-class rows`,
      etaVerified: true,
      gammaSource: "Gershgorin lower bound of the class rows (≤ λ_min; Lanczos not needed)",
      classBound: cbJson,
    });
    return { cert, classBound: cb };
  };
  return {
    name,
    estimate,
    certify(ctx: CertificateContext): Certificate {
      const { etaMax, gammaMin } = ctx.gates;
      if (!(etaMax > 0) || Number.isNaN(gammaMin)) {
        throw new CflowError("BAD_GATES", `${name}.certify: gates must have η_max > 0 and a numeric γ_min, found η_max = ${etaMax}, γ_min = ${gammaMin}`, {
          path: "gates",
          expected: "{ etaMax > 0, gammaMin: number }",
          found: { etaMax, gammaMin },
        });
      }
      const structured = (options.method ?? "auto") === "auto" ? structuredCertificate(ctx, options) : null;
      if (structured) return structured;
      const quick = quickVerdict(ctx);
      if (quick.cert) return quick.cert;
      let est = estimate(ctx);
      const lowerBoundOnly = est.rows === "sampled" || (est.rows === "probed" && est.probingValid === false);
      let escalated = false;
      let unverifiable = false;
      let classBound: ClassBound | null = null;
      if (lowerBoundOnly && est.etaDD <= etaMax && ctx.translationInvariant && isShiftCovariant(ctx.W)) {
        // shift-invariant L on a periodised transform: a sound upper bound from one row per shift class
        const tol = options.activeTol ?? 0;
        const u = ctx.coefficients;
        const active = u ? Int32Array.from(indicesAbove(u, tol)) : Int32Array.from({ length: ctx.W.coeffSize }, (_, i) => i);
        classBound = quick.classBound ?? classRowBound(ctx.L_apply, ctx.W, { n: ctx.n, dtype: ctx.dtype, active, epsilonRel: options.epsilonRel });
        const cost = { applications: est.cost.applications + classBound.classes, ms: est.cost.ms + classBound.ms };
        est = { ...est, cost };
        if (classBound.etaUpper <= etaMax) {
          est = { ...est, etaDD: classBound.etaUpper, gammaGershgorin: Math.min(est.gammaGershgorin, classBound.gershgorinLower) };
          escalated = true;
        }
      }
      if (lowerBoundOnly && !escalated && est.etaDD <= etaMax) {
        // a lower bound below the gate proves nothing: compute every row, or fail closed
        if (est.size <= (options.exactRowsLimit ?? 4096)) {
          const cost = est.cost;
          est = estimate(ctx, { sampleRows: est.size });
          est = { ...est, cost: { applications: est.cost.applications + cost.applications, ms: est.cost.ms + cost.ms } };
          escalated = true;
        } else unverifiable = true;
      }
      const gates = checkGates(est, ctx.gates, { requireConvergence: options.requireConvergence });
      const pass = gates.pass && !unverifiable;
      const reasons = unverifiable
        ? [
            ...gates.reasons,
            `η_dd is only a sampled lower bound (${est.etaDD.toPrecision(4)} over ${est.diagnostics.rowsComputed} of ${est.size} rows); certifying it needs every row, and ${est.size} > exactRowsLimit = ${options.exactRowsLimit ?? 4096} — fail closed`,
          ]
        : gates.reasons;
      return {
        etaDD: est.etaDD,
        gamma: est.gamma,
        gammaGershgorin: est.gammaGershgorin,
        lambdaMax: est.lambdaMax,
        method: est.method,
        size: est.size,
        pass,
        reasons,
        cost: est.cost,
        diagnostics: {
          ...est.diagnostics,
          gammaResidual: est.gammaResidual,
          probingValid: est.probingValid,
          etaRows: classBound && classBound.etaUpper <= etaMax ? `every row, from ${classBound.classes} shift-class rows` : escalated ? "exact (escalated from a sampled lower bound)" : est.rows,
          ...(classBound ? { classBound: { etaUpper: classBound.etaUpper, etaLower: classBound.etaLower, gershgorinLower: classBound.gershgorinLower, classes: classBound.classes, ms: classBound.ms } } : {}),
          etaVerified: !lowerBoundOnly || escalated,
          gates: { etaMax, gammaMin },
        },
      };
    },
    descentViolation(prev: TracePoint, next: TracePoint, o: { monotone: boolean; tol: number; beta?: number }): number {
      return descentViolation(prev, next, o);
    },
  };
}

function indicesAbove(u: ArrayLike<number>, tol: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < u.length; i++) if (Math.abs(u[i]) > tol) out.push(i);
  return out;
}
