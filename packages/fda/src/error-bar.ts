import { CflowError, type CertificateContext, type ErrorBar as CertificateErrorBar, type GammaRoute } from "@cflow/core";
import { formatNumber } from "./format.js";

export interface ErrorBarInput {
  /** Step size α of the forward–backward step. */
  alpha: number;
  /** Smoothness: ∇f is β-Lipschitz on the support (e.g. λ_max(L_S) ≤ β). */
  beta: number;
  /** Restricted strong convexity: f is γ-strongly convex on the support (γ ≤ λ_min(L_S), a certified lower bound). */
  gamma: number;
  /** ‖G_α(x)‖ = ‖x − T x‖/α, the gradient-mapping norm at x. */
  gradientMapping: number;
}

export interface ErrorBar {
  /** ‖x − x*_S‖ ≤ bound (Infinity when the assumptions give no contraction). */
  bound: number;
  /** Contraction factor q of T on the support. */
  q: number;
}

/**
 * Distance from x to the minimiser x*_S of the problem restricted to the support S of x.
 *
 * Assumptions: F = f + g with g convex, separable over the W-space coordinates (so its prox acts
 * coordinate-wise and maps the coordinates of S to themselves), x supported in S, and f restricted
 * to S γ-strongly convex and β-smooth (for least squares: γ ≤ λ_min(L_S) ≤ λ_max(L_S) ≤ β), with
 * 0 < α < 2/β. Then on the support T = prox_{αg} ∘ (I − α∇f) is a contraction: I − α∇f has
 * Lipschitz constant q = max(|1 − αγ|, |1 − αβ|) < 1 there and the prox is non-expansive. So
 * ‖x − x*_S‖ ≤ ‖x − Tx‖ + ‖Tx − Tx*_S‖ ≤ α‖G_α(x)‖ + q‖x − x*_S‖, i.e.
 * ‖x − x*_S‖ ≤ α‖G_α(x)‖/(1 − q). The full step's gradient mapping may be used: its S
 * coordinates are the restricted step's, so its norm is at least the restricted one. For a unitary
 * W the same bound holds in x-space; x*_S = x* whenever S contains the support of the minimiser.
 * With α = 1/β it reads ‖G_α(x)‖/γ. Conversely ‖x − x*_S‖ ≥ α‖G_α(x)‖/(1 + q), so the bound is
 * within (1 + q)/(1 − q) of the truth.
 */
export function forwardBackwardErrorBar(input: ErrorBarInput): ErrorBar {
  const { alpha, beta, gamma, gradientMapping } = input;
  for (const [name, v] of Object.entries(input)) {
    if (!Number.isFinite(v) || v < 0) {
      throw new CflowError("BAD_OPTION", `forwardBackwardErrorBar: ${name} must be a finite number ≥ 0, found ${v}`, { path: name, expected: "finite ≥ 0", found: v });
    }
  }
  if (!(alpha > 0 && alpha * beta < 2) || gamma > beta) {
    throw new CflowError("BAD_OPTION", `forwardBackwardErrorBar: need 0 < α < 2/β and γ ≤ β, found α = ${alpha}, β = ${beta}, γ = ${gamma}`, {
      path: "alpha",
      expected: "0 < α < 2/β, γ ≤ β",
      found: { alpha, beta, gamma },
    });
  }
  // 1 − q = min(αγ, 2 − αβ) for γ ≤ β, computed without the cancellation of 1 − (1 − αγ)
  const gap = Math.min(alpha * gamma, 2 - alpha * beta);
  const q = 1 - gap;
  if (!(gap > 0)) return { bound: Number.POSITIVE_INFINITY, q };
  // a few roundings (α·γ, α·‖G‖, the quotient): round the bound up
  return { bound: ((alpha * gradientMapping) / gap) * (1 + 8 * 2 ** -53), q };
}

/** The error bar of a passing certificate, when the context gave the step: ‖x − x*_S‖ ≤ α‖G_α(x)‖/(1 − q). */
export function errorBarFor(ctx: CertificateContext, gamma: number, sigma: number, route: GammaRoute, failureProbability: number): { bar: CertificateErrorBar | null; note: string | null } {
  const step = ctx.step;
  if (!step || !(gamma > 0) || !Number.isFinite(sigma)) return { bar: null, note: null };
  const { alpha, gradientMapping } = step;
  if (!(alpha > 0 && alpha * sigma < 2) || !(gradientMapping >= 0) || !Number.isFinite(gradientMapping)) {
    return { bar: null, note: `no error bar: the step α = ${formatNumber(alpha)} is not below 2/λ_max(L_S) ≥ 2/${formatNumber(sigma)} (no contraction proven on the support), or ‖G‖ = ${formatNumber(gradientMapping)}` };
  }
  const { bound } = forwardBackwardErrorBar({ alpha, beta: sigma, gamma: Math.min(gamma, sigma), gradientMapping });
  return { bar: { bound, gradientMapping, route, failureProbability }, note: null };
}

