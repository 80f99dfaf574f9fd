import type { Certificate, FlowEvent } from "@cflow/core";
import { formatNumber } from "../report/format.js";
import type { Style } from "../style.js";

export interface Gates {
  etaMax: number;
  gammaMin: number;
}

/**
 * A certificate in one line, and the reasons it leaves for the lines below it. A verdict the
 * gates explain reads `η_dd = 0.47 ≤ η_max = 0.9 · γ = 0.16 ≥ γ_min = 1e-6 · matrix-free on 1317
 * active coefficients` (with the failing gate in red, and `γ not evaluated (η_dd already fails)`
 * when a few rows already failed η_dd). A certificate that failed closed for another reason — an η_dd
 * known only as a sampled lower bound, a declaration that did not match the operator — shows no
 * gate values that would look like a pass: `not certified: <its first reason> · matrix-free on …`.
 */
export function certificateSummary(
  c: Pick<Certificate, "etaDD" | "gamma" | "method" | "size" | "pass" | "reasons">,
  gates: Gates,
  style: Style,
  restricted: boolean,
): { line: string; details: string[] } {
  const etaFails = c.etaDD > gates.etaMax;
  const gammaFails = Number.isFinite(c.gamma) && c.gamma < gates.gammaMin;
  const where = `${c.method} on ${c.size} ${restricted ? "active coefficients" : "unknowns"}`;
  const sep = style.dim(" · ");
  if (!c.pass && !etaFails && !gammaFails) {
    const [first, ...rest] = c.reasons;
    return { line: [`${style.red("not certified")}: ${first ?? "no reason recorded"}`, where].join(sep), details: rest };
  }
  const mark = (ok: boolean, s: string) => (ok ? style.green(s) : style.red(s));
  const line = [
    mark(!etaFails, `η_dd = ${formatNumber(c.etaDD)} ${etaFails ? ">" : "≤"} η_max = ${formatNumber(gates.etaMax)}`),
    Number.isFinite(c.gamma) ? mark(!gammaFails, `γ = ${formatNumber(c.gamma)} ${gammaFails ? "<" : "≥"} γ_min = ${formatNumber(gates.gammaMin)}`) : style.dim(etaFails ? "γ not evaluated (η_dd already fails)" : "γ not evaluated"),
    where,
  ].join(sep);
  return { line, details: c.pass ? [] : c.reasons };
}

/** A certificate as JSON output (no estimator internals). */
export function certificateJson(c: Certificate): Record<string, unknown> {
  return {
    eta_dd: c.etaDD,
    dominance: c.dominance,
    gamma: c.gamma,
    route: c.route,
    failure_probability: c.failureProbability,
    gamma_gershgorin: c.gammaGershgorin,
    lambda_max: c.lambdaMax,
    error_bar: c.errorBar ? c.errorBar.bound : null,
    method: c.method,
    size: c.size,
    pass: c.pass,
    reasons: c.reasons,
    ms: c.cost.ms,
  };
}

/**
 * The error bar of a passing certificate in one line — `error bar ‖x − x*_S‖ ≤ 4.4 (γ by
 * lanczos-congruence, holds with probability ≥ 1 − 1e-6)` — or null when it carries none.
 */
export function errorBarLine(c: Pick<Certificate, "errorBar">): string | null {
  const e = c.errorBar;
  if (!e) return null;
  const p = e.failureProbability > 0 ? `, holds with probability ≥ 1 − ${formatNumber(e.failureProbability)}` : ", proven";
  const how = e.route === "inherited" ? "γ inherited from a certified support containing S" : `γ by ${e.route}`;
  return `error bar ‖x − x*_S‖ ≤ ${formatNumber(e.bound)} (${how}${p})`;
}

/** What a primal–dual run's certificate holds: its FLOW_POLICY_APPLIED step-size parameters. */
export interface StepSizeCertificate {
  /** The bound of ‖K‖ the step sizes rest on (null when preconditioned: no norm is needed). */
  op_norm_bound: number | null;
  /** `analytic` (proven), `power-iteration` (an estimate, not a proof) or `preconditioned`. */
  op_norm_route: string;
  /** τ and σ (null when preconditioned: τ is per element and σ per dual block). */
  tau: number | null;
  sigma: number | null;
  theta: number | null;
  /** The Lipschitz constant of the smooth part. */
  beta_lipschitz: number | null;
  /** Each op's norm bound and its route. */
  ops: { term: string; op: string; norm: number; route: string }[];
  /** Whether the convergence condition rests on a proof (not a power-iteration estimate). */
  proven: boolean;
}

/**
 * The step-size certificate of a primal–dual run (Chambolle–Pock: στ‖K‖² < 1 on a bound of ‖K‖,
 * or Pock–Chambolle preconditioning), read from its FLOW_POLICY_APPLIED event; null for other
 * families, whose certificates are CERT_PASS/CERT_FAIL events.
 */
export function stepSizeCertificate(events: readonly FlowEvent[]): StepSizeCertificate | null {
  const e = events.find((ev) => ev.event === "FLOW_POLICY_APPLIED" && typeof (ev.payload.params as { op_norm_route?: unknown } | undefined)?.op_norm_route === "string");
  if (!e) return null;
  const p = e.payload.params as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  const route = String(p.op_norm_route);
  const ops = Array.isArray(p.ops) ? (p.ops as StepSizeCertificate["ops"]) : [];
  return { op_norm_bound: num(p.op_norm_bound), op_norm_route: route, tau: num(p.tau), sigma: num(p.sigma), theta: num(p.theta), beta_lipschitz: num(p.beta_lipschitz), ops, proven: route !== "power-iteration" };
}

/** The step-size certificate in one line: `‖K‖ ≤ 2.83 (analytic) · τ = 0.35, σ = 0.35`, or the preconditioning. */
export function stepSizeLine(c: StepSizeCertificate, style: Style): string {
  const norm =
    c.op_norm_route === "preconditioned"
      ? "diagonal preconditioning from the row and column sums of |K|"
      : `‖K‖ ≤ ${formatNumber(c.op_norm_bound ?? Number.NaN)} (${c.op_norm_route}) · τ = ${formatNumber(c.tau ?? Number.NaN)}, σ = ${formatNumber(c.sigma ?? Number.NaN)}`;
  return `${c.proven ? "" : `${style.red("not certified")}: `}${norm}`;
}
