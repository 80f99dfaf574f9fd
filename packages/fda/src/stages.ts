import type { Certificate, CertificateContext } from "@cflow/core";
import type { CertificateCache } from "./certificate-cache.js";
import { errorBarFor } from "./error-bar.js";
import type { FdaOptions } from "./fda.js";
import { structuredCertificate } from "./structured.js";
import { certificate, emptySupportViolation, GAMMA_NOT_EVALUATED, etaViolation, gammaViolation, describeOperator, routeLabel } from "./verdict.js";

/** What every verdict stage reads: the request, the options, the active set (one rule, computed once) and the hook's cache. */
export interface StageInput {
  ctx: CertificateContext;
  options: FdaOptions;
  /** The active set (ascending), or null: the whole of W-space. */
  active: Int32Array | null;
  /** W-space size. */
  m: number;
  cache: CertificateCache;
  t0: number;
}

/** One verdict stage: a certificate when it decides, undefined to hand over to the next. */
export type VerdictStage = (s: StageInput) => Certificate | undefined;

/** An empty support certifies nothing. */
export const emptySupportStage: VerdictStage = ({ ctx, active, t0 }) => {
  if (!active || active.length > 0) return undefined;
  return certificate(
    {
      method: "exact",
      size: 0,
      etaDD: 0,
      dominance: "plain",
      ...GAMMA_NOT_EVALUATED,
      violations: [emptySupportViolation()],
      notes: [],
      cost: { applications: 0, ms: performance.now() - t0 },
      diagnostics: { emptyActiveSet: true, subspace: "restricted" },
    },
    ctx.gates,
  );
};

/** A declared structure in closed form (`structuredCertificate`), method "auto" only. */
export const structuredStage: VerdictStage = ({ ctx, options, active }) => {
  if ((options.method ?? "auto") !== "auto") return undefined;
  return structuredCertificate(ctx, active, options) ?? undefined;
};

/**
 * A support inside one this hook already certified for the same operator inherits its certificate
 * (`CertificateCache`): no work beyond the subset test.
 */
export const inheritedStage: VerdictStage = ({ ctx, options, active, cache, t0 }) => {
  if (!active || options.inherit === false || (options.method ?? "auto") === "matrix-free") return undefined;
  const parent = cache.inherited(ctx, active);
  if (!parent) return undefined;
  const { etaMax, gammaMin } = ctx.gates;
  const where = describeOperator({ size: active.length, subspace: "restricted" });
  const violations = [];
  if (!(parent.etaDD <= etaMax)) violations.push(etaViolation(parent.etaDD, etaMax, where, parent.dominance, ` (inherited from ${parent.size} coefficients)`));
  if (!(parent.gamma >= gammaMin)) violations.push(gammaViolation(parent.gamma, gammaMin, where, routeLabel("inherited", parent.failureProbability), true));
  const { bar, note } = errorBarFor(ctx, parent.gamma, parent.sigma, "inherited", parent.failureProbability);
  return certificate(
    {
      method: "exact",
      size: active.length,
      etaDD: parent.etaDD,
      dominance: parent.dominance,
      gamma: parent.gamma,
      route: "inherited",
      failureProbability: parent.failureProbability,
      gammaGershgorin: Number.NaN,
      lambdaMax: parent.sigma,
      violations,
      notes: [`inherited from a certified support of ${parent.size} coefficients containing this one (γ by ${parent.route}): λ_min(L_S) ≥ λ_min(L_S₀) by Cauchy interlacing, ρ(|J_S|) ≤ ρ(|J_S₀|) by Perron monotonicity`, ...(note ? [note] : [])],
      errorBar: bar,
      cost: { applications: 0, ms: performance.now() - t0 },
      diagnostics: { subspace: "restricted", inheritedFrom: { size: parent.size, route: parent.route } },
    },
    ctx.gates,
  );
};
